"""转交 / 评论 / 催办 / 抄送 through the real `oaflow` command, in Chinese data (APR-2)."""

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


def handling_task(cli: Any) -> str:
    cli(
        "start",
        "customer-complaint",
        "--as",
        "csd.staff",
        "--data",
        json.dumps(FORM, ensure_ascii=False),
    )
    cli("task", "approve", cli.task_id("csd.head", "triage"), "--as", "csd.head")
    return str(cli.task_id("log.head", "handle"))


def kinds(cli: Any) -> list[str]:
    shown = cli.json("instance", "show", "TS202403001", "--as", "csd.staff")
    return [e["kind"] for e in shown["timeline"]]


def test_transfer_comment_urge_and_cc_through_the_command(cli: Any) -> None:
    task = handling_task(cli)
    cli("task", "comment", task, "--as", "log.head", "--note", "已联系承运商核实")
    cli("task", "urge", task, "--as", "csd.staff", "--note", "客户催促，请今天给出结论")
    cli(
        "task",
        "cc",
        task,
        "--as",
        "log.head",
        "--to",
        "vp.ops",
        "--to",
        "csd.head",
        "--note",
        "抄送领导",
    )
    result = cli(
        "task", "transfer", task, "--as", "log.head", "--to", "log.staff", "--note", "请跟进"
    )
    assert "已转交" in result.out
    assert cli.tasks("log.head") == []
    assert [t["id"] for t in cli.tasks("log.staff")] == [int(task)]
    assert kinds(cli)[-4:] == ["task_commented", "task_urged", "task_copied", "task_transferred"]
    outbox = cli.json("outbox", "list", "--as", "auditor")
    assert [(m["event"], m["recipients"]) for m in outbox] == [
        ("task_assigned", ["csd.head"]),  # the triage
        ("task_assigned", ["log.head"]),  # the handling, after triage
        ("urge", ["log.head"]),
        ("cc", ["vp.ops", "csd.head"]),
        ("task_assigned", ["log.staff"]),  # transferred to them
    ]
    table = cli("--lang", "zh", "outbox", "list", "--to", "vp.ops", "--as", "auditor").out
    assert "抄送" in table and "韩振宇" in table


def test_refusals_exit_1_and_change_nothing(cli: Any) -> None:
    task = handling_task(cli)
    before = cli.dump()
    for args, text in [
        (("transfer", task, "--as", "log.head", "--to", "log.head"), "oneself"),
        # csd.head heads the initiating department: they see the task, it is not theirs
        (("transfer", task, "--as", "csd.head", "--to", "log.staff"), "not yours"),
        (("urge", task, "--as", "log.head"), "initiator"),
        (("comment", task, "--as", "vp.ops", "--note", "路过"), "does not take part"),
        (("cc", task, "--as", "log.head", "--to", "nobody"), "nobody"),
        # outside one's scope a task is answered exactly like a missing one (no existence
        # leak): prd.head and sal.head head departments the complaint never touched, and
        # log.staff took no part in it
        (("transfer", task, "--as", "prd.head", "--to", "log.staff"), "does not exist"),
        (("urge", task, "--as", "log.staff"), "does not exist"),
        (("comment", task, "--as", "sal.head", "--note", "路过"), "does not exist"),
    ]:
        result = cli("task", *args, expect=1, lang="en")
        assert text in result.err, (args, result.err)
    assert cli.dump() == before
    assert cli("task", "transfer", task, "--as", "log.head", expect=2).code == 2  # --to missing


def test_return_withdraw_and_batch_approve_through_the_command(cli: Any) -> None:
    task = handling_task(cli)
    cli(
        "task",
        "complete",
        task,
        "--as",
        "log.head",
        "--field",
        "cause=承运商延误",
        "--field",
        "solution=改派",
    )
    review = cli.task_id("csd.head", "review")
    shown = cli.json("task", "show", review, "--as", "csd.head")
    assert [n["node"] for n in shown["returnable"]] == ["投诉受理确认", "原因分析与处理"]
    cli("task", "return", review, "--as", "csd.head", "--to", "handle", "--note", "请补充证据")
    assert cli.task_id("log.head", "handle") != task
    again = cli("task", "return", review, "--as", "csd.head", "--to", "handle", expect=1, lang="en")
    assert "cannot return a task that is returned" in again.err  # it was already returned
    for _ in range(2):
        cli(
            "start",
            "customer-complaint",
            "--as",
            "csd.staff",
            "--data",
            json.dumps(FORM, ensure_ascii=False),
        )
    triage = [str(t["id"]) for t in cli.tasks("csd.head") if t["node_id"] == "triage"]
    before = cli.dump()  # the batch is checked first: one unknown id refuses all of it
    refused = cli("tasks", "approve-batch", *triage, "999", "--as", "csd.head", expect=1)
    assert "批量审批未执行，1 项有问题：任务 999 不存在" in refused.err, str(refused)
    assert cli.dump() == before
    foreign = cli.task_id("log.head", "handle")
    refused = cli(
        "tasks", "approve-batch", *triage, foreign, "--as", "csd.head", expect=1, lang="en"
    )
    assert f"task {foreign} is not yours" in refused.err, str(refused)
    assert cli.dump() == before
    result = cli("tasks", "approve-batch", *triage, "--as", "csd.head", "--json")
    assert [(r["task_id"], r["ok"]) for r in result.json()] == [(int(t), True) for t in triage]
    closed = cli("tasks", "approve-batch", triage[0], "--as", "csd.head", expect=1)
    assert f"任务 {triage[0]} 处于“已通过”状态，不能审批" in closed.err, str(closed)
    fresh = cli(
        "start",
        "customer-complaint",
        "--as",
        "csd.staff",
        "--data",
        json.dumps(FORM, ensure_ascii=False),
    ).out.strip()
    assert "已撤回" in cli("instance", "withdraw", fresh, "--as", "csd.staff").out
    assert cli.json("instance", "show", fresh, "--as", "csd.staff")["state"] == "cancelled"


def test_add_signer_before_and_after_through_the_command(cli: Any) -> None:
    task = handling_task(cli)
    cli(
        "task",
        "complete",
        task,
        "--as",
        "log.head",
        "--field",
        "cause=承运商延误",
        "--field",
        "solution=改派",
    )
    review = cli.task_id("csd.head", "review")
    cli("task", "add-signer", review, "--as", "csd.head", "--to", "vp.ops", "--before")
    waiting = cli("task", "approve", review, "--as", "csd.head", expect=1, lang="en")
    assert (
        "is waiting for" in waiting.err and "vp.ops" in waiting.err
    )  # 前加签: the signer goes first
    cli("task", "approve", cli.task_id("vp.ops", "review"), "--as", "vp.ops", "--note", "同意")
    cli("task", "add-signer", review, "--as", "csd.head", "--to", "vp.market", "--after")
    cli("task", "approve", review, "--as", "csd.head")
    assert cli.tasks("csd.staff") == []  # 后加签: not past the step before vp.market approves
    cli("task", "approve", cli.task_id("vp.market", "review"), "--as", "vp.market")
    assert [t["node_id"] for t in cli.tasks("csd.staff")] == ["reply"]
    bad = cli(
        "task",
        "add-signer",
        cli.task_id("csd.staff", "reply"),
        "--as",
        "csd.staff",
        "--to",
        "gm",
        expect=1,
        lang="en",
    )
    assert "not a single-approver approval step" in bad.err  # a feedback step has no signers


def test_the_inbox_shows_the_urge_and_marks_it_read(cli: Any) -> None:
    task = handling_task(cli)
    cli("task", "urge", task, "--as", "csd.staff", "--note", "客户催促")
    mine = cli.json("inbox", "--as", "log.head")
    assert [i["event"] for i in mine["items"]] == ["urge", "task_assigned"]  # newest first
    assert "催办" in cli("inbox", "--as", "log.head").out
    cli("inbox", "read", "--all", "--as", "log.head")
    assert cli.json("inbox", "--as", "log.head", "--unread")["items"] == []
    assert cli("inbox", expect=2).code == 2  # --as missing
