"""Gantt charts (MON-2) laid out for drawing as SVG: one row per node (of an instance) or per
instance (a portfolio), the planned span as a thin bar, what happened as a thick one, a
milestone as a diamond at its planned date, a line for today; what is late is marked
``overdue`` (drawn red, and said in words beside the bar). A running instance's completion
forecast (issue 15) is a last row: a hatched bar from now to the expected completion (the
median), a whisker on to the time nine in ten finish by (p90), and the deadline's mark — a
last row of an instance's chart, on each instance's own row of a portfolio. Pure: the page
draws it."""

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
class Forecast:
    """A running instance's completion forecast to draw: ``state`` on_track | at_risk |
    late, and the words said beside it."""

    label: str
    sub: str
    median: datetime
    p90: datetime
    deadline: datetime | None
    state: str
    status: str


@dataclass(frozen=True)
class ForecastBar:
    label: str
    sub: str
    y: int
    kind: str  # the forecast's state
    start_x: int  # now
    median_x: int
    p90_x: int
    deadline_x: int | None
    status: str


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
    forecast: Forecast | None = None  # a running instance's, drawn on its row (a portfolio)


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
    forecast: ForecastBar | None = None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_w: int
    ticks: tuple[tuple[int, str], ...]
    today_x: int | None
    bars: tuple[Bar, ...]
    forecast: ForecastBar | None = None

    @property
    def has_forecast(self) -> bool:
        return self.forecast is not None or any(b.forecast is not None for b in self.bars)

    # -- the same chart as lanes across a phone's whole width (a label above each bar) ----
    def at(self, x: int) -> float:
        """Where ``x`` lies on the time axis, in percent of its width."""
        return round((x - self.label_w) * 100 / CHART_W, 2)

    def share(self, width: int) -> float:
        """A bar's width in percent of the time axis."""
        return round(width * 100 / CHART_W, 2)

    @property
    def few_ticks(self) -> tuple[tuple[int, str], ...]:
        """At most four of the ticks: as many labels as a phone's width holds."""
        step = -(-len(self.ticks) // 4) or 1
        return self.ticks[::step]


def chart(spans: Sequence[Span], now: datetime, tz: str, forecast: Forecast | None = None) -> Chart:
    """``spans`` on one time axis from the earliest start to the latest end (or now, or the
    end of the ``forecast`` drawn below them)."""
    times = [t for s in spans for t in (s.start, s.planned, s.ended) if t is not None]
    for f in (forecast, *(s.forecast for s in spans)):
        if f is not None:
            times += [f.median, f.p90, *([f.deadline] if f.deadline is not None else [])]
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
                _forecast_bar(s.forecast, y, x(now), x),
            )
        )
    rows = len(spans) + (1 if forecast is not None else 0)
    height = HEAD_H + rows * ROW_H + 8
    return Chart(
        LABEL_W + CHART_W + STATUS_W,
        height,
        LABEL_W,
        _ticks(first, last, x, tz),
        x(now),
        tuple(bars),
        _forecast_bar(forecast, HEAD_H + len(spans) * ROW_H, x(now), x),
    )


def _forecast_bar(
    f: Forecast | None, y: int, now_x: int, x: Callable[[datetime], int]
) -> ForecastBar | None:
    if f is None:
        return None
    median_x = max(x(f.median), now_x)
    deadline_x = x(f.deadline) if f.deadline is not None else None
    return ForecastBar(
        f.label, f.sub, y, f.state, now_x, median_x, max(x(f.p90), median_x), deadline_x, f.status
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
