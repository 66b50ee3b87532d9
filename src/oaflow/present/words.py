"""Words for people: local times, state labels, the Template 3 status texts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from oaflow.domain import labels
from oaflow.domain.states import InstanceState, TaskState
from oaflow.domain.text import Text
from oaflow.services.views import ProgressRow, Sla, TaskSummary

UNKNOWN = Text("未知", "unknown")
EXCEPTION_STATES = {"open": Text("发现", "open")}


def local_time(at: datetime | None, tz: str) -> str | None:
    """``2024-03-18 18:00`` in the enterprise's time zone."""
    if at is None:
        return None
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def state_label(state: TaskState | InstanceState | Sla | str, lang: str) -> str:
    if isinstance(state, TaskState):
        return labels.TASK_STATES[state].get(lang)
    if isinstance(state, InstanceState):
        return labels.INSTANCE_STATES[state].get(lang)
    if isinstance(state, Sla):
        return labels.SLA_STATES[state.value].get(lang)
    return EXCEPTION_STATES.get(state, Text(state, state)).get(lang)


def event_label(kind: str, lang: str) -> str:
    """A history entry's kind as people read it."""
    found = labels.EVENTS.get(kind)
    return found.get(lang) if found else kind


def message_label(event: str, lang: str) -> str:
    """An outgoing message's event (NTF-1)."""
    return labels.MESSAGE_EVENTS.get(event, Text(event, event)).get(lang)


OUTBOX_STATES = {
    "pending": Text("待分发", "not routed yet"),
    "routed": Text("已分发", "routed"),
}


def outbox_status_label(status: str, lang: str) -> str:
    """An outbox message's status: routed to its deliveries by the worker, or not yet."""
    return OUTBOX_STATES.get(status, Text(status, status)).get(lang)


def delivery_status_label(status: str, lang: str) -> str:
    """A delivery's status (待发送 … 已放弃)."""
    return labels.DELIVERY_STATES.get(status, Text(status, status)).get(lang)


def hours(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def status_text(row: ProgressRow, lang: str) -> str:
    """``已完成(延迟16小时)``, ``已逾期(5小时)`` and the like (MON-1)."""
    label = state_label(row.state, lang)
    late = hours(row.delay_hours)
    if row.delay_hours <= 0 or row.state is TaskState.CANCELLED:
        return label
    if row.is_open:
        return f"已逾期({late}小时)" if lang == "zh" else f"overdue ({late} h)"
    return f"{label}(延迟{late}小时)" if lang == "zh" else f"{label} ({late} h late)"


def holder_text(task: TaskSummary, lang: str) -> str:
    """Who holds a task: ``张三 (代 李四)`` / ``Zhang San (for Li Si)`` for a deputy (ORG-3),
    the candidates when nobody has claimed it."""
    if task.assignee is None:
        return "、".join(p.name.get(lang) for p in task.candidates)
    name = task.assignee.name.get(lang)
    if task.on_behalf_of is None:
        return name
    person = task.on_behalf_of.name.get(lang)
    return f"{name} (代 {person})" if lang == "zh" else f"{name} (for {person})"
