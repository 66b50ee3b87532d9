"""The enterprise's business calendar, kept in the database (TIME-1).

The national schedule (public holidays and 调休 working days) is seeded from the
``holidays`` library at ``oaflow init`` as 'official' rows; the enterprise's own days off
and extra working days are 'company' rows, which win over official ones and survive
re-seeding. Years the library has no official notice for are seeded with its estimates but
left out of the confirmed years, so deadlines touching them are flagged provisional.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError, ProgrammingError

from oaflow.domain import calendar_file
from oaflow.domain.calendar import DEFAULT_PERIODS, Period, WorkingCalendar
from oaflow.domain.errors import InputError, ValidationError
from oaflow.domain.holidays_cn import china_calendar, china_schedule, library_confirmed_years
from oaflow.storage import calendar_repo as repo
from oaflow.storage.calendar_repo import COMPANY, OFF, OFFICIAL, WORK, CalendarDay
from oaflow.storage.database import Database

if TYPE_CHECKING:
    from oaflow.services.app import App

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


# -- loading ------------------------------------------------------------------------------


def load_calendar(conn: Connection, default_tz: str = "Asia/Shanghai") -> WorkingCalendar:
    """The calendar as stored; a database without calendar days (from before the calendar
    table was seeded) gets the library's China calendar with the stored settings."""
    stored = repo.load_settings(conn)
    base = WorkingCalendar(
        tz=stored.get("timezone", default_tz),
        periods=parse_periods(stored["periods"]) if "periods" in stored else DEFAULT_PERIODS,
        weekend=parse_weekend(stored["weekend"]) if "weekend" in stored else frozenset({5, 6}),
    )
    rows = repo.days(conn)
    if not rows:
        return china_calendar(tz=base.tz, periods=base.periods, weekend=base.weekend)
    return replace(
        base,
        days_off=frozenset(r.day for r in rows if r.kind == OFF),
        extra_workdays=frozenset(r.day for r in rows if r.kind == WORK),
        confirmed_years=parse_years(stored.get("confirmed_years", "")),
    )


def stored_calendar(db: Database, default_tz: str = "Asia/Shanghai") -> WorkingCalendar:
    """``load_calendar`` on a connection of its own; a schema without the calendar table
    (not upgraded yet) gets the library's China calendar."""
    try:
        with db.read() as conn:
            return load_calendar(conn, default_tz)
    except (OperationalError, ProgrammingError):
        if repo.has_calendar(db.engine):
            raise
        return china_calendar(tz=default_tz)


# -- seeding ------------------------------------------------------------------------------


def seed_years(app: App, tz: str) -> frozenset[int]:
    """Every year the library has an official notice for, the one after the last of them,
    and the current and next year (in the time zone ``tz``)."""
    confirmed = library_confirmed_years()
    this_year = app.now().astimezone(ZoneInfo(tz)).year
    return confirmed | {max(confirmed) + 1, this_year, this_year + 1}


def seed(app: App) -> int:
    """(Re)write the official rows of the seed years from the library; company rows and
    years an administrator confirmed by hand are kept. Returns the official rows written."""
    library = library_confirmed_years()
    written = 0
    with app.db.write() as conn:
        stored = repo.load_settings(conn)
        by_hand = parse_years(stored.get("confirmed_years", "")) - library
        years = seed_years(app, stored.get("timezone", app.default_timezone))
        for year in sorted(years - by_hand):
            rows = official_rows(year)
            written += repo.replace_official(conn, date(year, 1, 1), date(year, 12, 31), rows)
        repo.put_setting(conn, "confirmed_years", years_text(library | by_hand))
        for name, value in _defaults(app).items():
            if name not in stored:
                repo.put_setting(conn, name, value)
        load_calendar(conn, app.default_timezone)  # the result must be a valid calendar
    app.forget_calendar()
    return written


@lru_cache(maxsize=256)
def official_rows(year: int) -> tuple[CalendarDay, ...]:
    """The library's schedule of ``year`` as official rows (the library's data is fixed for
    the life of the process, so it is worked out once per year)."""
    schedule = china_schedule(year)
    rows = [CalendarDay(d, OFF, name, OFFICIAL) for d, name in schedule.days_off.items()]
    for day in sorted(schedule.extra_workdays):
        swapped = [d for d, name in schedule.days_off.items() if day.isoformat() in name]
        name = f"调休上班（{swapped[0].isoformat()} 休息）" if swapped else "调休上班"
        rows.append(CalendarDay(day, WORK, name, OFFICIAL))
    return tuple(sorted(rows, key=lambda r: r.day))


def _defaults(app: App) -> dict[str, str]:
    return {
        "timezone": app.default_timezone,
        "periods": periods_text(DEFAULT_PERIODS),
        "weekend": weekend_text(frozenset({5, 6})),
    }


# -- changes ------------------------------------------------------------------------------


def set_day(app: App, day: date, kind: str, name: str = "") -> CalendarDay:
    """Make ``day`` a company day off (``kind='off'``) or working day (``'work'``)."""
    if kind not in (OFF, WORK):
        raise InputError(f"unknown kind of day {kind!r}", "use 'off' or 'work'")
    row = CalendarDay(day, kind, calendar_file.check_name(name), COMPANY)
    with _change(app) as conn:
        repo.put_days(conn, [row])
    return row


def reset_day(app: App, day: date) -> CalendarDay | None:
    """Drop the company setting of ``day``: it is again what the national schedule says
    (the official row, if the year is seeded). Returns the row now stored, if any."""
    with _change(app) as conn:
        repo.remove_day(conn, day)
        year = repo.days(conn, date(day.year, 1, 1), date(day.year, 12, 31))
        seeded = any(r.source == OFFICIAL for r in year)
        official = [r for r in official_rows(day.year) if r.day == day] if seeded else []
        repo.put_days(conn, official)
    return official[0] if official else None


def import_days(app: App, path: Path) -> list[CalendarDay]:
    """Company days from a CSV or .xlsx file with the columns date, kind, name. Every bad
    row is reported at once (with its line) and then nothing changes."""
    rows, problems = calendar_file.read_days(path.name, _file_bytes(path))
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise InputError(f"'{path.name}' has no days", "add rows below the header date,kind,name")
    stored = [CalendarDay(r.day, r.kind, r.name, COMPANY) for r in rows]
    with _change(app) as conn:
        repo.put_days(conn, stored)
    return stored


def _file_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("calendar.file.missing", path=str(path)) from None
    except OSError as exc:
        raise InputError("calendar.file.unreadable", path=str(path), detail=exc.strerror) from None


def set_hours(app: App, periods: str) -> tuple[Period, ...]:
    """The daily working periods, e.g. ``09:00-12:00,13:30-18:00``."""
    parsed = parse_periods(periods)
    with _change(app) as conn:
        repo.put_setting(conn, "periods", periods_text(parsed))
    return parsed


def set_timezone(app: App, tz: str) -> str:
    """The enterprise's time zone (an IANA name such as ``Asia/Shanghai``)."""
    WorkingCalendar(tz=tz.strip())  # checks the name
    with _change(app) as conn:
        repo.put_setting(conn, "timezone", tz.strip())
    return tz.strip()


def set_weekend(app: App, weekend: str) -> frozenset[int]:
    """The weekly days off, e.g. ``sat,sun`` (or ``sun`` for a six-day week)."""
    parsed = parse_weekend(weekend)
    with _change(app) as conn:
        repo.put_setting(conn, "weekend", weekend_text(parsed))
    return parsed


def confirm_year(app: App, year: int) -> None:
    """Mark ``year``'s official schedule as entered (after importing it by hand, before the
    library has it): deadlines in it are no longer provisional and re-seeding keeps it."""
    _check_year(year)
    with _change(app) as conn:
        years = parse_years(repo.load_settings(conn).get("confirmed_years", ""))
        repo.put_setting(conn, "confirmed_years", years_text(years | {year}))


@contextmanager
def _change(app: App) -> Iterator[Connection]:
    """A write transaction that checks the resulting calendar before it commits (a bad
    result rolls everything back), after which the App loads the new calendar."""
    try:
        with app.db.write() as conn:
            yield conn
            load_calendar(conn, app.default_timezone)
    finally:
        app.forget_calendar()


# -- reading ------------------------------------------------------------------------------


def show(app: App, year: int | None = None) -> dict[str, Any]:
    """One year of the calendar: its days off and working days, the settings, and whether
    the year's official schedule is confirmed (else deadlines in it are provisional)."""
    calendar = app.calendar
    if year is None:
        year = app.now().astimezone(_zone_of(app)).year
    _check_year(year)
    with app.db.read() as conn:
        rows = repo.days(conn, date(year, 1, 1), date(year, 12, 31))
    confirmed = year in calendar.confirmed_years
    return {
        "year": year,
        "confirmed": confirmed,
        "provisional": not confirmed,
        "timezone": calendar.tz,
        "hours": periods_text(calendar.periods),
        "weekend": weekend_text(calendar.weekend),
        "days": [
            {
                "date": r.day.isoformat(),
                "weekday": WEEKDAYS[r.day.weekday()],
                "kind": r.kind,
                "name": r.name,
                "source": r.source,
            }
            for r in rows
        ],
    }


# -- text forms of the settings -----------------------------------------------------------


def parse_periods(text: str) -> tuple[Period, ...]:
    """``09:00-12:00,13:30-18:00`` -> ((09:00, 12:00), (13:30, 18:00)), checked."""
    periods = tuple(_period(part) for part in text.split(","))
    return WorkingCalendar(periods=periods).periods


def _period(text: str) -> Period:
    found = _PERIOD.fullmatch(text)
    try:
        if found is None:
            raise ValueError(text)
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        return time(h1, m1), time(h2, m2)
    except ValueError:
        raise InputError(
            f"working period {text.strip()!r} is not HH:MM-HH:MM",
            "give the periods like 09:00-12:00,13:30-18:00",
        ) from None


def periods_text(periods: tuple[Period, ...]) -> str:
    return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in periods)


def parse_weekend(text: str) -> frozenset[int]:
    """``sat,sun`` -> {5, 6}; an empty text means no weekly day off."""
    names = [part.strip().lower()[:3] for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in WEEKDAYS]
    if unknown:
        raise InputError(
            f"{', '.join(unknown)} is not a day of the week",
            "name the weekly days off like sat,sun (mon tue wed thu fri sat sun)",
        )
    weekend = frozenset(WEEKDAYS.index(name) for name in names)
    if len(weekend) == len(WEEKDAYS):
        raise InputError(
            "every day of the week would be a day off", "leave at least one working weekday"
        )
    return weekend


def weekend_text(weekend: frozenset[int]) -> str:
    return ",".join(WEEKDAYS[day] for day in sorted(weekend))


def parse_years(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part.strip())


def years_text(years: frozenset[int]) -> str:
    return ",".join(str(year) for year in sorted(years))


def _check_year(year: int) -> None:
    if not 1950 <= year <= 2099:
        raise InputError(f"year {year} is outside 1950–2099", "give a year such as 2027")


def _zone_of(app: App) -> ZoneInfo:
    return ZoneInfo(app.calendar.tz)
