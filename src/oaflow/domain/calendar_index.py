"""The days of a working calendar as UTC periods, worked out once, and the walks over them.

A helper of :mod:`oaflow.domain.calendar`, whose docstring has the rules. A calendar never
changes, so each local date is turned into its working periods (UTC instants) and their
total only once; a walk then costs one dictionary lookup per day, and ``_BLOCK`` days at a
time are crossed in one step when nothing in them needs a closer look. The results are
exactly those of walking period by period: working time is added up as ``timedelta``
(whole microseconds), so adding a day's or a block's total at once gives the same sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oaflow.domain.errors import InputError

if TYPE_CHECKING:
    from oaflow.domain.calendar import WorkingCalendar

Segment = tuple[datetime, datetime]

MAX_IDLE_DAYS = 3660
"""A calendar with no working day in ten years has no working time at all."""
_BLOCK = 32
"""Days crossed in one step by long walks (blocks start at ordinals divisible by it)."""
_LAST_BLOCK_END = date(9999, 1, 1).toordinal()
"""Blocks stay clear of the last representable dates (those fail as they did day by day)."""
_LAST_ORDINAL = date.max.toordinal()
_MAX_CACHED_DAYS = 50_000
_ZERO = timedelta()
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Stretch:
    """One day or one block of days: its working time and where its periods lie (UTC)."""

    total: timedelta
    first_start: datetime  # _LATEST when there is no period
    last_end: datetime  # _EARLIEST when there is no period
    working: bool  # it has a working day (one may have no period on a DST change)
    off_before: int  # days off before its first working day (all of them if none)
    off_after: int  # days off after its last working day (all of them if none)
    segments: tuple[Segment, ...] = ()  # a day's periods in order (blocks: none)

    def idle_after(self, idle: int) -> int:
        """Days off in a row at its end, given ``idle`` days off in a row before it."""
        return self.off_after if self.working else idle + self.off_after


_DAY_OFF = _Stretch(_ZERO, _LATEST, _EARLIEST, False, 1, 1)


class CalendarIndex:
    """Working-time walks over one calendar's days, memoised per local date."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self._zone = ZoneInfo(calendar.tz)
        self._periods = calendar.periods
        self._is_working_day = calendar.is_working_day
        self._days: dict[int, _Stretch] = {}
        self._blocks: dict[int, _Stretch] = {}
        # adding looks at a block only for a long remainder: building one costs about as
        # much as walking its days, which a short remainder may not need
        self._block_worth = calendar.day_length * _BLOCK / 4

    def add(self, begin: datetime, remaining: timedelta) -> datetime:
        """The instant ``remaining`` (more than zero) of working time after ``begin`` (UTC).

        Counting begins at the first working moment at or after ``begin``; a result at the
        end of a period stays there.
        """
        ordinal, idle = self._local_ordinal(begin), 0
        while True:
            if remaining > self._block_worth and _block_may_start(ordinal, ordinal):
                block = self._block(ordinal)
                if (
                    block.first_start >= begin
                    and remaining > block.total
                    and idle + block.off_before <= MAX_IDLE_DAYS  # else fail day by day
                ):
                    remaining -= block.total
                    ordinal, idle = ordinal + _BLOCK, block.idle_after(idle)
                    continue
            day = self._day(ordinal)
            if day.first_start >= begin and remaining > day.total:
                remaining -= day.total
            else:
                for seg_start, seg_end in day.segments:
                    if seg_end > begin:
                        clipped = max(seg_start, begin)
                        if remaining <= seg_end - clipped:
                            return clipped + remaining
                        remaining -= seg_end - clipped
            idle = day.idle_after(idle)
            if idle > MAX_IDLE_DAYS:
                raise _no_working_time()
            ordinal = _next_ordinal(ordinal)

    def between(self, first: datetime, last: datetime) -> timedelta:
        """Working time between two UTC instants, ``first <= last``."""
        ordinal, last_ordinal = self._local_ordinal(first), self._local_ordinal(last)
        total = _ZERO
        while ordinal <= last_ordinal:
            if _block_may_start(ordinal, last_ordinal - _BLOCK + 1):
                block = self._block(ordinal)
                if _inside(block, first, last):
                    total += block.total
                    ordinal += _BLOCK
                    continue
            day = self._day(ordinal)
            if _inside(day, first, last):
                total += day.total
            else:
                for seg_start, seg_end in day.segments:
                    if seg_end > first:
                        clipped = max(seg_start, first)
                        if clipped >= last:
                            return total
                        total += min(seg_end, last) - clipped
            ordinal = _next_ordinal(ordinal)
        return total

    # -- the memo -------------------------------------------------------------------------

    def _local_ordinal(self, moment: datetime) -> int:
        return moment.astimezone(self._zone).toordinal()

    def _day(self, ordinal: int) -> _Stretch:
        found = self._days.get(ordinal)
        if found is None:
            if len(self._days) >= _MAX_CACHED_DAYS:
                self._days.clear()
                self._blocks.clear()
            found = self._days[ordinal] = self._make_day(date.fromordinal(ordinal))
        return found

    def _make_day(self, day: date) -> _Stretch:
        if not self._is_working_day(day):
            return _DAY_OFF
        segments = _day_periods(self._zone, self._periods, day)
        if not segments:
            return _Stretch(_ZERO, _LATEST, _EARLIEST, True, 0, 0)
        total = sum((end - start for start, end in segments), _ZERO)
        return _Stretch(total, segments[0][0], segments[-1][1], True, 0, 0, segments)

    def _block(self, ordinal: int) -> _Stretch:
        found = self._blocks.get(ordinal)
        if found is None:
            days = [self._day(ordinal + offset) for offset in range(_BLOCK)]
            found = self._blocks[ordinal] = _Stretch(
                sum((day.total for day in days), _ZERO),
                min(day.first_start for day in days),
                max(day.last_end for day in days),
                any(day.working for day in days),
                _days_off_until_working(days),
                _days_off_until_working(days[::-1]),
            )
        return found


def _day_periods(
    zone: ZoneInfo, periods: tuple[tuple[time, time], ...], day: date
) -> tuple[Segment, ...]:
    """A day's working periods in UTC, in order, never overlapping.

    On a day when clocks change, a period lasts the real time that elapses in it.
    """
    found: list[Segment] = []
    for start, end in periods:
        seg_start = datetime.combine(day, start, zone).astimezone(UTC)
        seg_end = datetime.combine(day, end, zone).astimezone(UTC)
        if found:
            seg_start = max(seg_start, found[-1][1])
        if seg_start < seg_end:
            found.append((seg_start, seg_end))
    return tuple(found)


def _no_working_time() -> InputError:
    return InputError("calendar.no_working_day", days=MAX_IDLE_DAYS)


def _block_may_start(ordinal: int, latest_start: int) -> bool:
    """True if a block starts at ``ordinal`` and that is not after ``latest_start``."""
    return ordinal % _BLOCK == 0 and ordinal <= latest_start and ordinal < _LAST_BLOCK_END


def _inside(stretch: _Stretch, first: datetime, last: datetime) -> bool:
    """True if all the periods of ``stretch`` lie between ``first`` and ``last``."""
    return stretch.first_start >= first and stretch.last_end <= last


def _days_off_until_working(days: list[_Stretch]) -> int:
    return next((i for i, day in enumerate(days) if day.working), len(days))


def _next_ordinal(ordinal: int) -> int:
    if ordinal >= _LAST_ORDINAL:
        raise InputError("calendar.beyond_last_date")
    return ordinal + 1
