"""Business-calendar arithmetic (TIME-1): worked examples, properties, bad input."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oaflow.domain.calendar import WorkingCalendar, add_calendar_hours
from oaflow.domain.errors import InputError
from oaflow.domain.holidays_cn import china_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CN = china_calendar(years=[2024, 2025, 2026, 2027])
PLAIN = WorkingCalendar()
NEW_YEAR = date(2025, 1, 1)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def in_shanghai(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


# -- worked examples --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Friday 17:00 + 2h = Monday 10:00
        (sh(2025, 3, 14, 17), 2, sh(2025, 3, 17, 10)),
        # 11:30 + 1h = 14:00 over the lunch break
        (sh(2025, 3, 12, 11, 30), 1, sh(2025, 3, 12, 14)),
        # a deadline at the end of a period stays there
        (sh(2025, 3, 14, 15), 3, sh(2025, 3, 14, 18)),
        (sh(2025, 3, 12, 9), 3, sh(2025, 3, 12, 12)),
        # a whole day is 7.5 hours
        (sh(2025, 3, 12, 9), 7.5, sh(2025, 3, 12, 18)),
        (sh(2025, 3, 12, 9), 8, sh(2025, 3, 13, 9, 30)),
        # starts outside working time count from the next working moment
        (sh(2025, 3, 12, 7), 1, sh(2025, 3, 12, 10)),
        (sh(2025, 3, 12, 12, 30), 1, sh(2025, 3, 12, 14, 30)),
        (sh(2025, 3, 12, 20), 1, sh(2025, 3, 13, 10)),
        (sh(2025, 3, 15, 10), 1, sh(2025, 3, 17, 10)),
        (sh(2025, 3, 14, 18), 0.5, sh(2025, 3, 17, 9, 30)),
        # National Day 2025: Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11 worked
        (sh(2025, 9, 30, 17), 2, sh(2025, 10, 9, 10)),
        (sh(2025, 9, 27, 10), 1, sh(2025, 9, 28, 10)),
        (sh(2025, 10, 10, 17), 2, sh(2025, 10, 11, 10)),
        # Spring Festival 2026: Feb 15–23 off, Saturdays Feb 14 and Feb 28 worked
        (sh(2026, 2, 13, 17), 2, sh(2026, 2, 14, 10)),
        (sh(2026, 2, 14, 17), 2, sh(2026, 2, 24, 10)),
        (sh(2026, 2, 27, 17), 2, sh(2026, 2, 28, 10)),
        # New Year 2026: Jan 1–3 off, Sunday Jan 4 worked
        (sh(2025, 12, 31, 17), 2, sh(2026, 1, 4, 10)),
    ],
)
def test_add_working_hours_worked_examples(
    start: datetime, hours: float, expected: datetime
) -> None:
    result = CN.add_working_hours(start, hours)
    assert result == expected
    assert result.tzinfo is UTC


def test_start_in_another_time_zone_is_read_as_shanghai_wall_time() -> None:
    friday_17_shanghai = datetime(2025, 3, 14, 9, tzinfo=UTC)
    assert CN.add_working_hours(friday_17_shanghai, 2) == datetime(2025, 3, 17, 2, tzinfo=UTC)
    new_york = datetime(2025, 3, 14, 5, tzinfo=ZoneInfo("America/New_York"))  # 17:00 Shanghai
    assert CN.add_working_hours(new_york, 2) == sh(2025, 3, 17, 10)


def test_adding_zero_hours_outside_working_time_stays_put() -> None:
    saturday_night = sh(2025, 3, 15, 20)
    result = CN.add_working_hours(saturday_night, 0)
    assert result == saturday_night
    assert result.tzinfo is UTC


def test_working_days_of_2025_national_day_and_2026_spring_festival() -> None:
    assert CN.is_working_day(date(2025, 9, 28))  # Sunday, 调休
    assert CN.is_working_day(date(2025, 10, 11))  # Saturday, 调休
    assert not any(CN.is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert CN.is_working_day(date(2025, 10, 9))
    assert CN.is_working_day(date(2026, 2, 14))
    assert CN.is_working_day(date(2026, 2, 28))
    assert not any(CN.is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert not CN.is_working_day(date(2025, 3, 15))  # an ordinary Saturday


def test_working_hours_between_examples() -> None:
    assert CN.working_hours_between(sh(2025, 3, 14, 17), sh(2025, 3, 17, 10)) == 2
    assert CN.working_hours_between(sh(2025, 3, 12, 11, 30), sh(2025, 3, 12, 14)) == 1
    # Feb 13, 14, 24, 25, 26, 27, 28 are the working days: 7 x 7.5 h
    assert CN.working_hours_between(sh(2026, 2, 13, 9), sh(2026, 2, 28, 18)) == 52.5
    assert CN.working_hours_between(sh(2025, 10, 1), sh(2025, 10, 8, 23)) == 0
    assert CN.working_hours_between(sh(2025, 3, 17, 10), sh(2025, 3, 14, 17)) == -2
    assert CN.working_hours_between(sh(2025, 3, 12, 10), sh(2025, 3, 12, 10)) == 0


def test_long_limits_skip_whole_days() -> None:
    start = sh(2025, 1, 2, 9)
    result = CN.add_working_hours(start, 2000)
    assert math.isclose(CN.working_hours_between(start, result), 2000, abs_tol=1e-9)
    # 2000 h = 266 days of 7.5 h plus 5 h: lands in an afternoon, a bit over a year later
    assert in_shanghai(result).time() == time(15, 30)
    assert date(2026, 1, 1) < in_shanghai(result).date() < date(2026, 3, 1)


def test_is_working_time_includes_period_start_and_excludes_its_end() -> None:
    assert CN.is_working_time(sh(2025, 3, 12, 9))
    assert not CN.is_working_time(sh(2025, 3, 12, 12))
    assert CN.is_working_time(sh(2025, 3, 12, 13, 30))
    assert not CN.is_working_time(sh(2025, 3, 12, 18))
    assert not CN.is_working_time(sh(2025, 10, 2, 10))


def test_is_provisional_flags_spans_touching_unconfirmed_years() -> None:
    assert CN.is_provisional(sh(2026, 12, 30), sh(2027, 1, 5))
    assert CN.is_provisional(sh(2027, 3, 1), sh(2027, 3, 2))
    assert CN.is_provisional(sh(2027, 1, 5), sh(2026, 12, 30))
    assert not CN.is_provisional(sh(2025, 1, 1), sh(2026, 12, 31, 23))
    # the year is read in the calendar's zone: 2026-12-31 16:00 UTC is 2027 in Shanghai
    assert CN.is_provisional(sh(2026, 12, 1), datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert PLAIN.is_provisional(sh(2025, 1, 1), sh(2025, 1, 2))


def test_add_calendar_hours_counts_elapsed_time() -> None:
    result = add_calendar_hours(sh(2025, 10, 1, 20), 24)
    assert result == sh(2025, 10, 2, 20)
    assert result.tzinfo is UTC
    assert add_calendar_hours(sh(2025, 10, 1, 20), 0.5) == sh(2025, 10, 1, 20, 30)


def test_company_days_move_between_sets() -> None:
    calendar = PLAIN.with_days_off(date(2025, 3, 12)).with_extra_workdays(date(2025, 3, 15))
    assert not calendar.is_working_day(date(2025, 3, 12))
    assert calendar.is_working_day(date(2025, 3, 15))
    back = calendar.with_extra_workdays(date(2025, 3, 12))
    assert back.is_working_day(date(2025, 3, 12))
    assert date(2025, 3, 12) not in back.days_off


def test_lists_and_sets_from_configuration_are_accepted() -> None:
    calendar = WorkingCalendar(
        periods=[[time(9), time(17)]],  # type: ignore[arg-type]
        weekend={6},  # type: ignore[arg-type]
        days_off=[date(2025, 3, 12)],  # type: ignore[arg-type]
    )
    assert calendar.periods == ((time(9), time(17)),)
    assert calendar.days_off == frozenset({date(2025, 3, 12)})
    assert calendar.is_working_day(date(2025, 3, 15))
    assert hash(calendar) == hash(calendar)
    assert calendar.add_working_hours(sh(2025, 3, 11, 16), 2) == sh(2025, 3, 13, 10)


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("hours", [-1, -0.001, math.nan, math.inf, 1e9, True])
def test_bad_hours_are_rejected(hours: float) -> None:
    with pytest.raises(InputError) as caught:
        CN.add_working_hours(sh(2025, 3, 12, 9), hours)
    assert caught.value.hint("en")
    with pytest.raises(InputError):
        add_calendar_hours(sh(2025, 3, 12, 9), hours)


def test_naive_datetimes_are_rejected_with_a_hint() -> None:
    naive = datetime(2025, 3, 12, 9)
    calls: list[Callable[[], object]] = [
        lambda: CN.add_working_hours(naive, 1),
        lambda: CN.working_hours_between(naive, sh(2025, 3, 13)),
        lambda: CN.working_hours_between(sh(2025, 3, 13), naive),
        lambda: CN.is_provisional(naive, naive),
        lambda: CN.is_working_time(naive),
        lambda: add_calendar_hours(naive, 1),
    ]
    for call in calls:
        with pytest.raises(InputError, match="no time zone") as caught:
            call()
        assert "timezone-aware" in caught.value.hint("en")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tz": "Mars/Olympus"},
        {"periods": ()},
        {"periods": ((time(12), time(9)),)},
        {"periods": ((time(9), time(13)), (time(12), time(18)))},
        {"weekend": frozenset({7})},
        {
            "days_off": frozenset({date(2025, 1, 1)}),
            "extra_workdays": frozenset({date(2025, 1, 1)}),
        },
    ],
)
def test_bad_calendars_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError) as caught:
        WorkingCalendar(**kwargs)  # type: ignore[arg-type]
    assert caught.value.hint("en")


def test_a_calendar_without_working_days_fails_instead_of_looping() -> None:
    never = WorkingCalendar(weekend=frozenset(range(7)))
    with pytest.raises(InputError, match="no working day"):
        never.add_working_hours(sh(2025, 3, 12, 9), 1)


# -- properties -------------------------------------------------------------------------

ZONES = st.sampled_from([UTC, SHANGHAI, ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")])
STARTS = st.datetimes(
    min_value=datetime(2024, 12, 1), max_value=datetime(2027, 1, 31), timezones=ZONES
)
HOURS = st.floats(min_value=0, max_value=2000, allow_nan=False)
SHORT_HOURS = st.floats(min_value=0, max_value=60, allow_nan=False)

PERIOD_CHOICES = [
    ((time(9), time(12)), (time(13, 30), time(18))),
    ((time(8), time(17)),),
    ((time(0), time(6)), (time(7, 15), time(7, 45)), (time(20), time(23, 59))),
]


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    """Random calendars with their own periods, weekend, days off and extra workdays."""
    window = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 3, 31))
    days_off = draw(st.frozensets(window, max_size=20))
    extra = draw(st.frozensets(window, max_size=10)) - days_off
    return WorkingCalendar(
        tz=draw(st.sampled_from(["Asia/Shanghai", "UTC", "Europe/Berlin"])),
        periods=draw(st.sampled_from(PERIOD_CHOICES)),
        weekend=draw(st.sampled_from([frozenset({5, 6}), frozenset({6}), frozenset({4, 5})])),
        days_off=days_off,
        extra_workdays=extra,
    )


ANY_CALENDAR = st.one_of(st.just(CN), calendars())
WINDOW_STARTS = st.datetimes(
    min_value=datetime(2024, 12, 25), max_value=datetime(2025, 4, 10), timezones=ZONES
)


def at_period_edge_or_inside(calendar: WorkingCalendar, moment: datetime) -> bool:
    """True if ``moment`` is in (period start, period end] on a working day."""
    local = moment.astimezone(ZoneInfo(calendar.tz))
    if not calendar.is_working_day(local.date()):
        return False
    wall = local.replace(tzinfo=None)
    return any(
        datetime.combine(local.date(), start) < wall <= datetime.combine(local.date(), end)
        for start, end in calendar.periods
    )


@given(calendar=ANY_CALENDAR, start=WINDOW_STARTS, hours=HOURS)
@settings(deadline=None)
def test_round_trip_counts_back_the_hours_added(
    calendar: WorkingCalendar, start: datetime, hours: float
) -> None:
    end = calendar.add_working_hours(start, hours)
    assert end.tzinfo is UTC
    assert end >= start
    assert math.isclose(calendar.working_hours_between(start, end), hours, abs_tol=1e-6)
    assert math.isclose(calendar.working_hours_between(end, start), -hours, abs_tol=1e-6)


@given(calendar=ANY_CALENDAR, start=WINDOW_STARTS, hours=HOURS)
@settings(deadline=None)
def test_result_lands_inside_working_time_or_at_a_period_end(
    calendar: WorkingCalendar, start: datetime, hours: float
) -> None:
    end = calendar.add_working_hours(start, hours)
    if timedelta(hours=hours) > timedelta():
        assert at_period_edge_or_inside(calendar, end)
    else:
        # compared in UTC: PEP 495 makes a wall time in a DST gap unequal across zones
        assert end == start.astimezone(UTC)


@given(start=STARTS, first=HOURS, second=HOURS)
@settings(deadline=None)
def test_monotonic_in_hours(start: datetime, first: float, second: float) -> None:
    low, high = sorted((first, second))
    assert CN.add_working_hours(start, low) <= CN.add_working_hours(start, high)


@given(calendar=ANY_CALENDAR, first=WINDOW_STARTS, second=WINDOW_STARTS, hours=HOURS)
@settings(deadline=None)
def test_monotonic_in_start(
    calendar: WorkingCalendar, first: datetime, second: datetime, hours: float
) -> None:
    early, late = sorted((first, second))
    assert calendar.add_working_hours(early, hours) <= calendar.add_working_hours(late, hours)


@given(calendar=ANY_CALENDAR, start=WINDOW_STARTS, first=HOURS, second=HOURS)
@settings(deadline=None)
def test_adding_in_two_steps_equals_adding_at_once(
    calendar: WorkingCalendar, start: datetime, first: float, second: float
) -> None:
    stepwise = calendar.add_working_hours(calendar.add_working_hours(start, first), second)
    at_once = calendar.add_working_hours(start, first + second)
    if timedelta(hours=first) > timedelta() or timedelta(hours=second) > timedelta():
        assert abs(stepwise - at_once) <= timedelta(microseconds=2)


@given(calendar=ANY_CALENDAR, first=WINDOW_STARTS, second=WINDOW_STARTS, third=WINDOW_STARTS)
@settings(deadline=None)
def test_working_hours_between_is_additive(
    calendar: WorkingCalendar, first: datetime, second: datetime, third: datetime
) -> None:
    whole = calendar.working_hours_between(first, third)
    parts = calendar.working_hours_between(first, second) + calendar.working_hours_between(
        second, third
    )
    assert math.isclose(whole, parts, abs_tol=1e-6)


def minute_by_minute(calendar: WorkingCalendar, start: datetime, minutes: int) -> datetime:
    """Slow reference: step a real minute at a time, counting minutes spent at work."""
    zone = ZoneInfo(calendar.tz)
    moment = start.astimezone(UTC)
    counted = 0
    while counted < minutes:
        wall = moment.astimezone(zone)
        working = calendar.is_working_day(wall.date()) and any(
            s <= wall.time() < e for s, e in calendar.periods
        )
        moment += timedelta(minutes=1)
        counted += working
    return moment


@given(
    calendar=ANY_CALENDAR,
    start=WINDOW_STARTS.map(lambda moment: moment.replace(second=0, microsecond=0)),
    minutes=st.integers(min_value=1, max_value=40 * 60),
)
@settings(deadline=None, max_examples=40)
def test_agrees_with_a_minute_by_minute_reference(
    calendar: WorkingCalendar, start: datetime, minutes: int
) -> None:
    expected = minute_by_minute(calendar, start, minutes)
    assert calendar.add_working_hours(start, minutes / 60) == expected
