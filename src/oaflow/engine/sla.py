"""A task's SLA schedule and what a due check does (TIME-2..6, ADR 0003). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.definition import Node
from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.org import Organisation


@dataclass(frozen=True)
class SlaEvent:
    key: str  # stable within the task: ack1, ack2, ack_escalation, warn75, overdue, escalation1…
    at: datetime
    kind: str  # planned_start | ack_reminder | ack_escalation | deadline_warning | overdue | …
    level: int = 0  # escalation level (1-based), 0 otherwise


def schedule(node: Node, task: TaskRecord, calendar: WorkingCalendar) -> list[SlaEvent]:
    """Every SLA event of an open task, in time order. A task waiting for its planned date
    (``dispatched_at`` holds it) has one: its start; one waiting for its owner has none."""
    if task.state.value == "waiting":
        at = task.dispatched_at
        return [SlaEvent("start", at, "planned_start")] if at is not None else []
    sla, events = node.sla, []
    if task.acked_at is None:
        start = task.dispatched_at or task.created_at
        events += [
            SlaEvent("ack1", start + _hours(sla.remind_after), "ack_reminder"),
            SlaEvent("ack2", start + _hours(sla.remind_again_after), "ack_reminder"),
            SlaEvent("ack_escalation", start + _hours(sla.escalate_after), "ack_escalation"),
        ]
    if task.due_at is not None:
        events += [
            SlaEvent(
                f"warn{round(share * 100)}", _point(node, task, share, calendar), "deadline_warning"
            )
            for share in sla.warn_at
        ]
        events.append(SlaEvent("overdue", task.due_at, "overdue"))
        events += [
            SlaEvent(f"escalation{i}", task.due_at + _hours(level.after), "escalation", i)
            for i, level in enumerate(sla.escalation, start=1)
        ]
    return sorted(events, key=lambda e: (e.at, e.key))


def next_check(node: Node, task: TaskRecord, calendar: WorkingCalendar) -> datetime | None:
    """When the task's next unhandled SLA event is due; None for a closed or paused task."""
    if not task.is_open or task.paused_at is not None or task.state.value == "suspended":
        return None
    pending = [e.at for e in schedule(node, task, calendar) if e.key not in task.sla_fired]
    return min(pending, default=None)


def pause(task: TaskRecord, now: datetime) -> None:
    """Stop the task's SLA clock (suspended, or waiting on an external party)."""
    task.paused_at = task.paused_at or now
    task.check_at = None


def unpause(node: Node, task: TaskRecord, now: datetime, calendar: WorkingCalendar) -> None:
    """Start the clock again: the deadline moves by the paused time, so the time that was
    left when it stopped is left now (working time for working-hour limits)."""
    paused, task.paused_at = task.paused_at, None
    if paused is not None and task.due_at is not None and now > paused:
        task.due_at = _moved_deadline(node, task.due_at, paused, now, calendar)
    task.check_at = next_check(node, task, calendar)


def _moved_deadline(
    node: Node, due: datetime, paused: datetime, now: datetime, calendar: WorkingCalendar
) -> datetime:
    working = node.time_limit is not None and node.time_limit.basis == "working"
    left = calendar.working_hours_between(paused, due) if working else 0.0
    if working and left > 0 and not node.due_by_plan:
        return calendar.add_working_hours(now, left)
    return due + (now - paused)


def due_events(
    node: Node, task: TaskRecord, calendar: WorkingCalendar, now: datetime
) -> list[SlaEvent]:
    """The unhandled events due at or before ``now``, oldest first."""
    return [
        e for e in schedule(node, task, calendar) if e.at <= now and e.key not in task.sla_fired
    ]


def _point(node: Node, task: TaskRecord, share: float, calendar: WorkingCalendar) -> datetime:
    """When ``share`` of the task's time has been used."""
    assert task.due_at is not None
    limit = node.time_limit
    if limit is not None and limit.basis == "working" and not node.due_by_plan:
        return calendar.add_working_hours(task.created_at, limit.hours * share)
    return task.created_at + (task.due_at - task.created_at) * share


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def recipients(
    names: tuple[str, ...], task: TaskRecord, instance: InstanceRecord, org: Organisation
) -> tuple[str, ...]:
    """Logins for recipient names relative to the task (unresolvable names give nobody)."""
    found: list[str] = []
    for name in names:
        found += _resolve(name, task, instance, org)
    return tuple(dict.fromkeys(login for login in found if login))


def _resolve(name: str, task: TaskRecord, instance: InstanceRecord, org: Organisation) -> list[str]:
    kind, _, rest = name.partition(":")
    if kind == "user":
        return [rest] if rest in org.users else []
    if kind == "field":
        value = instance.data.get(rest)
        return [value] if isinstance(value, str) and value in org.users else []
    department = task.department or ""
    one = {
        "responsible_head": org.head_of(department),
        "responsible_leader": org.leader_of(department),
        "initiator": instance.initiator,
        "initiator_head": org.head_of(instance.department),
        "initiator_leader": org.leader_of(instance.department),
    }
    if name in one:
        return [one[name] or ""]
    if name == "responsible":
        return [task.assignee] if task.assignee else list(task.candidates)
    if name == "general_manager":
        return list(org.users_with_role("general_manager"))
    return []
