"""代理 (ORG-3) through the real `oaflow` command, in Chinese data."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.acceptance

FORM = {
    "title": "物流延迟投诉",
    "customer": "华南某门店",
    "complaint_type": "logistics",
    "description": "到货延迟五天",
}


def start(cli: Any, now: str) -> None:
    data = json.dumps(FORM, ensure_ascii=False)
    cli("start", "customer-complaint", "--as", "csd.staff", "--data", data, now=now)


def test_a_deputy_takes_new_tasks_for_the_period_and_both_see_them(cli: Any) -> None:
    done = cli(
        "deputy", "set", "--as", "csd.head", "--deputy", "vp.market",
        "--from", "2024-03-04T00:00", "--until", "2024-03-09T00:00",
    )  # fmt: skip
    assert "vp.market 代理 csd.head: 2024-03-04 00:00 → 2024-03-09 00:00" in done.out
    (row,) = cli.json("deputy", "list", "--as", "csd.head")
    assert (row["user_name"], row["deputy_name"]) == ("马丽娟", "宋文博")
    assert "宋文博" in cli("deputy", "list", "--as", "vp.market").out
    assert cli.json("deputy", "list", "--as", "prd.head") == []  # not part of it
    assert len(cli.json("deputy", "list", "--as", "auditor")) == 1  # auditors see them all

    start(cli, "2024-03-01T10:00")  # before the period: to 马丽娟 herself
    assert cli.tasks("vp.market") == []
    start(cli, "2024-03-05T10:00")  # in the period: to 宋文博 on her behalf
    (deputy_row,) = cli.tasks("vp.market")
    assert deputy_row["as_deputy_of"] == "csd.head"
    # JSON: the holder and the person they stand in for, each with their name
    assert (deputy_row["assignee"], deputy_row["assignee_name"]) == ("vp.market", "宋文博")
    assert (deputy_row["on_behalf_of"], deputy_row["on_behalf_of_name"]) == ("csd.head", "马丽娟")
    rows = cli.tasks("csd.head")
    assert sorted(r["delegated_to"] or "" for r in rows) == ["", "vp.market"]

    task = str(deputy_row["id"])
    refused = cli("task", "approve", task, "--as", "csd.head", expect=1)
    assert "Traceback" not in refused.err
    cli("task", "approve", task, "--as", "vp.market", now="2024-03-05T11:00")
    shown = cli("task", "show", task, "--as", "csd.head").out
    assert "宋文博 (代 马丽娟)" in shown

    cli("deputy", "clear", "--as", "csd.head")
    assert cli.json("deputy", "list", "--as", "admin") == []


def test_an_administrator_manages_anyones_deputies_with_for(cli: Any) -> None:
    period = ("--from", "2024-03-04T00:00", "--until", "2024-03-09T00:00")
    before = cli.dump()
    refused = cli(
        "deputy", "set", "--as", "prd.head", "--for", "csd.head", "--deputy", "vp.market",
        *period, expect=1,
    )  # fmt: skip
    assert "prd.head 没有管理权限" in refused.err
    assert cli.dump() == before
    done = cli(
        "deputy", "set", "--as", "admin", "--for", "csd.head", "--deputy", "vp.market", *period
    )
    assert "vp.market 代理 csd.head" in done.out
    (row,) = cli.json("deputy", "list", "--as", "csd.head")
    assert (row["user"], row["deputy"]) == ("csd.head", "vp.market")
    assert "没有管理权限" in cli("deputy", "clear", "--as", "gm", "--for", "csd.head", expect=1).err
    assert (
        "已清除 csd.head 的 1 条代理"
        in cli("deputy", "clear", "--as", "admin", "--for", "csd.head").out
    )
    assert cli.json("deputy", "list", "--as", "admin") == []


@pytest.mark.parametrize(
    ("deputy", "start_at", "until", "text"),
    [
        ("csd.head", "2024-03-04T00:00", "2024-03-05T00:00", "csd.head 不能做自己的代理人"),
        ("nobody", "2024-03-04T00:00", "2024-03-05T00:00", "代理人 nobody 不是在职用户"),
        ("vp.market", "2024-03-05T00:00", "2024-03-04T00:00", "代理期限的结束早于开始"),
        (
            "vp.market",
            "2024-03-06T00:00",
            "2024-03-12T00:00",
            "csd.head 在 2024-03-04 00:00 至 2024-03-09 00:00 已有代理人 csd.staff",
        ),
    ],
)
def test_bad_input_fails_clearly_and_changes_nothing(
    cli: Any, deputy: str, start_at: str, until: str, text: str
) -> None:
    cli(
        "deputy", "set", "--as", "csd.head", "--deputy", "csd.staff",
        "--from", "2024-03-04T00:00", "--until", "2024-03-09T00:00",
    )  # fmt: skip
    before = cli.dump()
    failed = cli(
        "deputy", "set", "--as", "csd.head", "--deputy", deputy,
        "--from", start_at, "--until", until, expect=1,
    )  # fmt: skip
    assert text in failed.out + failed.err
    assert cli.dump() == before
