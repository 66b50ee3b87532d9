"""Gantt charts (MON-2) laid out for drawing as SVG: one row per node (of an instance) or per
instance (a portfolio), the planned span as a thin bar, what happened as a thick one, a
milestone as a diamond at its planned date, a line for today; what is late is marked
``overdue`` (drawn red, and said in words beside the bar). Pure: the page draws it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

LABEL_W = 190
CHART_W = 640
ROW_H = 34
HEAD_H = 28
STATUS_W = 150  # right of the time axis: room for the words beside the last bars


@dataclass(frozen=True)
class Span:
    """One row to draw: its label, when it started, was planned to end, ended (None: still
    open), and whether it is a milestone."""

    label: str
    sub: str
    start: datetime | None
    planned: datetime | None
    ended: datetime | None
    is_open: bool
    reached: bool = True  # False: a planned node not reached yet
    milestone: bool = False
    href: str = ""
    status: str = ""  # the words said beside the bar (已完成(延迟16小时) …)
    late: bool = False  # open past a deadline not drawn here (an instance's open task)


@dataclass(frozen=True)
class Bar:
    label: str
    sub: str
    y: int
    kind: str  # done | late | current | overdue | pending
    plan_x: int | None
    plan_w: int
    real_x: int | None
    real_w: int
    milestone_x: int | None
    href: str
    status: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_w: int
    ticks: tuple[tuple[int, str], ...]
    today_x: int | None
    bars: tuple[Bar, ...]


def chart(spans: Sequence[Span], now: datetime, tz: str) -> Chart:
    """``spans`` on one time axis from the earliest start to the latest end (or now)."""
    times = [t for s in spans for t in (s.start, s.planned, s.ended) if t is not None]
    first = min([*times, now]) if times else now - timedelta(days=7)
    last = max([*times, now]) if times else now + timedelta(days=7)
    pad = max((last - first) * 0.04, timedelta(hours=6))
    first, last = first - pad, last + pad
    scale = CHART_W / max((last - first).total_seconds(), 1)

    def x(at: datetime) -> int:
        return LABEL_W + round((at - first).total_seconds() * scale)

    bars = []
    for i, s in enumerate(spans):
        y = HEAD_H + i * ROW_H
        start = s.start or s.planned
        plan_x = plan_w = real_w = 0
        real_x: int | None = None
        if s.planned is not None and start is not None:
            plan_x, plan_w = x(min(start, s.planned)), max(abs(x(s.planned) - x(start)), 2)
        end = s.ended or (now if s.is_open else None)
        if s.start is not None and end is not None and s.reached:
            real_x, real_w = x(s.start), max(x(end) - x(s.start), 3)
        bars.append(
            Bar(
                s.label,
                s.sub,
                y,
                _kind(s, now),
                plan_x if s.planned is not None and start is not None else None,
                plan_w,
                real_x,
                real_w,
                x(s.planned) if s.milestone and s.planned is not None else None,
                s.href,
                s.status,
            )
        )
    height = HEAD_H + len(spans) * ROW_H + 8
    return Chart(
        LABEL_W + CHART_W + STATUS_W,
        height,
        LABEL_W,
        _ticks(first, last, x, tz),
        x(now),
        tuple(bars),
    )


def _kind(s: Span, now: datetime) -> str:
    if not s.reached:
        return "overdue" if s.planned is not None and s.planned < now else "pending"
    if s.is_open:
        past = s.late or (s.planned is not None and s.planned < now)
        return "overdue" if past else "current"
    if s.ended is not None and s.planned is not None and s.ended > s.planned:
        return "late"
    return "done"


def _ticks(
    first: datetime, last: datetime, x: Callable[[datetime], int], tz: str
) -> tuple[tuple[int, str], ...]:
    """Day, week or month marks, as many as fit."""
    zone = ZoneInfo(tz)
    days = (last - first).days
    step = 1 if days <= 14 else 7 if days <= 100 else 30
    day = first.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    day += timedelta(days=1)
    if step == 7:
        day += timedelta(days=(7 - day.weekday()) % 7)  # Mondays
    marks = []
    while day < last:
        if step == 30:
            if day.day == 1:
                marks.append((x(day), day.strftime("%Y-%m")))
            day += timedelta(days=1)
            continue
        marks.append((x(day), day.strftime("%m-%d")))
        day += timedelta(days=step)
    return tuple(marks)
