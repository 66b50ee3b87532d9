"""Transfer, comment, urge and copy (APR-2) on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError, ForbiddenError, InputError
from oaflow.domain.states import Action
from oaflow.services import queries, runtime, timers
from oaflow.services.app import App

from .driver import COMPLAINT, Driver


def dispatched(app: App) -> tuple[Driver, int]:
    """A complaint whose handling task waits at 生产部 (prd.head)."""
    d = Driver(app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    return d, d.task("prd.head", "handle")


def timeline(app: App) -> list[str]:
    return [e["kind"] for e in queries.instance_detail(app, "TS202403001")["timeline"]]


def test_transfer_hands_the_task_over_and_restarts_its_acknowledgement_clock(
    demo_app: App, clock: FixedClock
) -> None:
    d, task_id = dispatched(demo_app)
    clock.advance(timedelta(hours=20))
    runtime.annotate(demo_app, task_id, Action.TRANSFER, "prd.head", ("prd.staff",), "请你来处理")
    assert queries.tasks_for(demo_app, "prd.head") == []
    (task,) = queries.tasks_for(demo_app, "prd.staff")
    assert (task["id"], task["state"], task["assignee_name"]) == (task_id, "pending", "杨丽")
    timers.tick(demo_app, clock, clock.now() + timedelta(hours=23))
    assert [m for m in queries.outbox(demo_app) if m["event"] == "ack_reminder"] == []
    timers.tick(demo_app, clock, clock.now() + timedelta(hours=2))  # 24 h after the transfer
    (reminder,) = [m for m in queries.outbox(demo_app) if m["event"] == "ack_reminder"]
    assert reminder["recipients"] == ["prd.staff"]
    assert "task_transferred" in timeline(demo_app)
    d.complete("prd.staff", "handle", cause="包装", solution="补发")


@pytest.mark.parametrize(
    ("actor", "to", "error", "text"),
    [
        ("prd.head", "prd.head", InputError, "oneself"),
        ("prd.head", "nobody", InputError, "no such active user"),
        ("log.head", "prd.staff", ForbiddenError, "not yours"),
    ],
)
def test_bad_transfers_change_nothing(
    demo_app: App, actor: str, to: str, error: type[Exception], text: str
) -> None:
    _, task_id = dispatched(demo_app)
    before = timeline(demo_app)
    with pytest.raises(error, match=text):
        runtime.annotate(demo_app, task_id, Action.TRANSFER, actor, (to,))
    assert timeline(demo_app) == before


def test_a_closed_task_cannot_be_transferred(demo_app: App) -> None:
    d, task_id = dispatched(demo_app)
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    with pytest.raises(ConflictError):
        runtime.annotate(demo_app, task_id, Action.TRANSFER, "prd.head", ("prd.staff",))


def test_comments_by_those_who_take_part_even_on_closed_tasks(demo_app: App) -> None:
    d, task_id = dispatched(demo_app)
    runtime.annotate(demo_app, task_id, Action.COMMENT, "prd.head", note="已安排质检复核")
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    runtime.annotate(demo_app, task_id, Action.COMMENT, "csd.staff", note="感谢及时处理")
    with pytest.raises(ForbiddenError):
        runtime.annotate(demo_app, task_id, Action.COMMENT, "log.head", note="路过")
    with pytest.raises(InputError, match="needs text"):
        runtime.annotate(demo_app, task_id, Action.COMMENT, "prd.head", note="  ")
    assert timeline(demo_app).count("task_commented") == 2


def test_urging_sends_a_reminder_now_at_most_once_an_hour(demo_app: App, clock: FixedClock) -> None:
    _, task_id = dispatched(demo_app)
    runtime.annotate(demo_app, task_id, Action.URGE, "csd.staff", note="客户很着急")
    (urge,) = queries.outbox(demo_app)
    assert (urge["event"], urge["recipients"], urge["data"]["note"]) == (
        "urge",
        ["prd.head"],
        "客户很着急",
    )
    clock.advance(timedelta(minutes=30))
    with pytest.raises(InputError, match="less than an hour"):
        runtime.annotate(demo_app, task_id, Action.URGE, "csd.staff")
    with pytest.raises(ForbiddenError, match="initiator"):
        runtime.annotate(demo_app, task_id, Action.URGE, "log.head")
    clock.advance(timedelta(minutes=31))
    runtime.annotate(demo_app, task_id, Action.URGE, "csd.staff")
    assert len(queries.outbox(demo_app)) == 2


def test_copying_informs_people_without_giving_them_a_task(demo_app: App) -> None:
    _, task_id = dispatched(demo_app)
    runtime.annotate(demo_app, task_id, Action.CC, "prd.head", ("vp.ops", "gm"), "质量问题抄送领导")
    (cc,) = queries.outbox(demo_app)
    assert (cc["event"], cc["recipients"]) == ("cc", ["vp.ops", "gm"])
    assert queries.tasks_for(demo_app, "vp.ops") == [] and queries.tasks_for(demo_app, "gm") == []
    with pytest.raises(InputError, match="nobody"):
        runtime.annotate(demo_app, task_id, Action.CC, "prd.head", ("nobody",))
