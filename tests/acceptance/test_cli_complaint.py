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
NODES_ZH = [
    "投诉登记",
    "投诉受理确认",
    "原因分析与处理",
    "处理结果审核",
    "回复客户并关闭",
    "汇总归档",
]
NODES_EN = ["Accept complaint", "Find the cause", "Review the", "Reply to the"]


def whole_complaint(cli: Any) -> dict[str, Any]:
    """One whole complaint; the outputs of every step.

    A fresh database numbers tasks 1, 2, 3, 4 (triage, handle, review, reply); the task lists
    and the final progress table confirm those IDs.
    """
    seen: dict[str, Any] = {"cli": cli}
    seen["start"] = cli(
        "start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(FORM)
    )
    seen["csd_tasks"] = cli.tasks("csd.head")
    seen["approve_triage"] = cli("task", "approve", "1", "--as", "csd.head", "--note", "受理")
    seen["prd_tasks"] = cli.tasks("prd.head")
    seen["ack"] = cli("task", "ack", "2", "--as", "prd.head", now="2024-03-01T10:00")
    seen["progress"] = cli(
        "task", "progress", "2", "--as", "prd.head", "--percent", "50",
        "--note", "已定位原因：模具磨损", "--json", now="2024-03-01T14:00",
    )  # fmt: skip
    seen["complete"] = cli(
        "task", "complete", "2", "--as", "prd.head",
        "--field", "cause=注塑模具磨损", "--field", "solution=更换模具并为客户补发新品",
        now="2024-03-02T10:00",
    )  # fmt: skip
    seen["approve_review"] = cli("task", "approve", "3", "--as", "csd.head", now="2024-03-04T10:00")
    seen["complete_reply"] = cli(
        "task", "complete", "4", "--as", "csd.head",
        "--field", "reply=已为客户补发新品并致歉", "--field", "satisfaction=5",
        now="2024-03-04T15:00",
    )  # fmt: skip
    seen["instance"] = cli.json("instance", "show", "TS202403001", "--as", "csd.head")
    seen["human_zh"] = cli("instance", "show", "TS202403001", "--as", "csd.head")
    seen["human_en"] = cli("instance", "show", "TS202403001", "--as", "csd.head", lang="en")
    seen["task_show"] = cli.json("task", "show", "2", "--as", "prd.head")
    seen["review_text"] = cli("task", "show", "3", "--as", "csd.head")
    seen["review"] = cli.json("task", "show", "3", "--as", "csd.head")
    seen["review_by_admin"] = cli("task", "show", "3", "--as", "admin")
    seen["process_list"] = cli.json("process", "list", "--as", "prd.head")
    seen["process_show_en"] = cli.json(
        "process", "show", "customer-complaint", "--as", "prd.head", lang="en"
    )
    seen["org_users"] = cli.json("org", "users", "--as", "prd.head")
    return seen


def routing(cli: Any) -> dict[str, Any]:
    """A logistics and a service complaint, both accepted."""
    for complaint_type in ("logistics", "service"):
        form = {**FORM, "complaint_type": complaint_type}
        cli("start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(form))
    cli("task", "approve", "1", "--as", "csd.head")
    cli("task", "approve", "2", "--as", "csd.head")
    return {head: cli.tasks(head) for head in ("log.head", "svc.head")}


def rejection(cli: Any) -> dict[str, Any]:
    """A complaint whose resolution customer service rejects at review."""
    cli("start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(FORM))
    cli("task", "approve", "1", "--as", "csd.head")
    cli(
        "task",
        "complete",
        "2",
        "--as",
        "prd.head",
        "--field",
        "cause=未知",
        "--field",
        "solution=观察",
    )
    cli("task", "reject", "3", "--as", "csd.head", "--note", "原因分析不充分")
    return {"cli": cli, "instance": cli.json("instance", "show", "TS202403001", "--as", "prd.head")}


@pytest.fixture(scope="module")
def scenarios(fresh_cli, parallel) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The three scenarios, each on its own database, run side by side."""
    jobs = {"main": whole_complaint, "routing": routing, "rejection": rejection}
    return parallel({name: (lambda job=job: job(fresh_cli())) for name, job in jobs.items()})


@pytest.fixture(scope="module")
def run(scenarios: dict[str, Any]) -> dict[str, Any]:
    return scenarios["main"]


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


def test_quality_complaints_go_to_production(run: dict[str, Any]) -> None:
    (task,) = run["prd_tasks"]
    assert (task["id"], task["node_id"], task["department_name"]) == (2, "handle", "生产部")
    assert task["due_at"] == "2024-03-11 12:00"  # 48 working hours; weekends do not count


def test_each_action_reports_the_new_task_state(run: dict[str, Any]) -> None:
    assert run["approve_triage"].out.strip() == "任务 1 投诉受理确认: 已通过"
    assert run["ack"].out.strip() == "任务 2 原因分析与处理: 已接收"
    assert run["complete"].out.strip() == "任务 2 原因分析与处理: 已完成"
    assert run["approve_review"].out.strip() == "任务 3 处理结果审核: 已通过"
    assert run["complete_reply"].out.strip() == "任务 4 回复客户并关闭: 已完成"


def test_progress_with_json_prints_the_task(run: dict[str, Any]) -> None:
    task = run["progress"].json()
    assert task["id"] == 2
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
    (progress,) = [e for e in timeline if e["kind"] == "task_progress"]
    assert (progress["data"]["percent"], progress["actor"]) == (50, "prd.head")
    rows = [
        (r["task_id"], r["node"], r["department"], r["department_name"], r["status"])
        for r in view["progress"]
    ]
    assert rows == [  # a department is its code with its name beside it
        (1, "投诉受理确认", "csd", "客户服务部", "已通过"),
        (2, "原因分析与处理", "prd", "生产部", "已完成"),
        (3, "处理结果审核", "csd", "客户服务部", "已通过"),
        (4, "回复客户并关闭", "csd", "客户服务部", "已完成"),
    ]


def test_table_output_shows_the_chinese_node_names(run: dict[str, Any]) -> None:
    out = run["human_zh"].out
    assert "TS202403001 · 客户投诉 · 外壳破裂投诉 · 已完成" in out
    for name in NODES_ZH:
        assert name in out
    assert "时间线" in out and "执行进度跟踪表" in out
    assert "陈志强" in out  # the demo head of 生产部 has a Chinese name


def test_lang_en_gives_english_labels(run: dict[str, Any]) -> None:
    out = run["human_en"].out
    assert "TS202403001 · Customer complaint · 外壳破裂投诉 · completed" in out
    assert "Timeline" in out and "Progress" in out
    for name in NODES_EN:
        assert name in out
    assert "投诉受理确认" not in out and "时间线" not in out


def test_read_commands_print_one_json_document(run: dict[str, Any]) -> None:
    task = run["task_show"]
    assert task["state"] == "done"
    assert task["outputs"]["cause"] == "注塑模具磨损"
    assert task["outputs"]["solution"] == "更换模具并为客户补发新品"
    keys = sorted(p["key"] for p in run["process_list"])
    assert keys == [
        "annual-budget",
        "customer-complaint",
        "new-product-launch",
        "project-milestones",
    ]
    shown = run["process_show_en"]
    assert (shown["key"], shown["name"], shown["version"]) == (
        "customer-complaint",
        "Customer complaint",
        1,
    )
    assert "triage" in [n["id"] for n in shown["nodes"]]
    users = {u["login"]: u for u in run["org_users"]}
    assert {"csd.head", "prd.head", "fin.head", "vp.admin", "gm"} <= users.keys()
    assert users["prd.head"]["name"] == "陈志强"


def test_task_show_gives_the_form_and_the_earlier_work(run: dict[str, Any]) -> None:
    """The reviewer sees the complaint and production's cause and solution (RUN-4)."""
    review = run["review"]
    form = {f["name"]: f for f in review["form"]}
    assert form["description"]["value"] == "收到的产品外壳破裂"
    assert (form["phone"]["value"], form["phone"]["masked"]) == ("13800000000", False)
    handle = next(w for w in review["earlier"] if w["node_id"] == "handle")
    outputs = {o["name"]: o["value"] for o in handle["outputs"]}
    assert outputs == {"cause": "注塑模具磨损", "solution": "更换模具并为客户补发新品"}
    assert (handle["finished_by"], handle["finished_by_name"]) == ("prd.head", "陈志强")
    text = run["review_text"].out
    assert "表单" in text and "前序节点成果" in text and "注塑模具磨损" in text
    assert "13800000000" in text
    # an administrator sees every instance, but not its sensitive fields (SEC-3)
    by_admin = run["review_by_admin"].out
    assert "收到的产品外壳破裂" in by_admin and "13800000000" not in by_admin
    assert "***" in by_admin
    done = run["task_show"]  # a closed task says who finished it, not an SLA
    assert done["finished_by"] == "prd.head"
    shown = run["cli"]("task", "show", "2", "--as", "prd.head").out
    assert "完成: 2024-03-02 10:00 陈志强" in shown and "SLA" not in shown
    assert "成果: cause: 注塑模具磨损; solution: 更换模具并为客户补发新品" in shown


def test_complaints_are_routed_by_type(scenarios: dict[str, Any]) -> None:
    (logistics,) = scenarios["routing"]["log.head"]
    (service,) = scenarios["routing"]["svc.head"]
    assert (logistics["business_key"], logistics["department_name"]) == ("TS202403001", "物流部")
    assert (service["business_key"], service["department_name"]) == ("TS202403002", "客服部")


def test_review_rejection_returns_the_complaint_to_the_handling_department(
    scenarios: dict[str, Any],
) -> None:
    view = scenarios["rejection"]["instance"]
    assert view["state"] == "running"
    scenarios["rejection"]["cli"].assert_gapless(view["timeline"])
    by_kind = {e["kind"]: e for e in view["timeline"]}  # the last event of each kind
    rejected, returned, created = (
        by_kind["task_rejected"],
        by_kind["returned_to"],
        by_kind["task_created"],
    )
    assert (rejected["node"], rejected["task_id"], rejected["data"]["note"]) == (
        "处理结果审核",
        3,
        "原因分析不充分",
    )
    assert returned["data"]["target"] == "handle"
    assert (created["node"], created["task_id"], created["data"]["assignee"]) == (
        "原因分析与处理",
        4,
        "prd.head",
    )
    assert created["seq"] == len(view["timeline"])
