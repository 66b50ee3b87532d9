"""What a new user could not do before (issue 10, point 5), through the real `oaflow`
command: see what to work on, list instances, return a request to its initiator for
revision, get a notify node's copy, start a node by hand, be refused a time before the
task's last change, have a bad batch refused whole, and set the compliance policies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.acceptance

COMPLAINT = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}

CLAIM = """\
key: expense-claim
name: {zh: 费用报销, en: Expense claim}
business_key: "FY{yyyy}{seq:03}"
form:
  - {name: amount, type: number, required: true, label: {zh: 金额, en: Amount}}
nodes:
  - {id: apply, type: initiate, name: {zh: 提交申请, en: Apply}, next: check}
  - id: check
    type: approval
    name: {zh: 部门审批, en: Head approves}
    assignee: {user: mkt.head}
    time_limit: {hours: 24}
    on_reject: apply
    next: tell
  - id: tell
    type: notify
    name: {zh: 抄送财务, en: Copy finance}
    notify: [{head_of: fin}]
    next: pay
  - id: pay
    type: handle
    name: {zh: 付款, en: Pay}
    assignee: {department: fin}
    trigger: manual
    time_limit: {hours: 8}
    next: done
  - {id: done, type: end, name: {zh: 结束, en: Done}}
"""


def start_complaint(cli: Any, login: str = "csd.head", **changes: Any) -> str:
    data = json.dumps({**COMPLAINT, **changes}, ensure_ascii=False)
    return str(cli("start", "customer-complaint", "--as", login, "--data", data).out.strip())


def test_a_handler_sees_the_form_and_the_earlier_work(cli: Any) -> None:
    start_complaint(cli)
    cli("task", "approve", "1", "--as", "csd.head", "--note", "已受理")
    shown = cli("--now", "2024-03-01T10:00", "task", "show", "2", "--as", "prd.head").out
    for text in ("外壳破裂投诉", "张三", "13800000000", "投诉受理确认", "马丽娟", "cause"):
        assert text in shown, shown
    leader = cli.json("--now", "2024-03-01T10:00", "task", "show", "2", "--as", "vp.ops")
    phone = next(f for f in leader["form"] if f["name"] == "phone")
    assert (phone["value"], phone["masked"]) == (None, True)  # sees it, took no part
    assert "13800000000" not in cli("task", "show", "2", "--as", "vp.ops").out
    instance = cli.json("instance", "show", "TS202403001", "--as", "csd.head")
    form = {f["name"]: f["value"] for f in instance["form"]}
    assert (form["customer"], form["phone"]) == ("张三", "13800000000")


def test_instances_are_listed_with_filters_and_pages(cli: Any) -> None:
    keys = [
        start_complaint(cli),
        start_complaint(cli, complaint_type="logistics"),
        start_complaint(cli, "csd.staff", complaint_type="service"),
    ]
    cli("task", "approve", "1", "--as", "csd.head")
    listed = cli.json("instance", "list", "--as", "csd.head")
    assert [i["business_key"] for i in listed["items"]] == keys[::-1]
    assert listed["total"] == 3
    page = cli.json("instance", "list", "--as", "csd.head", "--limit", "1", "--offset", "1")
    assert ([i["business_key"] for i in page["items"]], page["total"]) == ([keys[1]], 3)
    mine = cli.json("instance", "list", "--as", "csd.head", "--initiator", "csd.staff")
    assert [i["business_key"] for i in mine["items"]] == [keys[2]]
    assert cli.json("instance", "list", "--as", "prd.head")["total"] == 1  # routed to 生产部
    assert cli.json("instance", "list", "--as", "sal.head")["total"] == 0  # not involved
    late = cli.json("--now", "2024-03-20T09:00", "instance", "list", "--as", "gm", "--overdue")
    assert {i["business_key"] for i in late["items"]} == set(keys)
    wrong = cli("instance", "list", "--as", "gm", "--state", "open", expect=1)
    assert "running" in wrong.err


def test_a_rejection_returns_the_request_to_its_initiator_for_revision(
    cli: Any, tmp_path: Path
) -> None:
    (tmp_path / "claim.yaml").write_text(CLAIM, encoding="utf-8")
    cli("process", "publish", "claim.yaml", "--as", "admin")
    data = json.dumps({"title": "差旅报销", "amount": 1200}, ensure_ascii=False)
    key = cli("start", "expense-claim", "--as", "mkt.staff", "--data", data).out.strip()
    check = cli.task_id("mkt.head", "check")
    cli("task", "reject", check, "--as", "mkt.head", "--note", "请附发票金额")
    revise = cli.task_id("mkt.staff", "apply")
    refused = cli("task", "complete", revise, "--as", "mkt.staff", "--field", "amount=多", expect=1)
    assert "amount" in refused.err
    cli("task", "complete", revise, "--as", "mkt.staff", "--field", "amount=980")
    assert cli.json("instance", "show", key, "--as", "mkt.staff")["form"][-1]["value"] == 980
    cli("task", "approve", cli.task_id("mkt.head", "check"), "--as", "mkt.head")
    # the notify node copied 财务部's head (in the in-app inbox), who also has the payment
    inbox = cli.json("inbox", "--as", "fin.head")
    told = sorted((i["event"], i["business_key"]) for i in inbox["items"])
    assert told == [("cc", key), ("task_assigned", key)]
    # the payment starts by hand (待启动): the task waits for its owner
    (pay,) = [t for t in cli.tasks("fin.head") if t["node_id"] == "pay"]
    assert (pay["state"], pay["due_at"]) == ("waiting", None)
    early = cli("task", "ack", str(pay["id"]), "--as", "fin.head", expect=1)
    assert "task start" in early.err
    started = cli.json("task", "start", str(pay["id"]), "--as", "fin.head")
    assert (started["state"], started["due_at"]) == ("acknowledged", "2024-03-04 09:30")


def test_a_time_before_the_tasks_last_change_is_refused(cli: Any) -> None:
    start_complaint(cli)
    cli("--now", "2024-03-01T10:00", "task", "approve", "1", "--as", "csd.head")
    before = cli.dump()
    refused = cli("--now", "2024-03-01T09:30", "task", "ack", "2", "--as", "prd.head", expect=1)
    assert "2024-03-01 10:00" in refused.err
    assert cli.dump() == before


def test_a_batch_with_a_bad_item_is_refused_whole(cli: Any) -> None:
    for _ in range(2):
        start_complaint(cli)
    before = cli.dump()
    refused = cli("tasks", "approve-batch", "1", "2", "99", "--as", "csd.head", expect=1)
    assert "批量审批未执行" in refused.err and "任务 99 不存在" in refused.err
    assert cli.dump() == before
    done = cli.json("tasks", "approve-batch", "1", "2", "--as", "csd.head")
    assert [(r["task_id"], r["ok"]) for r in done] == [(1, True), (2, True)]


def test_administrators_configure_the_compliance_policies(cli: Any, tmp_path: Path) -> None:
    contract = CLAIM.replace("key: expense-claim", "key: supplier-contract").replace(
        "business_key:", "tags: [contract]\nbusiness_key:"
    )
    (tmp_path / "contract.yaml").write_text(contract, encoding="utf-8")
    refused = cli("process", "publish", "contract.yaml", "--as", "admin", expect=1)
    assert "contract" in refused.err  # no 法务部 or 合规部 approval before the payment
    cli("policy", "set", "contract", "--departments", "", "--as", "admin")
    cli("process", "publish", "contract.yaml", "--as", "admin")
    denied = cli("policy", "set", "contract", "--departments", "leg", "--as", "leg.head", expect=1)
    assert "leg.head" in denied.err
    listed = cli.json("policy", "list", "--as", "auditor")
    assert "contract" not in listed and listed["data-use"] == ["leg", "cmp"]
