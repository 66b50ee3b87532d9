"""The engine through the services on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    MissingOutputsError,
    NotFoundError,
)
from oaflow.domain.states import Action
from oaflow.services import runtime, timers
from oaflow.services.app import App
from oaflow.storage.tables import history, instances, tasks

from .driver import COMPLAINT, Driver, as_dicts, tasks_of, who


def snapshot(app: App) -> tuple[int, int, int, list[tuple[object, ...]]]:
    with app.db.read() as conn:
        counts = [
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (instances, tasks, history)
        ]
        states = [
            tuple(r)
            for r in conn.execute(
                select(tasks.c.id, tasks.c.state, tasks.c.version).order_by(tasks.c.id)
            )
        ]
    return counts[0], counts[1], counts[2], states


def test_complaint_runs_to_the_end_with_gapless_history(demo_app: App) -> None:
    d = Driver(demo_app)
    key = d.run_complaint("quality")
    view = d.instance(key)
    assert key == "TS202403001"
    assert view["state"] == "completed"
    assert [e["seq"] for e in view["timeline"]] == list(range(1, len(view["timeline"]) + 1))
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds[0] == "instance_started" and kinds[-1] == "instance_completed"
    assert kinds.count("task_created") == 4
    assert {r["department_name"] for r in view["progress"]} == {"客户服务部", "生产部"}


@pytest.mark.parametrize(("kind", "handler"), [("logistics", "log.head"), ("service", "svc.head")])
def test_complaint_is_routed_by_type(demo_app: App, kind: str, handler: str) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.head", {**COMPLAINT, "complaint_type": kind})
    d.approve("csd.head", "triage")
    assert d.task(handler, "handle") > 0


def test_business_keys_count_per_month_without_gaps(demo_app: App, clock: FixedClock) -> None:
    d = Driver(demo_app)
    first = d.start("customer-complaint", "csd.head", COMPLAINT)
    second = d.start("customer-complaint", "csd.head", COMPLAINT)
    with pytest.raises(InputError):  # a failed start uses no number
        d.start("customer-complaint", "csd.head", {**COMPLAINT, "complaint_type": "weather"})
    clock.set(datetime(2024, 4, 2, 2, 0, tzinfo=UTC))
    third = d.start("customer-complaint", "csd.head", COMPLAINT)
    fourth = d.start("customer-complaint", "csd.head", COMPLAINT)
    assert [first, second, third, fourth] == [
        "TS202403001",
        "TS202403002",
        "TS202404001",
        "TS202404002",
    ]


def test_rejected_review_returns_to_the_handling_department(demo_app: App) -> None:
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.head", COMPLAINT)
    d.approve("csd.head", "triage")
    d.complete("prd.head", "handle", cause="未查明", solution="待定")
    d.reject("csd.head", "review", note="原因分析不充分")
    again = d.task("prd.head", "handle")
    view = d.instance(key)
    assert view["state"] == "running"
    assert [r["status"] for r in view["progress"]].count("已驳回") == 1
    assert again == max(r["task_id"] for r in view["progress"])


def test_missing_outputs_are_named_and_change_nothing(demo_app: App) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.head", COMPLAINT)
    d.approve("csd.head", "triage")
    task_id = d.ack("prd.head", "handle")
    before = snapshot(demo_app)
    with pytest.raises(MissingOutputsError) as error:
        d.do(task_id, Action.COMPLETE, "prd.head", outputs={"cause": "包装问题"})
    assert "solution" in error.value.message
    assert snapshot(demo_app) == before


def test_acting_on_someone_elses_task_or_in_the_wrong_state_fails_cleanly(demo_app: App) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.head", COMPLAINT)
    d.approve("csd.head", "triage")
    task_id = d.task("prd.head", "handle")
    before = snapshot(demo_app)
    with pytest.raises(NotFoundError):  # outside 物流部's scope: as if it did not exist
        d.do(task_id, Action.ACK, "log.head")
    with pytest.raises(ForbiddenError):  # the initiator sees it, but it is not theirs
        d.do(task_id, Action.ACK, "csd.head")
    with pytest.raises(ConflictError, match="resume"):
        d.do(task_id, Action.RESUME, "prd.head")
    with pytest.raises(InputError, match="complete"):
        d.do(task_id, Action.APPROVE, "prd.head")
    with pytest.raises(NotFoundError):
        d.do(999_999, Action.ACK, "prd.head")
    assert snapshot(demo_app) == before
    d.complete("prd.head", "handle", cause="x", solution="y")
    with pytest.raises(ConflictError, match="closed"):
        d.do(task_id, Action.COMPLETE, "prd.head", outputs={"cause": "x", "solution": "y"})


def test_only_initiating_departments_may_start(demo_app: App) -> None:
    d = Driver(demo_app)
    with pytest.raises(ForbiddenError, match="csd"):
        d.start("customer-complaint", "rnd.head", COMPLAINT)


BUDGET = {
    "title": "2025年度预算编制",
    "fiscal_year": 2025,
    "departments": ["mkt", "rnd", "prd"],
    "total_cap": 5_000_000,
    "growth_threshold": 0.5,
}


def submit_budgets(d: Driver, amounts: dict[str, int]) -> None:
    for code, amount in amounts.items():
        d.complete(
            f"{code}.head",
            "dept_budgets",
            budget_amount=amount,
            last_year_amount=int(amount * 0.9),
            budget_items="人员、设备、差旅",
        )


@pytest.mark.parametrize(("rnd_amount", "gm_needed"), [(900_000, False), (1_200_000, True)])
def test_budget_needs_the_general_manager_only_over_the_threshold(
    demo_app: App, rnd_amount: int, gm_needed: bool
) -> None:
    d = Driver(demo_app)
    key = d.start("annual-budget", "fin.head", BUDGET)
    submit_budgets(d, {"mkt": 800_000, "rnd": rnd_amount, "prd": 700_000})
    d.approve("vp.admin", "leader_approval")
    if gm_needed:
        d.approve("gm", "gm_approval")
    assert d.instance(key)["state"] == "running"  # waiting for the finance system (INT-2)
    timers.fire_due(demo_app, demo_app.now())  # the demo's finance system answers
    view = d.instance(key)
    assert view["state"] == "completed"
    assert ("gm_approval" in {e["data"].get("to") for e in view["timeline"]}) is gm_needed
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds.count("service_called") == kinds.count("ledger_updated") == 1


def test_multi_instance_gives_one_task_per_department_and_waits_for_all(demo_app: App) -> None:
    d = Driver(demo_app)
    key = d.start("annual-budget", "fin.head", BUDGET)
    ids = {code: d.task(f"{code}.head", "dept_budgets") for code in ("mkt", "rnd", "prd")}
    assert len(set(ids.values())) == 3
    submit_budgets(d, {"mkt": 800_000, "rnd": 900_000})
    assert "分管领导审批" not in str(d.instance(key)["progress"])
    submit_budgets(d, {"prd": 700_000})
    assert d.task("vp.admin", "leader_approval") > 0


def test_new_product_launch_reproduces_template_3_row(demo_app: App, clock: FixedClock) -> None:
    d = Driver(demo_app)
    form = {
        "title": "新产品A上市推进",
        "goal": "缩短上市周期30%",
        "collaborating_departments": ["rnd", "prd"],
    }
    key = d.start("new-product-launch", "mkt.head", form)
    d.complete("mkt.head", "n001")  # 001 需求提交 (S1)
    for code in ("rnd", "prd"):
        d.approve(f"{code}.head", "confirm_requirements")
    clock.set(datetime(2024, 3, 15, 10, 0, tzinfo=UTC))  # 18:00 in Shanghai
    d.approve("vp.market", "n002")
    clock.set(datetime(2024, 3, 19, 2, 0, tzinfo=UTC))  # 10:00 the next day after the deadline
    d.complete(
        "rnd.head",
        "n003",
        note="客户需求临时变更",
        plan_summary="方案初稿",
        deliverables={"研发方案": "docs/plan-v1.pdf"},
    )
    row = next(r for r in d.instance(key)["progress"] if r["node"] == "研发方案输出")
    assert key == "PROJ20240301"
    assert (row["department_name"], row["planned"], row["actual"]) == (
        "研发部",
        "2024-03-18 18:00",
        "2024-03-19 10:00",
    )
    assert (row["status"], row["delay_reason"]) == ("已完成(延迟16小时)", "客户需求临时变更")


def test_parallel_branches_join_once(demo_app: App, clock: FixedClock) -> None:
    d = Driver(demo_app)
    key = d.start(
        "new-product-launch", "mkt.head", {"title": "新产品B", "collaborating_departments": ["rnd"]}
    )
    d.complete("mkt.head", "n001")  # 001 需求提交 (S1)
    d.approve("rnd.head", "confirm_requirements")
    d.approve("vp.market", "n002")
    d.complete("rnd.head", "n003", plan_summary="方案", deliverables={"研发方案": "plan.pdf"})
    _finish_capacity(d)
    d.approve("leg.head", "legal_review")
    assert d.instance(key)["state"] == "running"
    _finish_sales(d)
    view = d.instance(key)
    assert view["state"] == "completed"
    assert [e["kind"] for e in view["timeline"]].count("joined") == 1


def _finish_capacity(d: Driver) -> None:
    from oaflow.services import queries

    task = as_dicts(
        d.app, queries.task_detail(d.app, who(d.app, "prd.head"), d.task("prd.head", "capacity"))
    )
    outputs = {name: "产能充足" for name in task["required_fields"]}
    deliverables = {name: "capacity.xlsx" for name in task["required_deliverables"]}
    d.complete("prd.head", "capacity", deliverables=deliverables, **outputs)


def _finish_sales(d: Driver) -> None:
    from oaflow.services import queries

    task = as_dicts(
        d.app,
        queries.task_detail(d.app, who(d.app, "sal.head"), d.task("sal.head", "sales_training")),
    )
    outputs = {name: "已完成培训" for name in task["required_fields"]}
    deliverables = {name: "training.pptx" for name in task["required_deliverables"]}
    d.complete("sal.head", "sales_training", deliverables=deliverables, **outputs)


def test_deadline_counts_working_hours_across_lunch(demo_app: App) -> None:

    Driver(demo_app).start("customer-complaint", "csd.head", COMPLAINT)  # Fri 09:00 Shanghai
    (task,) = tasks_of(demo_app, "csd.head")
    assert task["due_at"] == "2024-03-01 14:30"  # 4 working hours: 09:00-12:00, 13:30-14:30
    assert (task["sla"], task["remaining_hours"]) == ("on_track", 4.0)


def test_an_administrator_cancels_a_running_instance_with_a_reason(demo_app: App) -> None:
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.head", COMPLAINT)
    d.approve("csd.head", "triage")
    before = snapshot(demo_app)
    with pytest.raises(ForbiddenError):  # the initiator sees it, but may not cancel it
        runtime.cancel(demo_app, who(demo_app, "csd.head"), key, "客户撤诉")
    with pytest.raises(NotFoundError):  # outside their scope: not found
        runtime.cancel(demo_app, who(demo_app, "fin.head"), key, "客户撤诉")
    with pytest.raises(InputError) as blank:
        runtime.cancel(demo_app, who(demo_app, "admin"), key, "  ")
    assert blank.value.code == "instance.cancel_reason"
    assert snapshot(demo_app) == before

    runtime.cancel(demo_app, who(demo_app, "admin"), key, "客户撤诉")
    view = d.instance(key)
    assert view["state"] == "cancelled"
    called_off = [e for e in view["timeline"] if e["kind"] == "instance_called_off"]
    assert [(e["actor"], e["data"]["note"]) for e in called_off] == [("admin", "客户撤诉")]
    assert view["timeline"][-1]["kind"] == "instance_cancelled"
    assert not tasks_of(demo_app, "prd.head")  # the open handling task ended
    with pytest.raises(InputError) as again:
        runtime.cancel(demo_app, who(demo_app, "admin"), key, "again")
    assert again.value.code == "instance.cancel_not_running"
