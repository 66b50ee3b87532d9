"""The `sla` settings: format, validation and the pure schedule (TIME-2..5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oaflow.domain.definition import OrgNames, Sla
from oaflow.domain.errors import ValidationError
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.model import TaskRecord
from oaflow.domain.states import TaskState
from oaflow.domain.validate import check_definition
from oaflow.engine.sla import due_events, next_check, schedule

BASE = """\
key: sla-test
name: {zh: 测试}
business_key: "T{yyyy}{seq:03}"
form:
  - {name: lead, type: user}
  - {name: note, type: text}
nodes:
  - {id: start, type: initiate, name: {zh: 发起}, next: work}
  - id: work
    type: handle
    name: {zh: 处理}
    assignee: {department: prd}
    time_limit: {hours: 8}
    sla: SLA
    next: done
  - {id: done, type: end, name: {zh: 结束}}
"""
ORG = OrgNames(departments=frozenset({"prd"}), users=frozenset({"gm", "prd.head"}))
CALENDAR = china_calendar([2024])


def load(sla: str) -> Sla:
    return check_definition(BASE.replace("SLA", sla), "t.yaml", ORG).node("work").sla


def problems(sla: str) -> list[str]:
    with pytest.raises(ValidationError) as error:
        check_definition(BASE.replace("SLA", sla), "t.yaml", ORG)
    return [str(p) for p in error.value.problems]


def test_defaults_are_24_36_48_hours_and_a_warning_at_three_quarters() -> None:
    sla = check_definition(BASE.replace("    sla: SLA\n", ""), "t.yaml", ORG).node("work").sla
    assert (sla.remind_after, sla.remind_again_after, sla.escalate_after) == (24, 36, 48)
    assert sla.escalate_to == ("initiator_head", "responsible_leader")
    assert sla.warn_at == (0.75,)


def test_a_full_sla_is_read() -> None:
    sla = load(
        "{acknowledge: {remind_after: 4, remind_again_after: 8, escalate_after: 12, "
        'escalate_to: [responsible_head, "user:gm"]}, warn_at: [0.5, 0.9], '
        'escalation: [{after: 0, to: ["field:lead"]}, {after: 24, to: [general_manager], '
        "action: auto_reject}]}"
    )
    assert (sla.remind_after, sla.escalate_after, sla.escalate_to) == (
        4,
        12,
        ("responsible_head", "user:gm"),
    )
    assert sla.warn_at == (0.5, 0.9)
    assert [(e.after, e.to, e.action) for e in sla.escalation] == [
        (0, ("field:lead",), "notify"),
        (24, ("general_manager",), "auto_reject"),
    ]


@pytest.mark.parametrize(
    ("sla", "expected"),
    [
        ("{escalation: [{after: 2, to: [boss]}]}", "unknown recipient `boss`"),
        ("{warn_at: [1.5]}", "between 0 and 1"),
        ("{acknowledge: {remind_after: 30, escalate_after: 10}}", "reminders must come before"),
        ("{escalation: [{after: 5, to: [initiator]}, {after: 1, to: [initiator]}]}", "in order"),
        ("{escalation: [{after: 1, to: [initiator], action: fire}]}", "action"),
        ("{acknowledge: {remind_after: -1}}", "0 to 8760"),
        ('{escalation: [{after: 1, to: ["user:nobody"]}]}', "unknown user `nobody`"),
        ('{escalation: [{after: 1, to: ["field:note"]}]}', "not a user field"),
        ("{escalation: [{after: 1}]}", "to"),
    ],
)
def test_bad_sla_settings_are_reported_with_their_line(sla: str, expected: str) -> None:
    found = problems(sla)
    assert any(expected in p and p.startswith("t.yaml:") for p in found), found


def task(created: datetime, due: datetime, acked: bool = False) -> TaskRecord:
    return TaskRecord(
        instance_id=1,
        node_id="work",
        round=1,
        state=TaskState.PENDING,
        created_at=created,
        due_at=due,
        acked_at=created if acked else None,
        id=7,
    )


MONDAY_10 = datetime(2024, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_schedule_of_an_unacknowledged_task() -> None:
    node = check_definition(BASE.replace("    sla: SLA\n", ""), "t.yaml", ORG).node("work")
    due = CALENDAR.add_working_hours(MONDAY_10, 8)
    events = schedule(node, task(MONDAY_10, due), CALENDAR)
    assert [(e.key, e.at - MONDAY_10) for e in events] == [
        ("warn75", timedelta(hours=7, minutes=30)),  # 6 working hours: 10:00-12:00, 13:30-17:30
        ("ack1", timedelta(hours=24)),
        ("overdue", timedelta(hours=24, minutes=30)),  # 8 working hours: 6.5 on Monday, Tue 10:30
        ("ack2", timedelta(hours=36)),
        ("ack_escalation", timedelta(hours=48)),
    ]
    assert next_check(node, task(MONDAY_10, due), CALENDAR) == MONDAY_10 + timedelta(
        hours=7, minutes=30
    )
    acked = task(MONDAY_10, due, acked=True)
    assert [e.key for e in schedule(node, acked, CALENDAR)] == ["warn75", "overdue"]
    assert [e.key for e in due_events(node, acked, CALENDAR, due)] == ["warn75", "overdue"]
    acked.sla_fired = ("warn75", "overdue")
    assert next_check(node, acked, CALENDAR) is None
    acked.state = TaskState.DONE
    assert next_check(node, task(MONDAY_10, due), CALENDAR) is not None
    assert next_check(node, acked, CALENDAR) is None
