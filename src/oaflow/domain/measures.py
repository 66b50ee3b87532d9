"""What the metrics (MTR-1) count, measured once when a task finishes or an instance ends
(docs/adr/0013): its duration in working time on the business calendar and in calendar
time, and for a task how much working time it ran past its deadline. Stored as whole
seconds beside the record, so that reports aggregate them in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oaflow.domain.calendar import WorkingCalendar


@dataclass(frozen=True)
class Measures:
    work_seconds: int  # working time from start to end
    span_seconds: int  # calendar time from start to end
    late_seconds: int | None  # working time past the deadline (0: on time); None: no deadline


def measure(
    start: datetime, end: datetime, due: datetime | None, calendar: WorkingCalendar
) -> Measures:
    """The measures of a span from ``start`` to ``end`` with the deadline ``due``."""
    work = max(0, round(calendar.working_hours_between(start, end) * 3600))
    span = max(0, round((end - start).total_seconds()))
    if due is None:
        return Measures(work, span, None)
    late = 0 if end <= due else max(0, round(calendar.working_hours_between(due, end) * 3600))
    return Measures(work, span, late)
