"""Business time: working hours, weekends, holidays and 调休 working days (TIME-1).

Pure arithmetic, no I/O and no clock. Every instant handed in must be timezone-aware
(any zone); every instant handed back is UTC. Working periods are wall-clock times in
the calendar's own time zone (default Asia/Shanghai) and days are local dates there;
the hours counted are real elapsed time inside those periods (this only matters in
zones with daylight saving time, where a period crossing the change is an hour
shorter or longer that day). Each local date is worked out once per calendar
(:mod:`oaflow.domain.calendar_index`), so a limit costs a lookup per day, not per minute,
and long limits cross whole blocks of days at once.

Rules, in the order they decide a day:

* a date in ``days_off`` is never a working day (public holidays, company days off);
* a date in ``extra_workdays`` is always a working day (调休 weekend days, company extras);
* otherwise a day is a working day unless its weekday is in ``weekend``.

A date may not be in both sets; use :meth:`WorkingCalendar.with_days_off` and
:meth:`WorkingCalendar.with_extra_workdays` to move a date from one set to the other.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oaflow.domain.calendar_index import CalendarIndex
from oaflow.domain.errors import InputError

Period = tuple[time, time]

DEFAULT_PERIODS: tuple[Period, ...] = ((time(9), time(12)), (time(13, 30), time(18)))
MAX_HOURS = 100_000.0
"""Largest time limit accepted (about 50 working years): longer ones are input mistakes."""
_ONE_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class WorkingCalendar:
    """When people work: daily periods, weekly days off, and dated exceptions."""

    tz: str = "Asia/Shanghai"
    periods: tuple[Period, ...] = DEFAULT_PERIODS
    weekend: frozenset[int] = frozenset({5, 6})  # Monday=0
    days_off: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)
    confirmed_years: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # accept lists and sets from configuration; keep the calendar hashable
        object.__setattr__(self, "periods", tuple(tuple(p) for p in self.periods))
        for name in ("weekend", "days_off", "extra_workdays", "confirmed_years"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        _zone(self.tz)
        _check_periods(self.periods)
        _check_weekend(self.weekend)
        _check_exceptions(self.days_off, self.extra_workdays)

    # -- days -------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True if people work on ``day`` (a local date in the calendar's time zone)."""
        if day in self.days_off:
            return False
        if day in self.extra_workdays:
            return True
        return day.weekday() not in self.weekend

    def with_days_off(self, *days: date) -> WorkingCalendar:
        """A copy where ``days`` are days off (taken out of ``extra_workdays`` if there)."""
        moved = frozenset(days)
        return replace(
            self, days_off=self.days_off | moved, extra_workdays=self.extra_workdays - moved
        )

    def with_extra_workdays(self, *days: date) -> WorkingCalendar:
        """A copy where ``days`` are working days (taken out of ``days_off`` if there)."""
        moved = frozenset(days)
        return replace(
            self, days_off=self.days_off - moved, extra_workdays=self.extra_workdays | moved
        )

    @property
    def day_length(self) -> timedelta:
        """Working time in one full working day (by the wall clock)."""
        return sum((_length(p) for p in self.periods), timedelta())

    # -- instants ---------------------------------------------------------------------

    def is_working_time(self, at: datetime) -> bool:
        """True if ``at`` falls inside a working period (start included, end excluded)."""
        local = self._to_local(_aware(at, "at"))
        if not self.is_working_day(local.date()):
            return False
        return any(start <= local.time() < end for start, end in self.periods)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The instant ``hours`` of working time after ``start``, in UTC.

        Counting begins at the first working moment at or after ``start``. Adding zero
        hours returns ``start`` unchanged; a deadline that lands exactly at the end of a
        period stays there instead of moving to the next period.
        """
        begin = _aware(start, "start").astimezone(UTC)
        remaining = _duration(hours)
        if not remaining:
            return begin
        return self._index.add(begin, remaining)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from ``start`` to ``end``; negative if ``end`` is before ``start``."""
        first = _aware(start, "start").astimezone(UTC)
        last = _aware(end, "end").astimezone(UTC)
        if last < first:
            return -self._index.between(last, first) / _ONE_HOUR
        return self._index.between(first, last) / _ONE_HOUR

    def is_provisional(self, start: datetime, end: datetime) -> bool:
        """True if the span touches a year whose official schedule is not in the calendar.

        Such a result may move once the State Council publishes that year's 调休 schedule
        and the calendar is updated; show it as provisional.
        """
        first = self._to_local(_aware(start, "start")).year
        last = self._to_local(_aware(end, "end")).year
        low, high = min(first, last), max(first, last)
        return any(year not in self.confirmed_years for year in range(low, high + 1))

    # -- internals --------------------------------------------------------------------

    def _to_local(self, moment: datetime) -> datetime:
        """Naive local wall time in the calendar's zone."""
        return moment.astimezone(_zone(self.tz)).replace(tzinfo=None)

    @cached_property
    def _index(self) -> CalendarIndex:
        """The calendar's days, worked out once (kept outside the dataclass fields)."""
        return CalendarIndex(self)


def add_calendar_hours(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of plain elapsed time (nights and holidays count), in UTC."""
    return _aware(start, "start").astimezone(UTC) + _duration(hours)


# -- validation helpers ---------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError("calendar.unknown_zone", zone=repr(name)) from exc


def _aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise InputError("calendar.not_a_datetime", name=name, type=type(moment).__name__)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError("calendar.naive_time", name=name, moment=moment.isoformat())
    return moment


def _duration(hours: float) -> timedelta:
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        raise InputError("calendar.hours.not_a_number", type=type(hours).__name__)
    if math.isnan(hours) or hours < 0:
        raise InputError("calendar.hours.negative", hours=hours)
    if hours > MAX_HOURS:
        raise InputError("calendar.hours.too_many", hours=hours, limit=f"{MAX_HOURS:g}")
    return _hours(hours)


@lru_cache(maxsize=1024)
def _hours(hours: float) -> timedelta:
    """``timedelta(hours=...)``, memoised: it is slow-ish and time limits repeat."""
    return timedelta(hours=hours)


def _hm(at: time) -> str:
    return at.strftime("%H:%M")


def _check_periods(periods: Iterable[Period]) -> None:
    previous_end: time | None = None
    count = 0
    for start, end in periods:
        count += 1
        if not start < end:
            raise InputError("calendar.period.backwards", start=_hm(start), end=_hm(end))
        if previous_end is not None and start < previous_end:
            raise InputError("calendar.period.overlaps", start=_hm(start), end=_hm(end))
        previous_end = end
    if count == 0:
        raise InputError("calendar.period.none")


def _check_weekend(weekend: frozenset[int]) -> None:
    wrong = sorted(day for day in weekend if day not in range(7))
    if wrong:
        raise InputError("calendar.weekend.bad_days", days=str(wrong))


def _check_exceptions(days_off: frozenset[date], extra_workdays: frozenset[date]) -> None:
    both = sorted(days_off & extra_workdays)
    if both:
        listed = ", ".join(day.isoformat() for day in both[:5])
        raise InputError("calendar.days.both", dates=listed)


def _length(period: Period) -> timedelta:
    start, end = period
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)
