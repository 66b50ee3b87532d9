"""The closed loop of an exception record (EXC-1..4): its states, the one table of allowed
steps, the record itself and its clock. Pure.

发现 (found: opened by a timer on an overdue task, or by hand by a participant) → 已上报
(reported: the responsible department submitted its 异常处理说明 — cause, expected resolution
time, resources needed — due within ``REPORT_HOURS`` working hours of discovery) → 处理中
(handling: the initiating department recorded the coordination's resolution — handling plan,
handler, new deadline) → 待验证 (verifying: the handler marked it resolved) → 已关闭 (closed:
verified). A failed verification sends it back to 处理中; a closed record can be reopened
(已重开) with a reason, and is coordinated or resolved again from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.errors import InvalidTransitionError
from oaflow.domain.text import Text

#: the responsible department's report is due this many working hours after discovery
REPORT_HOURS = 4.0
#: a reminder goes out when this many working hours of it are used
REPORT_REMINDER_HOURS = 2.0
PAST = timedelta(minutes=1)


class ExceptionState(StrEnum):
    FOUND = "found"  # 发现
    REPORTED = "reported"  # 已上报
    HANDLING = "handling"  # 处理中
    VERIFYING = "verifying"  # 待验证
    CLOSED = "closed"  # 已关闭
    REOPENED = "reopened"  # 已重开


class ExceptionStep(StrEnum):
    REPORT = "report"  # 提交异常处理说明 (the responsible department)
    COORDINATE = "coordinate"  # 协调决议: plan, handler, new deadline (the initiating department)
    RESOLVE = "resolve"  # 处理完成 (the handler)
    VERIFY = "verify"  # 验证通过 (the initiating department)
    REJECT = "reject"  # 验证不通过
    REOPEN = "reopen"  # 重新打开


OPEN_STATES = frozenset(s for s in ExceptionState if s is not ExceptionState.CLOSED)

S, A = ExceptionState, ExceptionStep
#: (state, step) -> the state after it; any other pair is refused
TRANSITIONS: dict[tuple[ExceptionState, ExceptionStep], ExceptionState] = {
    (S.FOUND, A.REPORT): S.REPORTED,
    (S.REPORTED, A.REPORT): S.REPORTED,  # amended before the coordination
    (S.REPORTED, A.COORDINATE): S.HANDLING,
    (S.HANDLING, A.COORDINATE): S.HANDLING,  # coordinated again: a new plan or deadline
    (S.REOPENED, A.COORDINATE): S.HANDLING,
    (S.HANDLING, A.RESOLVE): S.VERIFYING,
    (S.REOPENED, A.RESOLVE): S.VERIFYING,
    (S.VERIFYING, A.VERIFY): S.CLOSED,
    (S.VERIFYING, A.REJECT): S.HANDLING,
    (S.CLOSED, A.REOPEN): S.REOPENED,
}
del S, A

STATE_LABELS: dict[ExceptionState, Text] = {
    ExceptionState.FOUND: Text("发现", "found"),
    ExceptionState.REPORTED: Text("已上报", "reported"),
    ExceptionState.HANDLING: Text("处理中", "being handled"),
    ExceptionState.VERIFYING: Text("待验证", "to verify"),
    ExceptionState.CLOSED: Text("已关闭", "closed"),
    ExceptionState.REOPENED: Text("已重开", "reopened"),
}
STEP_LABELS: dict[ExceptionStep, Text] = {
    ExceptionStep.REPORT: Text("提交异常处理说明", "report submitted"),
    ExceptionStep.COORDINATE: Text("协调决议", "coordination resolved"),
    ExceptionStep.RESOLVE: Text("处理完成", "resolved"),
    ExceptionStep.VERIFY: Text("验证通过，已关闭", "verified and closed"),
    ExceptionStep.REJECT: Text("验证不通过", "verification failed"),
    ExceptionStep.REOPEN: Text("重新打开", "reopened"),
}

#: the steps as commands a person takes (buttons, hints)
STEP_WORDS: dict[ExceptionStep, Text] = {
    ExceptionStep.REPORT: Text("提交异常处理说明", "report"),
    ExceptionStep.COORDINATE: Text("协调决议", "coordinate"),
    ExceptionStep.RESOLVE: Text("处理完成", "resolve"),
    ExceptionStep.VERIFY: Text("验证通过", "verify"),
    ExceptionStep.REJECT: Text("验证不通过", "reject"),
    ExceptionStep.REOPEN: Text("重新打开", "reopen"),
}


def after(state: ExceptionState, step: ExceptionStep, code: str) -> ExceptionState:
    """The state ``step`` leads to from ``state``; refused when the table has no such pair."""
    found = TRANSITIONS.get((state, step))
    if found is None:
        allowed = [STEP_WORDS[s] for (st, s) in TRANSITIONS if st is state]
        raise InvalidTransitionError(
            "exception.wrong_state",
            code=code,
            state=STATE_LABELS[state],
            step=STEP_WORDS[step],
            allowed=allowed or [Text("无", "nothing")],
        )
    return found


@dataclass
class ExceptionRecord:
    """One exception record (Template 4, 异常处理记录表) and where its loop stands."""

    code: str
    instance_id: int
    task_id: int | None
    node_id: str
    description: str
    reporter: str  # 上报人: "system" when a timer found it
    reported_at: datetime  # 上报时间
    state: ExceptionState
    found_at: datetime
    department: str | None  # the responsible department
    report_due_at: datetime | None = None
    cause_category: str | None = None
    cause: str | None = None
    expected_at: datetime | None = None
    resources: str | None = None
    explained_by: str | None = None
    explained_at: datetime | None = None
    plan: str | None = None  # 处理方案
    handler: str | None = None  # 处理负责人
    planned_at: datetime | None = None  # planned completion: the coordinated deadline
    coordinated_by: str | None = None
    coordinated_at: datetime | None = None
    resolution: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None  # 处理完成时间
    verification: str | None = None  # 结果验证
    verified_by: str | None = None
    verified_at: datetime | None = None
    reopen_reason: str | None = None
    reopened: int = 0
    check_at: datetime | None = None
    sla_fired: tuple[str, ...] = ()
    version: int = 1
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass(frozen=True)
class ExceptionEvent:
    """A due event of a record's clock."""

    key: str  # stable within the record's round: report_reminder, report_overdue, handling…
    at: datetime
    kind: str  # exception_report_reminder | exception_report_overdue | exception_update


def report_due(found_at: datetime, calendar: WorkingCalendar) -> datetime:
    return calendar.add_working_hours(found_at, REPORT_HOURS)


def schedule(record: ExceptionRecord, calendar: WorkingCalendar) -> list[ExceptionEvent]:
    """The events of the record's clock in its present state: before the report, a reminder
    and, at the deadline, the escalation; while handled, the planned completion."""
    if record.state is ExceptionState.FOUND and record.report_due_at is not None:
        remind = calendar.add_working_hours(record.found_at, REPORT_REMINDER_HOURS)
        return [
            ExceptionEvent(
                "report_reminder", min(remind, record.report_due_at), "exception_report_reminder"
            ),
            ExceptionEvent("report_overdue", record.report_due_at, "exception_report_overdue"),
        ]
    if record.state in (ExceptionState.HANDLING, ExceptionState.REOPENED) and record.planned_at:
        key = f"handling_overdue@{record.planned_at.isoformat()}"  # anew for a new deadline
        # past the deadline: resolved at the very minute is on time
        return [ExceptionEvent(key, record.planned_at + PAST, "exception_update")]
    return []


def next_check(record: ExceptionRecord, calendar: WorkingCalendar) -> datetime | None:
    pending = [e.at for e in schedule(record, calendar) if e.key not in record.sla_fired]
    return min(pending, default=None)


def due_events(
    record: ExceptionRecord, calendar: WorkingCalendar, now: datetime
) -> list[ExceptionEvent]:
    return [e for e in schedule(record, calendar) if e.at <= now and e.key not in record.sla_fired]
