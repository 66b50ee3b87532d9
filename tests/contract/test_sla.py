"""The SLA clock on a real database: reminders, escalation, exceptions (TIME-2..5, TIME-7)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import InputError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.present.words import local_time
from oaflow.services import catalog, exception_views, runtime, timers
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, as_dicts, instance_view, outbox, sla_outbox, tasks_of, who


def at(local: str) -> datetime:
    return parse_instant(local)


def hourly(app: App, clock: FixedClock, start: str, end: str) -> None:
    """Tick every hour, as cron would run `oaflow tick --until now`."""
    moment, last = at(start), at(end)
    while moment <= last:
        timers.tick(app, clock, moment)
        moment += timedelta(hours=1)


def sent(app: App, event: str) -> list[dict[str, object]]:
    return [m for m in outbox(app) if m["event"] == event]


def start_quality_complaint(app: App, clock: FixedClock) -> Driver:
    d = Driver(app)
    clock.set(at("2024-03-04T09:00"))
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    clock.set(at("2024-03-04T10:00"))
    d.approve("csd.head", "triage")  # the handling task for 生产部 is dispatched at 10:00
    return d


def test_unacknowledged_task_is_reminded_twice_then_escalated_then_overdue(
    demo_app: App, clock: FixedClock
) -> None:
    start_quality_complaint(demo_app, clock)
    hourly(demo_app, clock, "2024-03-04T11:00", "2024-03-12T18:00")
    reminders = sent(demo_app, "ack_reminder")
    assert [(m["created_at"], m["recipients"]) for m in reminders] == [
        ("2024-03-05 10:00", ["prd.head"]),  # 24 h
        ("2024-03-05 22:00", ["prd.head"]),  # the second reminder, 36 h
    ]
    (escalation,) = sent(demo_app, "ack_escalation")
    assert escalation["created_at"] == "2024-03-06 10:00"  # 48 h
    # the initiating department's head, the responsible department's leader, the assignee
    assert escalation["recipients"] == ["csd.head", "vp.ops", "prd.head"]
    (warning,) = sent(demo_app, "deadline_warning")  # 75 % of 48 working hours
    assert warning["created_at"] == "2024-03-08 17:30"  # 6.5 + 4 x 7.5 = 36.5 h by Fri 18:00
    (overdue,) = sent(demo_app, "overdue")
    assert overdue["created_at"] == "2024-03-12 14:30"  # 48 working hours after 03-04 10:00
    (record,) = as_dicts(demo_app, exception_views.exceptions(demo_app, SYSTEM))
    assert (record["code"], record["business_key"], record["node"]) == (
        "ABN20240301",
        "TS202403001",
        "原因分析与处理",
    )
    assert (record["reported_at"], record["reporter"], record["state"]) == (
        "2024-03-12 14:30",
        None,  # the system: an overdue task
        "found",
    )
    (task,) = tasks_of(demo_app, "prd.head")
    assert (task["sla"], task["exception"]) == ("exception", "ABN20240301")
    assert len({m["message_id"] for m in sla_outbox(demo_app)}) == len(sla_outbox(demo_app))


def test_acknowledging_cancels_the_pending_reminders(demo_app: App, clock: FixedClock) -> None:
    d = start_quality_complaint(demo_app, clock)
    hourly(demo_app, clock, "2024-03-04T11:00", "2024-03-05T11:00")
    assert len(sent(demo_app, "ack_reminder")) == 1
    d.ack("prd.head", "handle")
    hourly(demo_app, clock, "2024-03-05T12:00", "2024-03-08T18:00")
    assert len(sent(demo_app, "ack_reminder")) == 1
    assert sent(demo_app, "ack_escalation") == []


def test_a_task_finished_before_its_reminder_gets_nothing(demo_app: App, clock: FixedClock) -> None:
    d = start_quality_complaint(demo_app, clock)
    clock.set(at("2024-03-05T10:00"))  # the very instant of the first reminder
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    hourly(demo_app, clock, "2024-03-05T10:00", "2024-03-13T18:00")
    handle_messages = [m for m in sla_outbox(demo_app) if m["node"] == "原因分析与处理"]
    assert handle_messages == []


def test_checks_missed_during_downtime_fire_once_on_restart(
    demo_app: App, clock: FixedClock
) -> None:
    start_quality_complaint(demo_app, clock)
    clock.set(at("2024-03-07T09:00"))  # the worker was down for three days
    assert timers.fire_due(demo_app, clock.now()) == 1  # one task, all its due events
    assert [m["event"] for m in sla_outbox(demo_app)] == [
        "ack_reminder",
        "ack_reminder",
        "ack_escalation",
    ]
    assert timers.fire_due(demo_app, clock.now()) == 0


CHAIN = """
key: chain-test
name: {zh: 升级链测试, en: Escalation chain test}
business_key: "CT{yyyy}{seq:03}"
nodes:
  - {id: start, type: initiate, name: {zh: 发起}, next: decide}
  - id: decide
    type: approval
    name: {zh: 部门审批, en: Department approval}
    assignee: {department: prd}
    time_limit: {hours: 4, basis: calendar}
    sla:
      acknowledge: {remind_after: 100, remind_again_after: 100, escalate_after: 100}
      warn_at: []
      escalation:
        - {after: 1, to: [responsible_leader], action: notify}
        - {after: 2, to: ["user:prd.staff"], action: reassign}
        - {after: 3, to: [general_manager], action: auto_approve}
    next: done
  - {id: done, type: end, name: {zh: 结束}}
"""


def test_escalation_chain_notifies_reassigns_then_auto_approves(
    demo_app: App, clock: FixedClock
) -> None:
    catalog.publish(demo_app, SYSTEM, CHAIN, "chain.yaml")
    clock.set(at("2024-03-04T09:00"))
    key = runtime.start(
        demo_app, who(demo_app, "csd.head"), "chain-test", {"title": "升级测试"}
    ).business_key
    timers.tick(demo_app, clock, at("2024-03-04T14:30"))  # due 13:00; levels at 14:00, 15:00, 16:00
    (level1,) = sent(demo_app, "escalation")
    assert level1["recipients"] == ["vp.ops"]
    timers.tick(demo_app, clock, at("2024-03-04T15:30"))
    (task,) = tasks_of(demo_app, "prd.staff")  # reassigned to the staff member
    assert tasks_of(demo_app, "prd.head") == []
    timers.tick(demo_app, clock, at("2024-03-04T16:30"))
    view = instance_view(demo_app, key)
    assert view["state"] == "completed"
    approved = [e for e in view["timeline"] if e["kind"] == "task_approved"]
    assert approved[0]["actor"] == "system" and "超时自动通过" in approved[0]["data"]["note"]
    assert task["node_id"] == "decide"


def test_person_can_still_act_on_an_overdue_task(demo_app: App, clock: FixedClock) -> None:
    d = start_quality_complaint(demo_app, clock)
    hourly(demo_app, clock, "2024-03-04T11:00", "2024-03-12T16:00")
    task_id = d.task("prd.head", "handle")
    d.do(task_id, Action.COMPLETE, "prd.head", outputs={"cause": "迟到", "solution": "补发"})
    assert d.task("csd.head", "review") > 0


def handle_task(app: App) -> dict[str, object]:
    (task,) = tasks_of(app, "prd.head")
    return task


def test_a_suspended_task_keeps_the_time_it_had_left(demo_app: App, clock: FixedClock) -> None:
    d = start_quality_complaint(demo_app, clock)
    clock.set(at("2024-03-04T12:00"))
    task_id = d.ack("prd.head", "handle")  # 2 of 48 working hours used
    d.do(task_id, Action.SUSPEND, "prd.head", note="等待质检报告")
    hourly(demo_app, clock, "2024-03-04T13:00", "2024-03-13T12:00")  # past the old deadline
    assert sla_outbox(demo_app) == []  # no warning, no exception while suspended
    d.do(task_id, Action.RESUME, "prd.head")
    expected = demo_app.calendar.add_working_hours(clock.now(), 46)
    assert handle_task(demo_app)["due_at"] == local_time(expected, demo_app.calendar.tz)
    assert handle_task(demo_app)["sla"] == "on_track"


def test_waiting_on_the_customer_stops_the_clock_when_the_node_allows(
    demo_app: App, clock: FixedClock
) -> None:
    d = start_quality_complaint(demo_app, clock)
    clock.set(at("2024-03-05T10:00"))  # 7.5 of 48 working hours used
    task_id = d.ack("prd.head", "handle")
    before = handle_task(demo_app)["due_at"]
    d.do(task_id, Action.PROGRESS, "prd.head", progress=30, note="等待客户提供照片", waiting=True)
    clock.set(at("2024-03-07T10:00"))  # the customer answers two working days later
    d.do(task_id, Action.PROGRESS, "prd.head", progress=60, note="已收到照片")
    assert before == "2024-03-12 14:30"
    assert handle_task(demo_app)["due_at"] == "2024-03-14 14:30"  # moved by 15 working hours
    kinds = [e["kind"] for e in instance_view(demo_app, "TS202403001")["timeline"]]
    assert kinds.count("sla_paused") == kinds.count("sla_resumed") == 1


def test_a_node_that_does_not_allow_waiting_refuses_it(demo_app: App, clock: FixedClock) -> None:
    d = start_quality_complaint(demo_app, clock)
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    task_id = d.ack("csd.head", "review")
    with pytest.raises(InputError, match="does not stop its clock"):
        d.do(task_id, Action.PROGRESS, "csd.head", progress=10, waiting=True)


POISON = """
key: poison-test
name: {zh: 失败检查测试}
business_key: "PT{yyyy}{seq:03}"
nodes:
  - {id: start, type: initiate, name: {zh: 发起}, next: decide}
  - id: decide
    type: approval
    name: {zh: 审批}
    assignee: {department: prd}
    time_limit: {hours: 1, basis: calendar}
    sla:
      acknowledge: {remind_after: 100, remind_again_after: 100, escalate_after: 100}
      warn_at: []
      escalation: [{after: 0, to: [general_manager], action: auto_approve}]
    next: legal
  - {id: legal, type: handle, name: {zh: 法务处理}, assignee: {department: leg},
     time_limit: {hours: 8}, next: done}
  - {id: done, type: end, name: {zh: 结束}}
"""


def test_a_failing_check_is_set_aside_and_the_others_still_fire(
    demo_app: App, clock: FixedClock
) -> None:
    from dataclasses import replace

    from oaflow.processes import demo_organisation
    from oaflow.services.organisation import store

    catalog.publish(demo_app, SYSTEM, POISON, "poison.yaml")
    clock.set(at("2024-03-04T09:00"))
    runtime.start(demo_app, who(demo_app, "csd.head"), "poison-test", {"title": "会失败"})
    start_quality_complaint(demo_app, clock)  # its handling task is reminded at 03-05 10:00
    org = demo_organisation()  # 法务部 loses its head: auto-approval cannot assign the next step
    store(
        demo_app,
        replace(
            org, departments={**org.departments, "leg": replace(org.departments["leg"], head=None)}
        ),
    )
    clock.set(at("2024-03-05T10:00"))
    assert timers.fire_due(demo_app, clock.now()) == 2  # the failing one (set aside), the reminder
    assert [m["event"] for m in sla_outbox(demo_app)] == ["ack_reminder"]
    (decide,) = tasks_of(demo_app, "prd.head")[:1]
    assert decide["node_id"] == "decide" and decide["state"] == "pending"
    assert timers.next_due(demo_app) == clock.now() + timers.RETRY_FAILED


def test_template_4_example_b_reported_by_hand(demo_app: App, clock: FixedClock) -> None:
    """The manual's example (b): ABN20240301 on PROJ20240301 · 研发方案输出, reported by
    市场部 on 2024-03-20 09:00 (its plan, completion and verification: the exceptions work)."""
    from oaflow.services.exceptions import open_exception

    d = Driver(demo_app)
    clock.set(at("2024-03-12T09:00"))
    key = d.start(
        "new-product-launch",
        "mkt.head",
        {"title": "新产品A上市推进", "collaborating_departments": ["rnd"]},
    )
    d.complete("mkt.head", "n001")  # 001 需求提交 (S1)
    d.approve("rnd.head", "confirm_requirements")
    clock.set(at("2024-03-15T18:00"))
    d.approve("vp.market", "n002")
    clock.set(at("2024-03-20T09:00"))
    code = open_exception(
        demo_app, who(demo_app, "mkt.head"), key, "n003", "研发方案未按计划提交，影响后续节点"
    )
    (record,) = as_dicts(demo_app, exception_views.exceptions(demo_app, SYSTEM))
    assert (code, record["business_key"], record["node"], record["department_name"]) == (
        "ABN20240301",
        "PROJ20240301",
        "研发方案输出",
        "研发部",
    )
    assert (record["reported_at"], record["reporter_department_name"]) == (
        "2024-03-20 09:00",
        "市场部",
    )
    (task,) = tasks_of(demo_app, "rnd.head")
    assert task["exception"] == "ABN20240301" and task["sla"] == "exception"
    with pytest.raises(InputError, match="not been reached"):
        open_exception(demo_app, who(demo_app, "mkt.head"), key, "capacity", "x")
