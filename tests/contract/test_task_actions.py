"""Transfer, comment, urge and copy (APR-2) on a real database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import queries, runtime, timers
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, as_dicts, instance_view, sla_outbox, tasks_of, who


def dispatched(app: App) -> tuple[Driver, int]:
    """A complaint whose handling task waits at 生产部 (prd.head)."""
    d = Driver(app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    return d, d.task("prd.head", "handle")


def timeline(app: App) -> list[str]:
    return [e["kind"] for e in instance_view(app, "TS202403001")["timeline"]]


def test_transfer_hands_the_task_over_and_restarts_its_acknowledgement_clock(
    demo_app: App, clock: FixedClock
) -> None:
    d, task_id = dispatched(demo_app)
    clock.advance(timedelta(hours=20))
    runtime.annotate(
        demo_app, who(demo_app, "prd.head"), task_id, Action.TRANSFER, ("prd.staff",), "请你来处理"
    )
    assert tasks_of(demo_app, "prd.head") == []
    (task,) = tasks_of(demo_app, "prd.staff")
    assert (task["id"], task["state"], task["assignee_name"]) == (task_id, "pending", "杨丽")
    timers.tick(demo_app, clock, clock.now() + timedelta(hours=23))
    assert [m for m in sla_outbox(demo_app) if m["event"] == "ack_reminder"] == []
    timers.tick(demo_app, clock, clock.now() + timedelta(hours=2))  # 24 h after the transfer
    (reminder,) = [m for m in sla_outbox(demo_app) if m["event"] == "ack_reminder"]
    assert reminder["recipients"] == ["prd.staff"]
    assert "task_transferred" in timeline(demo_app)
    d.complete("prd.staff", "handle", cause="包装", solution="补发")


@pytest.mark.parametrize(
    ("actor", "to", "error", "text"),
    [
        ("prd.head", "prd.head", InputError, "oneself"),
        ("prd.head", "nobody", InputError, "no such active user"),
        ("log.head", "prd.staff", NotFoundError, "does not exist"),  # outside their scope
        ("csd.staff", "prd.staff", ForbiddenError, "not yours"),  # the initiator's, not theirs
    ],
)
def test_bad_transfers_change_nothing(
    demo_app: App, actor: str, to: str, error: type[Exception], text: str
) -> None:
    _, task_id = dispatched(demo_app)
    before = timeline(demo_app)
    with pytest.raises(error, match=text):
        runtime.annotate(demo_app, who(demo_app, actor), task_id, Action.TRANSFER, (to,))
    assert timeline(demo_app) == before


def test_a_closed_task_cannot_be_transferred(demo_app: App) -> None:
    d, task_id = dispatched(demo_app)
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    with pytest.raises(ConflictError):
        runtime.annotate(
            demo_app, who(demo_app, "prd.head"), task_id, Action.TRANSFER, ("prd.staff",)
        )


def test_comments_by_those_who_take_part_even_on_closed_tasks(demo_app: App) -> None:
    d, task_id = dispatched(demo_app)
    runtime.annotate(
        demo_app, who(demo_app, "prd.head"), task_id, Action.COMMENT, note="已安排质检复核"
    )
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    runtime.annotate(
        demo_app, who(demo_app, "csd.staff"), task_id, Action.COMMENT, note="感谢及时处理"
    )
    with pytest.raises(NotFoundError):  # 物流部 took no part: the task is not theirs to see
        runtime.annotate(demo_app, who(demo_app, "log.head"), task_id, Action.COMMENT, note="路过")
    with pytest.raises(ForbiddenError):  # the supervising leader sees it, but takes no part
        runtime.annotate(demo_app, who(demo_app, "vp.ops"), task_id, Action.COMMENT, note="看看")
    with pytest.raises(InputError, match="needs text"):
        runtime.annotate(demo_app, who(demo_app, "prd.head"), task_id, Action.COMMENT, note="  ")
    assert timeline(demo_app).count("task_commented") == 2


def test_urging_sends_a_reminder_now_at_most_once_an_hour(demo_app: App, clock: FixedClock) -> None:
    _, task_id = dispatched(demo_app)
    runtime.annotate(demo_app, who(demo_app, "csd.staff"), task_id, Action.URGE, note="客户很着急")
    (urge,) = sla_outbox(demo_app)
    assert (urge["event"], urge["recipients"], urge["data"]["note"]) == (
        "urge",
        ["prd.head"],
        "客户很着急",
    )
    clock.advance(timedelta(minutes=30))
    with pytest.raises(InputError, match="less than an hour"):
        runtime.annotate(demo_app, who(demo_app, "csd.staff"), task_id, Action.URGE)
    with pytest.raises(ForbiddenError, match="initiator"):  # sees it, but did not start it
        runtime.annotate(demo_app, who(demo_app, "prd.head"), task_id, Action.URGE)
    clock.advance(timedelta(minutes=31))
    runtime.annotate(demo_app, who(demo_app, "csd.staff"), task_id, Action.URGE)
    assert len(sla_outbox(demo_app)) == 2


def test_copying_informs_people_without_giving_them_a_task(demo_app: App) -> None:
    _, task_id = dispatched(demo_app)
    runtime.annotate(
        demo_app,
        who(demo_app, "prd.head"),
        task_id,
        Action.CC,
        ("vp.ops", "gm"),
        "质量问题抄送领导",
    )
    (cc,) = sla_outbox(demo_app)
    assert (cc["event"], cc["recipients"]) == ("cc", ["vp.ops", "gm"])
    assert tasks_of(demo_app, "vp.ops") == [] and tasks_of(demo_app, "gm") == []
    with pytest.raises(InputError, match="nobody"):
        runtime.annotate(demo_app, who(demo_app, "prd.head"), task_id, Action.CC, ("nobody",))


def test_return_lists_reached_earlier_steps_and_goes_back_to_one(demo_app: App) -> None:
    d, task_id = dispatched(demo_app)
    d.complete("prd.head", "handle", cause="未查清", solution="待定")
    review = d.task("csd.head", "review")
    detail = as_dicts(demo_app, queries.task_detail(demo_app, who(demo_app, "csd.head"), review))
    assert [n["node_id"] for n in detail["returnable"]] == ["triage", "handle"]
    d.do(review, Action.RETURN, "csd.head", target="handle", note="原因分析不充分，请补充")
    again = d.task("prd.head", "handle")
    assert again != task_id
    assert timeline(demo_app)[-3:] == ["task_returned", "returned_to", "task_created"]
    with pytest.raises(InputError, match="reached"):
        d.do(again, Action.RETURN, "prd.head", target="reply")  # later, never reached


def test_return_from_a_parallel_branch_to_before_the_fork_cancels_the_other_branch(
    demo_app: App,
) -> None:
    d = Driver(demo_app)
    key = d.start(
        "new-product-launch", "mkt.head", {"title": "新产品C", "collaborating_departments": ["rnd"]}
    )
    d.complete("mkt.head", "n001")  # 001 需求提交 (S1)
    d.approve("rnd.head", "confirm_requirements")
    d.approve("vp.market", "n002")
    d.complete("rnd.head", "n003", plan_summary="方案", deliverables={"研发方案": "v1.pdf"})
    d.complete("prd.head", "capacity")
    legal = d.task("leg.head", "legal_review")
    d.do(legal, Action.RETURN, "leg.head", target="n003", note="上市材料与方案不一致")
    view = instance_view(demo_app, key)
    states = {r["node"]: r["status"] for r in view["progress"] if r["node"] == "销售培训"}
    assert states == {"销售培训": "已取消"}
    assert d.task("rnd.head", "n003") > 0  # n003 again; after it, both branches start anew
    d.complete("rnd.head", "n003", plan_summary="方案V2", deliverables={"研发方案": "v2.pdf"})
    d.complete("prd.head", "capacity")
    d.approve("leg.head", "legal_review")
    d.complete("sal.head", "sales_training")
    view = instance_view(demo_app, key)
    assert view["state"] == "completed"
    assert [e["kind"] for e in view["timeline"]].count("joined") == 1


def test_the_initiator_withdraws_only_while_nobody_else_has_acted(demo_app: App) -> None:
    d = Driver(demo_app)
    first = d.start("customer-complaint", "csd.staff", COMPLAINT)
    with pytest.raises(ForbiddenError, match="initiator"):
        runtime.withdraw(demo_app, who(demo_app, "csd.head"), first)
    instance = runtime.withdraw(demo_app, who(demo_app, "csd.staff"), first)
    assert instance.state.value == "cancelled"
    assert tasks_of(demo_app, "csd.head") == []
    second = d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.ack("csd.head", "triage")
    with pytest.raises(InputError, match="acted on"):
        runtime.withdraw(demo_app, who(demo_app, "csd.staff"), second)


def test_batch_approve_reports_each_item_and_a_failure_leaves_the_others(demo_app: App) -> None:
    d = Driver(demo_app)
    for _ in range(3):
        d.start("customer-complaint", "csd.staff", COMPLAINT)
    ids = [t["id"] for t in tasks_of(demo_app, "csd.head")]
    head = who(demo_app, "csd.head")
    with pytest.raises(InputError) as refused:  # an unknown id refuses the whole batch
        runtime.approve_batch(demo_app, head, [ids[0], 999_999, ids[1]], "同意受理")
    assert refused.value.code == "batch.refused" and "999999" in refused.value.text("en")
    assert [t["id"] for t in tasks_of(demo_app, "csd.head")] == ids  # nothing was approved
    results = runtime.approve_batch(demo_app, head, [ids[0], ids[1], ids[1]], "同意受理")
    assert [(r.task_id, r.ok) for r in results] == [(ids[0], True), (ids[1], True)]
    with pytest.raises(InputError) as closed:  # approved already: refused before anything
        runtime.approve_batch(demo_app, head, [ids[0], ids[2]], "同意")
    assert "is approved" in closed.value.text("en")
    assert [t["id"] for t in tasks_of(demo_app, "csd.head")] == [ids[2]]


def test_a_batch_item_changed_by_someone_else_meanwhile_fails_alone(demo_app: App) -> None:
    """Checked as a whole first; a race while applying gives that item its own result."""
    from oaflow.services import batch

    d = Driver(demo_app)
    for _ in range(2):
        d.start("customer-complaint", "csd.staff", COMPLAINT)
    ids = [t["id"] for t in tasks_of(demo_app, "csd.head")]
    head = who(demo_app, "csd.head")

    def approve(task_id: int) -> Any:
        if task_id == ids[0]:  # someone got there first, between the check and the write
            d.do(task_id, Action.APPROVE, "csd.head")
        return runtime.act(demo_app, head, task_id, Command(Action.APPROVE, "csd.head"))

    results = batch.approve_batch(demo_app, head, ids, approve)
    assert [(r.task_id, r.ok) for r in results] == [(ids[0], False), (ids[1], True)]
    assert results[0].error is not None and results[0].error.kind == "conflict"


def review_waiting(app: App) -> tuple[Driver, int]:
    """A complaint at its review step (csd.head), after 生产部 handled it."""
    d, _ = dispatched(app)
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    return d, d.task("csd.head", "review")


def add(app: App, task_id: int, signer: str, position: str, actor: str = "csd.head") -> None:
    runtime.annotate(app, who(app, actor), task_id, Action.ADD_SIGNER, (signer,), position)


def test_a_signer_added_before_decides_first(demo_app: App) -> None:
    d, review = review_waiting(demo_app)
    add(demo_app, review, "vp.market", "before")
    with pytest.raises(InputError, match="is waiting for"):
        d.do(review, Action.APPROVE, "csd.head")
    d.approve("vp.market", "review", "同意")
    d.do(review, Action.APPROVE, "csd.head")
    assert d.task("csd.staff", "reply") > 0
    assert timeline(demo_app).count("signer_added") == 1


def test_a_signer_added_after_decides_last(demo_app: App) -> None:
    d, review = review_waiting(demo_app)
    add(demo_app, review, "vp.market", "after")
    d.do(review, Action.APPROVE, "csd.head")
    assert tasks_of(demo_app, "csd.staff") == []  # not past the step yet
    d.approve("vp.market", "review")
    assert d.task("csd.staff", "reply") > 0


def test_a_rejecting_added_signer_rejects_the_step(demo_app: App) -> None:
    d, review = review_waiting(demo_app)
    add(demo_app, review, "vp.market", "before")
    d.reject("vp.market", "review", "处理不充分")
    assert tasks_of(demo_app, "csd.head") == []  # the approver's task is withdrawn
    assert d.task("prd.head", "handle") > 0  # the review's on_reject: back to handling


@pytest.mark.parametrize(
    ("signer", "actor", "error"),
    [
        ("csd.head", "csd.head", InputError),
        ("nobody", "csd.head", InputError),
        ("vp.market", "prd.head", ForbiddenError),
    ],
)
def test_bad_signers_change_nothing(
    demo_app: App, signer: str, actor: str, error: type[Exception]
) -> None:
    _, review = review_waiting(demo_app)
    before = timeline(demo_app)
    with pytest.raises(error):
        add(demo_app, review, signer, "before", actor)
    assert timeline(demo_app) == before


def test_an_administrator_moves_someones_open_tasks(demo_app: App) -> None:
    d = Driver(demo_app)
    for _ in range(2):
        d.start("customer-complaint", "csd.staff", COMPLAINT)
        d.approve("csd.head", "triage")
    moved = runtime.move_open_tasks(demo_app, who(demo_app, "admin"), "prd.head", "prd.staff")
    assert len(moved) == 2
    assert tasks_of(demo_app, "prd.head") == []
    assert sorted(t["id"] for t in tasks_of(demo_app, "prd.staff")) == sorted(moved)
    events = instance_view(demo_app, "TS202403001")["timeline"]
    (reassigned,) = [e for e in events if e["kind"] == "task_reassigned"]
    assert (reassigned["actor"], reassigned["data"]["after"]) == ("admin", "prd.staff")
    with pytest.raises(ForbiddenError, match="administrator"):
        runtime.move_open_tasks(demo_app, who(demo_app, "prd.head"), "prd.staff", "prd.head")
    with pytest.raises(InputError, match="no such active user"):
        runtime.move_open_tasks(demo_app, who(demo_app, "admin"), "prd.staff", "nobody")
    assert len(tasks_of(demo_app, "prd.staff")) == 2  # the refused moves changed nothing


def test_return_into_a_multi_instance_step_opens_a_new_round_for_every_department(
    demo_app: App,
) -> None:
    d = Driver(demo_app)
    form = {
        "title": "预算",
        "fiscal_year": 2025,
        "departments": ["mkt", "rnd"],
        "total_cap": 9e6,
        "growth_threshold": 0.5,
    }
    key = d.start("annual-budget", "fin.head", form)
    amounts = {"budget_amount": 500_000, "last_year_amount": 480_000, "budget_items": "差旅"}
    for code in ("mkt", "rnd"):
        d.complete(f"{code}.head", "dept_budgets", **amounts)
    leader = d.task("vp.admin", "leader_approval")
    d.do(leader, Action.RETURN, "vp.admin", target="dept_budgets", note="请细化预算明细")
    rows = [r for r in instance_view(demo_app, key)["progress"] if r["node"] == "各部门提交预算"]
    assert len(rows) == 4 and [r["actual"] is None for r in rows].count(True) == 2  # a new round
    for code in ("mkt", "rnd"):
        d.complete(f"{code}.head", "dept_budgets", **{**amounts, "budget_items": "差旅、培训"})
    d.approve("vp.admin", "leader_approval")
    timers.fire_due(demo_app, demo_app.now())  # the demo's finance system answers (INT-2)
    assert instance_view(demo_app, key)["state"] == "completed"


def test_a_suspended_task_moved_by_an_administrator_stays_suspended(demo_app: App) -> None:
    """A move goes through the transition table (REASSIGN): the new assignee finds it
    suspended, resumes it when the work can go on, and acknowledges it then."""
    d, task_id = dispatched(demo_app)
    d.do(task_id, Action.SUSPEND, "prd.head", note="等客户回复")
    assert runtime.move_open_tasks(demo_app, who(demo_app, "admin"), "prd.head", "prd.staff") == [
        task_id
    ]
    (task,) = tasks_of(demo_app, "prd.staff")
    assert (task["id"], task["state"]) == (task_id, "suspended")
    d.do(task_id, Action.RESUME, "prd.staff")
    assert tasks_of(demo_app, "prd.staff")[0]["state"] == "pending"
    d.complete("prd.staff", "handle", cause="包装", solution="补发")
