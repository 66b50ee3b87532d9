"""The closed loop of an exception record (EXC-1..4) through the services, on SQLite and
PostgreSQL, with the simulated clock: found by the timer on an overdue task, the report's
reminder and escalation on the 4-working-hour clock, reported by a participant, explained by
the responsible department, coordinated (the task's deadline and owner move in the same
transaction), resolved, a failed and a passed verification, reopened, closed again — and
every bad input refused with nothing changed.

A quality complaint (started by 客户服务部's 朱晨 csd.staff, triaged by its head 马丽娟 csd.head)
goes to 生产部 (prd.head 陈志强), which never acknowledges it: overdue 48 working hours after
2024-03-04 10:00, at 2024-03-12 14:30 (tests/contract/test_sla.py).
"""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from typing import Any

import pytest

from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    InvalidTransitionError,
    NotFoundError,
    OAFlowError,
    ValidationError,
)
from oaflow.domain.exception_loop import ExceptionState, ExceptionStep
from oaflow.domain.security import SYSTEM
from oaflow.services import catalog, exception_views, exceptions, queries, timers
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, outbox, tasks_of, who


def at(local: str) -> datetime:
    return parse_instant(local)


def state_of(app: App, code: str) -> tuple[ExceptionState, datetime | None, str | None]:
    r = exception_views.exception_detail(app, SYSTEM, code).record
    return r.state, r.planned_at, r.plan


def messages(app: App, event: str) -> list[tuple[str, list[str], str]]:
    return [
        (m["created_at"], m["recipients"], m["data"].get("note_zh", ""))
        for m in outbox(app)
        if m["event"] == event
    ]


def refused(app: App, code: str, call: Any, error: type[OAFlowError], what: str) -> None:
    """``call`` fails with ``error`` coded ``what`` and the record is as it was."""
    before = exception_views.exception_detail(app, SYSTEM, code)
    sent = len(outbox(app))
    with pytest.raises(error) as raised:
        call()
    assert raised.value.code == what
    assert exception_views.exception_detail(app, SYSTEM, code) == before
    assert len(outbox(app)) == sent


@pytest.fixture
def overdue(demo_app: App, clock: FixedClock) -> dict[str, Any]:
    """The complaint, its handling task overdue and its exception found by the timer."""
    d = Driver(demo_app)
    clock.set(at("2024-03-04T09:00"))
    key = d.start("customer-complaint", "csd.staff", COMPLAINT)
    clock.set(at("2024-03-04T10:00"))
    d.approve("csd.head", "triage")
    timers.tick(demo_app, clock, at("2024-03-12T15:00"))
    (record,) = exception_views.exceptions(demo_app, SYSTEM)
    return {"key": key, "code": record.code, "task": d.task("prd.head", "handle")}


def test_the_report_clock_reminds_at_two_and_escalates_at_four_working_hours(
    demo_app: App, clock: FixedClock, overdue: dict[str, Any]
) -> None:
    code = overdue["code"]
    record = exception_views.exception_detail(demo_app, SYSTEM, code).record
    assert (record.code, record.state, record.reporter) == ("ABN20240301", "found", None)
    assert record.found_at == at("2024-03-12T14:30")
    assert record.department is not None and record.department.code == "prd"
    # 4 working hours: 14:30 → 18:00 is 3.5, then 09:00 → 09:30 the next morning
    assert record.report_due_at == at("2024-03-13T09:30")
    timers.tick(demo_app, clock, at("2024-03-13T12:00"))
    assert messages(demo_app, "exception_report_reminder") == [
        ("2024-03-12 16:30", ["prd.head"], "异常处理说明应于 2024-03-13 09:30 前提交")
    ]
    (escalation,) = messages(demo_app, "exception_report_overdue")
    # the responsible head, their leader, the initiating head and the initiator
    assert escalation[:2] == ("2024-03-13 09:30", ["prd.head", "vp.ops", "csd.head", "csd.staff"])
    assert timers.tick(demo_app, clock, at("2024-03-18T18:00")) == 0  # fired once each
    # once the report is in, its clock stops
    exceptions.report(
        demo_app, who(demo_app, "prd.head"), code, "资源不足", "人手不足", at("2024-03-22T18:00")
    )
    assert exception_views.exception_detail(demo_app, SYSTEM, code).record.report_due_at
    assert exceptions.next_check(demo_app) is None


def test_the_whole_loop_with_every_bad_input_refused(
    demo_app: App, clock: FixedClock, overdue: dict[str, Any]
) -> None:
    app, key, code = demo_app, overdue["key"], overdue["code"]
    csd_head, prd_head = who(app, "csd.head"), who(app, "prd.head")

    # 上报: a participant of the initiating department reports it — the same record
    clock.set(at("2024-03-13T10:00"))
    assert exceptions.open_exception(app, csd_head, key, "handle", "超时未接收处理") == code
    record = exception_views.exception_detail(app, SYSTEM, code).record
    assert record.reporter is not None and record.reporter.login == "csd.head"
    assert record.reported_at == at("2024-03-13T10:00")
    assert record.found_at == at("2024-03-12T14:30")  # found by the timer
    refused(
        app,
        code,
        lambda: exceptions.open_exception(app, csd_head, key, "handle", "再报一次"),
        ConflictError,
        "exception.already_open",
    )

    # coordinating before the responsible department's report is out of order
    refused(
        app,
        code,
        lambda: exceptions.coordinate(
            app, csd_head, code, "方案", "prd.staff", at("2024-03-15T18:00")
        ),
        InvalidTransitionError,
        "exception.wrong_state",
    )
    # 异常处理说明: only the responsible department, a known cause, an expected time to come
    report = {"cause": "设备检修，人手不足", "expected_at": at("2024-03-15T12:00")}
    refused(
        app,
        code,
        lambda: exceptions.report(app, csd_head, code, "资源不足", **report),
        ForbiddenError,
        "exception.not_responsible",
    )
    refused(
        app,
        code,
        lambda: exceptions.report(app, prd_head, code, "天气原因", **report),
        InputError,
        "exception.unknown_cause",
    )
    refused(
        app,
        code,
        lambda: exceptions.report(
            app, prd_head, code, "资源不足", "设备检修", at("2024-03-12T12:00")
        ),
        InputError,
        "exception.time_past",
    )
    clock.set(at("2024-03-13T11:00"))
    exceptions.report(app, prd_head, code, "资源不足", resources="请客服部协助安抚客户", **report)
    assert state_of(app, code)[0] is ExceptionState.REPORTED

    # 协调: the initiating department sets the plan, the new owner and the new deadline
    clock.set(at("2024-03-13T14:00"))
    plan = "生产部指派专人48小时内完成原因分析"
    refused(
        app,
        code,
        lambda: exceptions.coordinate(
            app, prd_head, code, plan, "prd.staff", at("2024-03-15T18:00")
        ),
        ForbiddenError,
        "exception.not_initiating",
    )
    refused(
        app,
        code,
        lambda: exceptions.coordinate(
            app, csd_head, code, plan, "prd.staff", at("2024-03-13T09:00")
        ),
        InputError,
        "exception.time_past",
    )
    refused(
        app,
        code,
        lambda: exceptions.coordinate(app, csd_head, code, plan, "nobody", at("2024-03-15T18:00")),
        InputError,
        "exception.unknown_handler",
    )
    exceptions.coordinate(app, csd_head, code, plan, "prd.staff", at("2024-03-15T18:00"))
    assert state_of(app, code) == (ExceptionState.HANDLING, at("2024-03-15T18:00"), plan)
    # the task took the new deadline and owner in the same transaction; it is hers to take
    (task,) = tasks_of(app, "prd.staff")
    assert (task["id"], task["state"], task["due_at"]) == (
        overdue["task"],
        "pending",
        "2024-03-15 18:00",
    )
    assert tasks_of(app, "prd.head") == []
    assigned = [m for m in outbox(app) if m["event"] == "task_assigned"]
    assert assigned[-1]["recipients"] == ["prd.staff"]
    coordinated = messages(app, "exception_update")[-1]
    assert coordinated[0] == "2024-03-13 14:00" and "prd.staff" in coordinated[1]
    assert coordinated[2].startswith("协调决议：生产部指派专人48小时内完成原因分析；杨丽；")

    # verification before the resolution, by the wrong department: refused
    staff = who(app, "prd.staff")
    refused(
        app,
        code,
        lambda: exceptions.verify(app, csd_head, code, True, "已解决"),
        InvalidTransitionError,
        "exception.wrong_state",
    )
    clock.set(at("2024-03-14T16:00"))
    refused(
        app,
        code,
        lambda: exceptions.resolve(app, staff, code, " "),
        InputError,
        "exception.no_resolution",
    )
    exceptions.resolve(app, staff, code, "已完成原因分析并回复客户服务部")
    assert state_of(app, code)[0] is ExceptionState.VERIFYING
    refused(
        app,
        code,
        lambda: exceptions.verify(app, prd_head, code, True, "通过"),
        ForbiddenError,
        "exception.not_initiating",
    )
    # a failed verification sends it back; resolved again, verified, closed
    clock.set(at("2024-03-14T17:00"))
    exceptions.verify(app, csd_head, code, False, "缺少客户回访记录")
    assert state_of(app, code)[0] is ExceptionState.HANDLING
    clock.set(at("2024-03-15T10:00"))
    exceptions.resolve(app, staff, code, "补充客户回访记录")
    clock.set(at("2024-03-15T11:00"))
    exceptions.verify(app, csd_head, code, True, "客户确认满意")
    closed = exception_views.exception_detail(app, who(app, "csd.head"), code)
    assert closed.record.state is ExceptionState.CLOSED
    assert closed.record.resolved_at == at("2024-03-15T10:00")
    assert closed.record.verification == "客户确认满意"
    assert closed.may == (ExceptionStep.REOPEN,)
    # the result went to all parties (but the one who verified)
    result = messages(app, "exception_update")[-1]
    assert set(result[1]) == {"csd.staff", "prd.head", "prd.staff"}
    assert result[2] == "验证通过，已关闭：客户确认满意"

    # a report after closure is refused; a reopening needs a reason and the right department
    refused(
        app,
        code,
        lambda: exceptions.report(app, prd_head, code, "资源不足", **report),
        InvalidTransitionError,
        "exception.wrong_state",
    )
    refused(
        app,
        code,
        lambda: exceptions.reopen(app, csd_head, code, ""),
        InputError,
        "exception.no_reason",
    )
    refused(
        app,
        code,
        lambda: exceptions.reopen(app, staff, code, "客户再次投诉"),
        ForbiddenError,
        "exception.not_initiating",
    )
    clock.set(at("2024-03-18T09:00"))
    exceptions.reopen(app, csd_head, code, "客户再次投诉同一问题")
    assert state_of(app, code)[0] is ExceptionState.REOPENED
    clock.set(at("2024-03-18T15:00"))
    exceptions.resolve(app, staff, code, "更换包装供应商")
    exceptions.verify(app, csd_head, code, True, "一周内无同类投诉")
    final = exception_views.exception_detail(app, SYSTEM, code)
    assert final.record.state is ExceptionState.CLOSED and final.record.reopened == 1
    kinds = [e.kind for e in final.history]
    assert kinds == [
        "sla_overdue",  # the timers did not run after it here (the test above has them)
        "exception_confirmed",
        "exception_report",
        "deadline_moved",  # the task's, with the coordination
        "exception_coordinate",
        "exception_resolve",
        "exception_reject",
        "exception_resolve",
        "exception_verify",
        "exception_reopen",
        "exception_resolve",
        "exception_verify",
    ]
    # the instance's history chain holds them (SEC-4) and the instance shows the record
    assert [e.code for e in queries.instance_detail(app, SYSTEM, key).exceptions] == [code]


def test_a_handling_past_its_new_deadline_is_told(
    demo_app: App, clock: FixedClock, overdue: dict[str, Any]
) -> None:
    app, code = demo_app, overdue["code"]
    clock.set(at("2024-03-13T09:00"))
    exceptions.report(
        app, who(app, "prd.head"), code, "资源不足", "人手不足", at("2024-03-14T18:00")
    )
    exceptions.coordinate(
        app, who(app, "csd.head"), code, "本周内处理完毕", "prd.head", at("2024-03-14T18:00")
    )
    timers.tick(app, clock, at("2024-03-14T18:00"))
    assert [m for m in messages(app, "exception_update") if "计划" in m[2]] == []
    timers.tick(app, clock, at("2024-03-14T18:05"))
    (late,) = [m for m in messages(app, "exception_update") if "计划" in m[2]]
    assert late[0] == "2024-03-14 18:01" and late[2] == "处理已超过计划完成时间"
    assert late[1][0] == "prd.head" and "csd.head" in late[1]


def test_a_record_out_of_scope_is_answered_like_a_missing_one(
    demo_app: App, overdue: dict[str, Any]
) -> None:
    outsider = who(demo_app, "log.head")
    for code in (overdue["code"], "ABN20991299"):
        with pytest.raises(NotFoundError) as raised:
            exception_views.exception_detail(demo_app, outsider, code)
        assert (raised.value.code, raised.value.fault.params) == (
            "exception.not_found",
            {"code": code},
        )
        with pytest.raises(NotFoundError) as raised:
            exceptions.resolve(demo_app, outsider, code, "x")
        assert raised.value.code == "exception.not_found"
    assert exception_views.exceptions(demo_app, outsider) == []


def test_the_people_the_process_names_verify_and_reopen_too(
    demo_app: App, clock: FixedClock
) -> None:
    """EXC-4: "the initiating department (or whoever the process names) verifies" — here
    the responsible department's supervising leader (韩振宇 vp.ops for 生产部)."""
    app = demo_app
    text = (files("oaflow.processes") / "customer-complaint.yaml").read_text(encoding="utf-8")
    named = text.replace(
        "\ninitiators:", "\nexception_verifiers: [responsible_leader]\ninitiators:"
    )
    assert named != text
    with pytest.raises(ValidationError) as bad:
        catalog.publish(app, SYSTEM, named.replace("responsible_leader]", "nobody]"), "x.yaml")
    assert [p.code for p in bad.value.problems] == ["definition.sla.bad_recipient"]
    catalog.publish(app, SYSTEM, named, "customer-complaint.yaml")
    d = Driver(app)
    clock.set(at("2024-03-04T09:00"))
    key = d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    code = exceptions.open_exception(app, who(app, "csd.head"), key, "handle", "未按时处理")
    later = at("2024-03-06T18:00")
    exceptions.report(app, who(app, "prd.head"), code, "资源不足", "人手不足", later)
    exceptions.coordinate(app, who(app, "csd.head"), code, "加派人手", "prd.head", later)
    exceptions.resolve(app, who(app, "prd.head"), code, "已处理")
    leader = who(app, "vp.ops")
    assert exception_views.exception_detail(app, leader, code).may == (
        ExceptionStep.VERIFY,
        ExceptionStep.REJECT,
    )
    refused(
        app,
        code,
        lambda: exceptions.verify(app, who(app, "prd.head"), code, True, "好"),
        ForbiddenError,
        "exception.not_initiating",
    )
    exceptions.verify(app, leader, code, True, "分管领导验证通过")
    record = exception_views.exception_detail(app, leader, code)
    assert record.record.state is ExceptionState.CLOSED and record.may == (ExceptionStep.REOPEN,)
    assert record.record.verified_by is not None and record.record.verified_by.login == "vp.ops"
