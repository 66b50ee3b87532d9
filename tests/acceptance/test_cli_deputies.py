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
    assert "vp.market 代理 csd.head" in done.out
    (row,) = cli.json("deputy", "list")
    assert (row["user_name"], row["deputy_name"]) == ("马丽娟", "宋文博")
    assert "宋文博" in cli("deputy", "list").out

    start(cli, "2024-03-01T10:00")  # before the period: to 马丽娟 herself
    assert cli.tasks("vp.market") == []
    start(cli, "2024-03-05T10:00")  # in the period: to 宋文博 on her behalf
    (deputy_row,) = cli.tasks("vp.market")
    assert deputy_row["as_deputy_of"] == "csd.head"
    assert deputy_row["assignee_name"] == "宋文博 (代 马丽娟)"
    rows = cli.tasks("csd.head")
    assert sorted(r["delegated_to"] or "" for r in rows) == ["", "vp.market"]

    task = str(deputy_row["id"])
    refused = cli("task", "approve", task, "--as", "csd.head", expect=1)
    assert "Traceback" not in refused.err
    cli("task", "approve", task, "--as", "vp.market", now="2024-03-05T11:00")
    shown = cli("task", "show", task, "--as", "csd.head").out
    assert "宋文博 (代 马丽娟)" in shown

    cli("deputy", "clear", "--as", "csd.head")
    assert cli.json("deputy", "list") == []


@pytest.mark.parametrize(
    ("deputy", "start_at", "until", "text"),
    [
        ("csd.head", "2024-03-04T00:00", "2024-03-05T00:00", "own deputy"),
        ("nobody", "2024-03-04T00:00", "2024-03-05T00:00", "not a known user"),
        ("vp.market", "2024-03-05T00:00", "2024-03-04T00:00", "ends before it starts"),
        ("vp.market", "2024-03-06T00:00", "2024-03-12T00:00", "already has deputy"),
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
