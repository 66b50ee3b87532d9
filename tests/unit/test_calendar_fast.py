"""The memoised working-time walks give exactly what the old period-by-period walk gave.

``reference_add_working_hours`` and ``reference_working_hours_between`` are the algorithm
of ``WorkingCalendar`` before it learnt to remember days and skip blocks of them, kept
here unchanged as the reference. Results are compared for exact equality, and so are
errors (their type and text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oaflow.domain.calendar import Period, WorkingCalendar
from oaflow.domain.errors import InputError
from oaflow.domain.holidays_cn import china_calendar

# -- the reference: the old walk, period by period and day by day -----------------------

_MAX_IDLE_DAYS = 3660
_ONE_DAY = timedelta(days=1)
_ONE_HOUR = timedelta(hours=1)


def reference_add_working_hours(
    calendar: WorkingCalendar, start: datetime, hours: float
) -> datetime:
    begin = start.astimezone(UTC)
    remaining = timedelta(hours=hours)
    if not remaining:
        return begin
    for seg_start, seg_end in _segments_from(calendar, begin, None):
        available = seg_end - seg_start
        if remaining <= available:
            return seg_start + remaining
        remaining -= available
    raise AssertionError("unreachable: _segments_from never ends")


def reference_working_hours_between(
    calendar: WorkingCalendar, start: datetime, end: datetime
) -> float:
    first, last = start.astimezone(UTC), end.astimezone(UTC)
    if last < first:
        return -_working_time(calendar, last, first) / _ONE_HOUR
    return _working_time(calendar, first, last) / _ONE_HOUR


def _to_local_date(calendar: WorkingCalendar, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(calendar.tz)).replace(tzinfo=None).date()


def _segments_from(
    calendar: WorkingCalendar, begin: datetime, until: datetime | None
) -> Iterator[tuple[datetime, datetime]]:
    last_day = None if until is None else _to_local_date(calendar, until)
    for day in _working_days(calendar, _to_local_date(calendar, begin), last_day):
        for seg_start, seg_end in _day_periods(calendar.tz, calendar.periods, day):
            if seg_end > begin:
                yield max(seg_start, begin), seg_end


def _working_days(calendar: WorkingCalendar, first: date, last: date | None) -> Iterator[date]:
    day, idle = first, 0
    while last is None or day <= last:
        if calendar.is_working_day(day):
            yield day
            idle = 0
        elif last is None:
            idle += 1
            if idle > _MAX_IDLE_DAYS:
                raise InputError("calendar.no_working_day", days=_MAX_IDLE_DAYS)
        day = _next_day(day)


@lru_cache(maxsize=8192)
def _day_periods(
    tz: str, periods: tuple[Period, ...], day: date
) -> tuple[tuple[datetime, datetime], ...]:
    zone = ZoneInfo(tz)
    found: list[tuple[datetime, datetime]] = []
    for start, end in periods:
        seg_start = datetime.combine(day, start, zone).astimezone(UTC)
        seg_end = datetime.combine(day, end, zone).astimezone(UTC)
        if found:
            seg_start = max(seg_start, found[-1][1])
        if seg_start < seg_end:
            found.append((seg_start, seg_end))
    return tuple(found)


def _working_time(calendar: WorkingCalendar, first: datetime, last: datetime) -> timedelta:
    total = timedelta()
    for seg_start, seg_end in _segments_from(calendar, first, last):
        if seg_start >= last:
            break
        total += min(seg_end, last) - seg_start
    return total


def _next_day(day: date) -> date:
    try:
        return day + _ONE_DAY
    except OverflowError as exc:
        raise InputError("calendar.beyond_last_date") from exc


# -- comparing outcomes -----------------------------------------------------------------


def outcome(call: Callable[[], object]) -> tuple[object, ...]:
    """What ``call`` gives: its result (with its time zone), or its error and text."""
    try:
        result = call()
    except (InputError, OverflowError) as exc:
        return ("error", type(exc), str(exc))
    if isinstance(result, datetime):
        return ("instant", result, result.tzinfo, result.fold)
    return ("value", result)


def assert_add_agrees(calendar: WorkingCalendar, start: datetime, hours: float) -> None:
    expected = outcome(lambda: reference_add_working_hours(calendar, start, hours))
    assert outcome(lambda: calendar.add_working_hours(start, hours)) == expected
    # a second time from what the calendar now remembers
    assert outcome(lambda: calendar.add_working_hours(start, hours)) == expected


def assert_between_agrees(calendar: WorkingCalendar, start: datetime, end: datetime) -> None:
    expected = outcome(lambda: reference_working_hours_between(calendar, start, end))
    assert outcome(lambda: calendar.working_hours_between(start, end)) == expected
    assert outcome(lambda: calendar.working_hours_between(start, end)) == expected


# -- random calendars, starts and limits -------------------------------------------------

CN = china_calendar(years=[2024, 2025, 2026, 2027])
CALENDAR_ZONES = [
    "Asia/Shanghai",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",  # clocks change at midnight
    "America/Havana",  # clocks change at midnight
    "Australia/Lord_Howe",  # a half-hour change
]
PERIOD_CHOICES: list[tuple[Period, ...]] = [
    ((time(9), time(12)), (time(13, 30), time(18))),
    ((time(8), time(17)),),
    ((time(0), time(6)), (time(7, 15), time(7, 45)), (time(20), time(23, 59))),
    # periods inside or around the hours that clocks skip or repeat
    ((time(1, 30), time(2, 30)), (time(2, 45), time(3, 15)), (time(9), time(17))),
    ((time(0), time(0, 45)), (time(1, 50), time(2, 10)), (time(22, 30), time(23, 59, 59))),
]
WEEKENDS = [
    frozenset({5, 6}),
    frozenset({6}),
    frozenset({4, 5}),
    frozenset(),
    frozenset(range(7)),  # only extra working days are worked
]
FIRST_DAY, LAST_DAY = date(2024, 6, 1), date(2026, 6, 30)
DAYS = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    """Random calendars: periods, weekend, scattered and long runs of days off, extras."""
    days_off = set(draw(st.frozensets(DAYS, max_size=30)))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        first = draw(DAYS)
        length = draw(st.integers(min_value=1, max_value=120))
        days_off |= {first + timedelta(days=i) for i in range(length)}
    extra = draw(st.frozensets(DAYS, max_size=40)) - days_off
    return WorkingCalendar(
        tz=draw(st.sampled_from(CALENDAR_ZONES)),
        periods=draw(st.sampled_from(PERIOD_CHOICES)),
        weekend=draw(st.sampled_from(WEEKENDS)),
        days_off=frozenset(days_off),
        extra_workdays=extra,
    )


# the same calendar objects again and again, so later examples use what earlier ones left
KEPT = [
    CN,
    WorkingCalendar(tz="Europe/Berlin", days_off=frozenset({date(2025, 3, 31)})),
    WorkingCalendar(tz="America/New_York", periods=PERIOD_CHOICES[3]),
    WorkingCalendar(tz="America/Santiago", periods=PERIOD_CHOICES[4], weekend=frozenset()),
]
ANY_CALENDAR = st.one_of(st.sampled_from(KEPT), calendars())
START_ZONES = st.sampled_from(
    [UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")]
)
HOURS = st.one_of(
    st.floats(min_value=0, max_value=500, allow_nan=False),
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=0, max_value=1000).map(lambda k: k / 4),  # ends of periods
    st.sampled_from([0, 1e-9, 1e-6, 1 / 3, 6.0, 7.5, 8, 24, 36.0, 48, 120, 499.99]),
)


@st.composite
def starts(draw: st.DrawFn, calendar: WorkingCalendar) -> datetime:
    """Any instant, or one at a period edge (either side of a repeated hour) or midnight."""
    if draw(st.booleans()):
        return draw(
            st.datetimes(
                min_value=datetime(2024, 5, 20),
                max_value=datetime(2026, 7, 10),
                timezones=START_ZONES,
            )
        )
    edges = [edge for period in calendar.periods for edge in period] + [time(0)]
    wall = datetime.combine(draw(DAYS), draw(st.sampled_from(edges)))
    return wall.replace(tzinfo=ZoneInfo(calendar.tz), fold=draw(st.integers(0, 1)))


@given(data=st.data(), calendar=ANY_CALENDAR, hours=HOURS)
@settings(max_examples=600, deadline=None)
def test_add_working_hours_equals_the_old_walk(
    data: st.DataObject, calendar: WorkingCalendar, hours: float
) -> None:
    assert_add_agrees(calendar, data.draw(starts(calendar)), hours)


@given(data=st.data(), calendar=ANY_CALENDAR, span=st.timedeltas(timedelta(-400), timedelta(400)))
@settings(max_examples=400, deadline=None)
def test_working_hours_between_equals_the_old_walk(
    data: st.DataObject, calendar: WorkingCalendar, span: timedelta
) -> None:
    start = data.draw(starts(calendar))
    assert_between_agrees(calendar, start, start + span)
    assert_between_agrees(calendar, start + span, start)


@given(data=st.data(), calendar=ANY_CALENDAR, hours=HOURS)
@settings(max_examples=200, deadline=None)
def test_the_new_deadline_counts_back_as_before(
    data: st.DataObject, calendar: WorkingCalendar, hours: float
) -> None:
    start = data.draw(starts(calendar))
    try:
        end = reference_add_working_hours(calendar, start, hours)
    except InputError:
        return
    assert_between_agrees(calendar, start, end)


# -- far-off limits, long idle runs, the ends of the calendar -----------------------------

NO_WEEKEND = WorkingCalendar(tz="UTC", weekend=frozenset())


def days_off_from(first: date, count: int) -> frozenset[date]:
    return frozenset(first + timedelta(days=i) for i in range(count))


@pytest.mark.parametrize(
    ("calendar", "start", "hours"),
    [
        (CN, datetime(2024, 1, 2, 1, tzinfo=UTC), 100_000),
        (CN, datetime(2001, 1, 1, tzinfo=UTC), 60_000),
        (WorkingCalendar(tz="America/New_York"), datetime(2024, 3, 1, tzinfo=UTC), 20_000),
        # exactly 3660 days off in a row is still fine, one more is not
        (NO_WEEKEND.with_days_off(*days_off_from(date(2025, 1, 2), 3660)), 17, 2),
        (NO_WEEKEND.with_days_off(*days_off_from(date(2025, 1, 2), 3661)), 17, 2),
        (NO_WEEKEND.with_days_off(*days_off_from(date(2025, 1, 2), 3661)), 17, 1000),
        (NO_WEEKEND.with_days_off(*days_off_from(date(2025, 1, 20), 3660)), 17, 1000),
        (WorkingCalendar(weekend=frozenset(range(7))), 17, 1000),
        (
            WorkingCalendar(weekend=frozenset(range(7))).with_extra_workdays(date(2030, 6, 3)),
            17,
            400,
        ),
        # the last dates a datetime can hold
        (WorkingCalendar(tz="UTC"), datetime(9990, 1, 1, tzinfo=UTC), 100_000),
        (WorkingCalendar(tz="UTC"), datetime(9999, 12, 30, tzinfo=UTC), 24),
        (WorkingCalendar(tz="America/New_York"), datetime(9999, 12, 20, tzinfo=UTC), 100),
        (WorkingCalendar(), datetime(1, 1, 1, tzinfo=UTC), 1),
    ],
)
def test_edge_cases_agree(calendar: WorkingCalendar, start: datetime | int, hours: float) -> None:
    if isinstance(start, int):  # an hour of 2025-01-01 (UTC)
        start = datetime(2025, 1, 1, start, tzinfo=UTC)
    assert_add_agrees(calendar, start, hours)


@pytest.mark.parametrize(
    ("calendar", "start", "end"),
    [
        (CN, datetime(2001, 1, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC)),
        (WorkingCalendar(tz="UTC"), datetime(9998, 1, 1, tzinfo=UTC), datetime.max),
        (WorkingCalendar(), datetime(9998, 1, 1, tzinfo=UTC), datetime.max),
        (WorkingCalendar(tz="UTC"), datetime.min, datetime(1, 3, 1)),
    ],
)
def test_long_spans_agree(calendar: WorkingCalendar, start: datetime, end: datetime) -> None:
    start, end = start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)
    assert_between_agrees(calendar, start, end)
    assert_between_agrees(calendar, end, start)
