"""S2 客户投诉 end to end through the real `oaflow` command (SPEC §17, §18)."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.acceptance

FORM = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}
NODES_ZH = ["投诉登记", "投诉受理确认", "原因分析与处理", "处理结果审核", "回复客户并关闭", "汇总归档"]
NODES_EN = ["Accept complaint", "Find the cause", "Review the", "Reply to the"]


@pytest.fixture(scope="module")
def run(fresh_cli) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One whole complaint on its own database; the outputs of every step, for the tests."""
    cli = fresh_cli()
    seen: dict[str, Any] = {"cli": cli}
    seen["start"] = cli("start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(FORM))
    seen["csd_tasks"] = cli.tasks("csd.head")
    triage = seen["csd_tasks"][0]["id"]
    seen["approve_triage"] = cli("task", "approve", str(triage), "--as", "csd.head", "--note", "受理")
    seen["prd_tasks"] = cli.tasks("prd.head")
    seen["log_tasks"] = cli.tasks("log.head")
    seen["svc_tasks"] = cli.tasks("svc.head")
    handle = cli.task_id("prd.head", "handle")
    seen["ack"] = cli("task", "ack", handle, "--as", "prd.head", now="2024-03-01T10:00")
    seen["progress"] = cli(
        "task", "progress", handle, "--as", "prd.head", "--percent", "50",
        "--note", "已定位原因：模具磨损", now="2024-03-01T14:00",
    )  # fmt: skip
    seen["handle_after_progress"] = cli.json("task", "show", handle, "--as", "prd.head")
    seen["complete"] = cli(
        "task", "complete", handle, "--as", "prd.head",
        "--field", "cause=注塑模具磨损", "--field", "solution=更换模具并为客户补发新品",
        now="2024-03-02T10:00",
    )  # fmt: skip
    review = cli.task_id("csd.head", "review")
    seen["approve_review"] = cli("task", "approve", review, "--as", "csd.head", now="2024-03-04T10:00")
    reply = cli.task_id("csd.head", "reply")
    seen["complete_reply"] = cli(
        "task", "complete", reply, "--as", "csd.head",
        "--field", "reply=已为客户补发新品并致歉", "--field", "satisfaction=5",
        now="2024-03-04T15:00",
    )  # fmt: skip
    seen["ids"] = [triage, handle, review, reply]
    seen["after"] = {login: cli.tasks(login) for login in ("csd.head", "prd.head")}
    seen["instance"] = cli.json("instance", "show", "TS202403001")
    seen["human_zh"] = cli("instance", "show", "TS202403001")
    seen["human_en"] = cli("instance", "show", "TS202403001", lang="en")
    return seen


def test_start_prints_the_business_key(run: dict[str, Any]) -> None:
    assert run["start"].out.strip() == "TS202403001"


def test_triage_task_is_listed_for_customer_service(run: dict[str, Any]) -> None:
    (task,) = run["csd_tasks"]
    assert task["business_key"] == "TS202403001"
    assert task["node_id"] == "triage"
    assert task["node"] == "投诉受理确认"
    assert task["assignee"] == "csd.head"
    assert task["state"] == "pending"
    assert task["due_at"] == "2024-03-01 14:30"  # 4 working hours, lunch 12:00–13:30
    assert task["sla"] == "on_track"


def test_quality_complaints_go_to_production_only(run: dict[str, Any]) -> None:
    assert [t["node_id"] for t in run["prd_tasks"]] == ["handle"]
    assert run["prd_tasks"][0]["department_name"] == "生产部"
    assert run["log_tasks"] == []
    assert run["svc_tasks"] == []


def test_each_action_reports_the_new_task_state(run: dict[str, Any]) -> None:
    assert "投诉受理确认" in run["approve_triage"].out
    assert "已接收" in run["ack"].out
    assert "处理中" in run["progress"].out
    assert "已完成" in run["complete"].out
    assert "已通过" in run["approve_review"].out
    assert "回复客户并关闭" in run["complete_reply"].out


def test_progress_is_recorded_on_the_task(run: dict[str, Any]) -> None:
    task = run["handle_after_progress"]
    assert task["progress"] == 50
    assert task["note"] == "已定位原因：模具磨损"
    assert task["state"] == "in_progress"


def test_instance_is_completed_with_a_gapless_timeline(run: dict[str, Any]) -> None:
    view = run["instance"]
    assert view["business_key"] == "TS202403001"
    assert view["state"] == "completed"
    assert view["initiator"] == "csd.head"
    assert view["started_at"] == "2024-03-01 09:00"
    assert view["ended_at"] == "2024-03-04 15:00"
    timeline = view["timeline"]
    run["cli"].assert_gapless(timeline)
    kinds = [e["kind"] for e in timeline]
    assert kinds[0] == "instance_started"
    assert kinds[-1] == "instance_completed"
    assert kinds.count("task_created") == 4
    progress = [e for e in timeline if e["kind"] == "task_progress"]
    assert progress[0]["data"]["percent"] == 50
    assert progress[0]["actor"] == "prd.head"
    assert [r["task_id"] for r in view["progress"]] == [int(i) for i in run["ids"]]
    assert [r["department"] for r in view["progress"]] == ["客户服务部", "生产部", "客户服务部", "客户服务部"]
    assert run["after"] == {"csd.head": [], "prd.head": []}


def test_table_output_shows_the_chinese_node_names(run: dict[str, Any]) -> None:
    out = run["human_zh"].out
    assert "TS202403001 · 客户投诉 · 外壳破裂投诉 · 已完成" in out
    for name in NODES_ZH:
        assert name in out
    assert "时间线" in out and "执行进度跟踪表" in out
    assert "陈志强" in out  # the demo head of 生产部 has a Chinese name


def test_lang_en_gives_english_labels(run: dict[str, Any]) -> None:
    out = run["human_en"].out
    assert "Customer complaint" in out and "completed" in out
    assert "Timeline" in out and "Progress" in out
    for name in NODES_EN:
        assert name in out
    assert "投诉受理确认" not in out and "时间线" not in out


@pytest.mark.parametrize(
    ("complaint_type", "head", "department"),
    [("logistics", "log.head", "物流部"), ("service", "svc.head", "客服部")],
)
def test_complaints_are_routed_by_type(cli, complaint_type: str, head: str, department: str) -> None:  # type: ignore[no-untyped-def]
    form = {**FORM, "complaint_type": complaint_type}
    assert cli("start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(form)).out.strip() == "TS202403001"
    cli("task", "approve", cli.task_id("csd.head", "triage"), "--as", "csd.head")
    (task,) = cli.tasks(head)
    assert task["node_id"] == "handle" and task["department_name"] == department
    assert cli.tasks("prd.head") == []


def test_review_rejection_returns_the_complaint_to_the_handling_department(cli) -> None:  # type: ignore[no-untyped-def]
    cli("start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(FORM))
    cli("task", "approve", cli.task_id("csd.head", "triage"), "--as", "csd.head")
    handle = cli.task_id("prd.head", "handle")
    cli("task", "complete", handle, "--as", "prd.head", "--field", "cause=未知", "--field", "solution=观察")
    cli("task", "reject", cli.task_id("csd.head", "review"), "--as", "csd.head", "--note", "原因分析不充分")
    again = cli.task_id("prd.head", "handle")
    assert again != handle
    view = cli.json("instance", "show", "TS202403001")
    assert view["state"] == "running"
    cli.assert_gapless(view["timeline"])
    assert "task_rejected" in [e["kind"] for e in view["timeline"]]
