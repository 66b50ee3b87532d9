"""The enterprise's business calendar, kept in the database (TIME-1).

The national schedule (public holidays and 调休 working days) is seeded from the
``holidays`` library at ``oaflow init`` as 'official' rows; the enterprise's own days off
and extra working days are 'company' rows, which win over official ones and survive
re-seeding. Years the library has no official notice for are seeded with its estimates but
left out of the confirmed years, so deadlines touching them are flagged provisional.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain import calendar_file
from oaflow.domain.calendar import DEFAULT_PERIODS, Period, WorkingCalendar
from oaflow.domain.calendar_text import (
    parse_periods,
    parse_weekend,
    parse_years,
    periods_text,
    weekend_text,
    years_text,
)
from oaflow.domain.errors import InputError, ValidationError
from oaflow.domain.holidays_cn import china_schedule, library_confirmed_years
from oaflow.domain.security import SYSTEM, Permission, Principal
from oaflow.services import audit, authz
from oaflow.services.audit import AuditAction
from oaflow.services.files import read_bytes
from oaflow.storage import calendar_repo as repo
from oaflow.storage.calendar_repo import COMPANY, OFF, OFFICIAL, WORK, CalendarDay
from oaflow.storage.calendar_store import load_calendar

if TYPE_CHECKING:
    from oaflow.services.app import App


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
        repo.bump_revision(conn)
        seeded = f"{min(years)}-{max(years)}"
        audit.record(app, conn, SYSTEM, AuditAction.CALENDAR_SEED, "calendar", years=seeded)
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


def set_day(app: App, who: Principal, day: date, kind: str, name: str = "") -> CalendarDay:
    """Make ``day`` a company day off (``kind='off'``) or working day (``'work'``)."""
    if kind not in (OFF, WORK):
        raise InputError("calendar.day_kind_unknown", kind=kind)
    row = CalendarDay(day, kind, calendar_file.check_name(name), COMPANY)
    with _change(
        app, who, _Change(AuditAction.CALENDAR_DAY_SET, f"day:{day}", kind=kind, name=row.name)
    ) as conn:
        repo.put_days(conn, [row])
    return row


def reset_day(app: App, who: Principal, day: date) -> CalendarDay | None:
    """Drop the company setting of ``day``: it is again what the national schedule says
    (the official row, if the year is seeded). Returns the row now stored, if any."""
    with _change(app, who, _Change(AuditAction.CALENDAR_DAY_RESET, f"day:{day}")) as conn:
        repo.remove_day(conn, day)
        year = repo.days(conn, date(day.year, 1, 1), date(day.year, 12, 31))
        seeded = any(r.source == OFFICIAL for r in year)
        official = [r for r in official_rows(day.year) if r.day == day] if seeded else []
        repo.put_days(conn, official)
    return official[0] if official else None


def import_days(app: App, who: Principal, path: Path) -> list[CalendarDay]:
    """Company days from a CSV or .xlsx file with the columns date, kind, name. Every bad
    row is reported at once (with its line) and then nothing changes."""
    return import_days_data(app, who, path.name, read_bytes(path))


def import_days_data(app: App, who: Principal, name: str, data: bytes) -> list[CalendarDay]:
    """The same from a file's bytes (an upload); ``name`` tells CSV from .xlsx."""
    path = Path(name)
    rows, problems = calendar_file.read_days(path.name, data)
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise InputError("calendar.file_empty", file=path.name)
    stored = [CalendarDay(r.day, r.kind, r.name, COMPANY) for r in rows]
    change = _Change(AuditAction.CALENDAR_IMPORT, "calendar", file=path.name, days=len(stored))
    with _change(app, who, change) as conn:
        repo.put_days(conn, stored)
    return stored


def set_hours(app: App, who: Principal, periods: str) -> tuple[Period, ...]:
    """The daily working periods, e.g. ``09:00-12:00,13:30-18:00``."""
    parsed = parse_periods(periods)
    text = periods_text(parsed)
    with _change(app, who, _Change(AuditAction.CALENDAR_HOURS, "calendar", periods=text)) as conn:
        repo.put_setting(conn, "periods", text)
    return parsed


def set_timezone(app: App, who: Principal, tz: str) -> str:
    """The enterprise's time zone (an IANA name such as ``Asia/Shanghai``)."""
    WorkingCalendar(tz=tz.strip())  # checks the name
    with _change(
        app, who, _Change(AuditAction.CALENDAR_TIMEZONE, "calendar", timezone=tz.strip())
    ) as conn:
        repo.put_setting(conn, "timezone", tz.strip())
    return tz.strip()


def set_weekend(app: App, who: Principal, weekend: str) -> frozenset[int]:
    """The weekly days off, e.g. ``sat,sun`` (or ``sun`` for a six-day week)."""
    parsed = parse_weekend(weekend)
    text = weekend_text(parsed)
    with _change(app, who, _Change(AuditAction.CALENDAR_WEEKEND, "calendar", weekend=text)) as conn:
        repo.put_setting(conn, "weekend", text)
    return parsed


def confirm_year(app: App, who: Principal, year: int) -> None:
    """Mark ``year``'s official schedule as entered (after importing it by hand, before the
    library has it): deadlines in it are no longer provisional and re-seeding keeps it."""
    _check_year(year)
    with _change(app, who, _Change(AuditAction.CALENDAR_CONFIRM_YEAR, f"year:{year}")) as conn:
        years = parse_years(repo.load_settings(conn).get("confirmed_years", ""))
        repo.put_setting(conn, "confirmed_years", years_text(years | {year}))


class _Change:
    """What a calendar change is, for the audit log."""

    def __init__(self, action: str, target: str, **detail: Any) -> None:
        self.action, self.target, self.detail = action, target, detail


@contextmanager
def _change(app: App, who: Principal, change: _Change) -> Iterator[Connection]:
    """An administrator's write transaction that checks the resulting calendar before it
    commits (a bad result rolls everything back) and records the change in the audit log,
    after which the App loads the new calendar."""
    try:
        with app.db.write() as conn:
            authz.authorize(app, conn, who, Permission.ADMINISTER)
            yield conn
            load_calendar(conn, app.default_timezone)
            repo.bump_revision(conn)  # other processes load it again
            audit.record(app, conn, who, change.action, change.target, **change.detail)
    finally:
        app.forget_calendar()


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarYear:
    """One year of the business calendar: its days off and working days (official and the
    company's), the settings, and whether the year's official schedule is confirmed (else
    deadlines in it are provisional)."""

    year: int
    confirmed: bool
    timezone: str
    periods: tuple[Period, ...]
    weekend: frozenset[int]
    days: tuple[CalendarDay, ...]


def show(app: App, who: Principal, year: int | None = None) -> CalendarYear:
    calendar = app.calendar
    if year is None:
        year = app.now().astimezone(_zone_of(app)).year
    _check_year(year)
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW)
        rows = repo.days(conn, date(year, 1, 1), date(year, 12, 31))
    return CalendarYear(
        year=year,
        confirmed=year in calendar.confirmed_years,
        timezone=calendar.tz,
        periods=calendar.periods,
        weekend=calendar.weekend,
        days=tuple(rows),
    )


def _check_year(year: int) -> None:
    if not 1950 <= year <= 2099:
        raise InputError("calendar.year_out_of_range", year=year)


def _zone_of(app: App) -> ZoneInfo:
    return ZoneInfo(app.calendar.tz)
