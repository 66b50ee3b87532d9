"""Seed data for mainland China: public holidays and 调休 working days, per year.

Data source
-----------
The `holidays` library (python-holidays, https://github.com/vacanza/holidays, MIT;
pinned and checked with 0.109), class ``holidays.China`` through
``holidays.country_holidays("CN")``, public category. Its maintainers type each year's
official schedule from the State Council General Office notice (国务院办公厅关于 XXXX 年部分节假日
安排的通知, published each November for the following year) into
``ChinaStaticHolidays.special_public_holidays``: every entry moves a day off onto a
weekday and names the weekend day that becomes a working day (调休上班). The library
exposes those working weekend days as ``weekend_workdays``; we read both from it.

Confirmed years
---------------
A year is *confirmed* when the library carries its official notice, i.e. the year is a
key of that table. For other years the library still gives the statutory holidays (and
its own guess of in-lieu days off) but knows no 调休 working days; such years are seeded
all the same and left out of ``confirmed_years``, so that
:meth:`WorkingCalendar.is_provisional` flags any deadline that touches them. With
holidays 0.109 the confirmed years are 2001–2026; 2027 is not confirmed.

The cross-check against the notices themselves lives in tests/unit/test_holidays_cn.py.
When the library gains a new year, that test fails until the notice is added there too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, time
from typing import TypedDict, Unpack

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.errors import InputError

FIRST_OFFICIAL_YEAR = 2001
"""The library checks its data against the official notices from 2001 on."""


@dataclass(frozen=True)
class YearSchedule:
    """One year of the national schedule, as the library knows it."""

    year: int
    days_off: dict[date, str]  # date -> holiday name (zh_CN)
    extra_workdays: frozenset[date]  # weekend days that are working days (调休)
    confirmed: bool


class CalendarOverrides(TypedDict, total=False):
    tz: str
    periods: tuple[tuple[time, time], ...]
    weekend: frozenset[int]
    days_off: Iterable[date]
    extra_workdays: Iterable[date]
    confirmed_years: Iterable[int]


def library_confirmed_years() -> frozenset[int]:
    """Years for which the library carries the State Council's official schedule."""
    from holidays.countries.china import ChinaStaticHolidays  # ~0.1 s: loaded when used

    return frozenset(
        year for year in ChinaStaticHolidays.special_public_holidays if year >= FIRST_OFFICIAL_YEAR
    )


def default_years() -> frozenset[int]:
    """Every confirmed year plus the next one (seeded, but provisional)."""
    confirmed = library_confirmed_years()
    return confirmed | {max(confirmed) + 1}


def china_schedule(year: int) -> YearSchedule:
    """Public holidays and 调休 working days of one year, from the library."""
    _check_year(year)
    from holidays import country_holidays  # ~0.1 s: loaded when used

    table = country_holidays("CN", years=year, language="zh_CN")
    days_off = {day: str(name) for day, name in sorted(table.items()) if day.year == year}
    workdays = frozenset(day for day in table.weekend_workdays if day.year == year)
    return YearSchedule(year, days_off, workdays, year in library_confirmed_years())


def china_calendar(
    years: Iterable[int] | None = None, **overrides: Unpack[CalendarOverrides]
) -> WorkingCalendar:
    """A working calendar for mainland China seeded from the library.

    ``years`` defaults to :func:`default_years`. Dates outside the seeded years count as
    plain weeks and are flagged provisional. ``tz``, ``periods``, ``weekend`` and
    ``confirmed_years`` replace the defaults; ``days_off`` and ``extra_workdays`` add the
    company's own dates on top of the national ones, and a company date wins over a
    national one (a company may work on a public holiday, or rest on a 调休 Sunday).
    """
    schedules = [china_schedule(year) for year in sorted(_years(years))]
    calendar = WorkingCalendar(
        tz=overrides.get("tz", "Asia/Shanghai"),
        periods=overrides.get("periods", WorkingCalendar.periods),
        weekend=overrides.get("weekend", WorkingCalendar.weekend),
        days_off=frozenset(day for s in schedules for day in s.days_off),
        extra_workdays=frozenset(day for s in schedules for day in s.extra_workdays),
        confirmed_years=frozenset(s.year for s in schedules if s.confirmed),
    )
    return _apply_company_dates(calendar, overrides)


def _apply_company_dates(
    calendar: WorkingCalendar, overrides: CalendarOverrides
) -> WorkingCalendar:
    company_off = frozenset(overrides.get("days_off", ()))
    company_work = frozenset(overrides.get("extra_workdays", ()))
    both = sorted(company_off & company_work)
    if both:
        raise InputError("calendar.company_dates.both", date=both[0].isoformat())
    calendar = calendar.with_days_off(*company_off).with_extra_workdays(*company_work)
    if "confirmed_years" in overrides:
        return replace(calendar, confirmed_years=frozenset(overrides["confirmed_years"]))
    return calendar


def _years(years: Iterable[int] | None) -> frozenset[int]:
    chosen = default_years() if years is None else frozenset(years)
    if not chosen:
        raise InputError("calendar.china.no_years")
    return chosen


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not 1950 <= year <= 2099:
        raise InputError("calendar.china.year_out_of_range", year=repr(year))
