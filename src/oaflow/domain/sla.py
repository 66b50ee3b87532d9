"""The SLA countdown of a task: time left and on-track / at-risk / overdue (TIME-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.definition import Node

AT_RISK_SHARE = 0.25  # at risk when less than a quarter of the time limit is left


@dataclass(frozen=True)
class Countdown:
    state: str  # on_track | at_risk | overdue | none
    remaining_hours: float | None  # working or calendar hours, per the node; negative: late


def countdown(
    node: Node, created: datetime, due: datetime | None, now: datetime, calendar: WorkingCalendar
) -> Countdown:
    if due is None:
        return Countdown("none", None)
    working = node.time_limit is not None and node.time_limit.basis == "working"
    span = calendar.working_hours_between if working else _calendar_hours
    remaining = span(now, due)
    if remaining < 0 or now > due:
        return Countdown("overdue", min(remaining, 0.0))
    total = span(created, due)
    at_risk = total > 0 and remaining < AT_RISK_SHARE * total
    return Countdown("at_risk" if at_risk else "on_track", remaining)


def _calendar_hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def delay_hours(due: datetime | None, finished: datetime | None) -> float:
    """Calendar hours a task finished after its deadline (0 when on time)."""
    if due is None or finished is None:
        return 0.0
    return max(0.0, _calendar_hours(due, finished))
