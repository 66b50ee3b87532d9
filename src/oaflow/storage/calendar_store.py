"""Loading the business calendar from the database (TIME-1): the stored days and settings,
or the library's China calendar for a database that has none yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError, ProgrammingError

from oaflow.domain.calendar import DEFAULT_PERIODS, WorkingCalendar
from oaflow.domain.calendar_text import parse_periods, parse_weekend, parse_years
from oaflow.domain.holidays_cn import china_calendar
from oaflow.storage import calendar_repo as repo
from oaflow.storage.calendar_repo import OFF, WORK
from oaflow.storage.database import Database

T = TypeVar("T")


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


def stored_calendar(db: Database, default_tz: str = "Asia/Shanghai") -> tuple[WorkingCalendar, str]:
    """``load_calendar`` on a connection of its own, with the revision it was read at; a
    schema without the calendar table (not upgraded yet) gets the library's China calendar."""
    return _read_or(
        db,
        lambda conn: (load_calendar(conn, default_tz), repo.revision(conn)),
        lambda: (china_calendar(tz=default_tz), ""),
    )


def stored_revision(db: Database) -> str:
    """The calendar's revision in the database ("" on a schema without the table)."""
    return _read_or(db, repo.revision, lambda: "")


def _read_or(db: Database, read: Callable[[Connection], T], without_table: Callable[[], T]) -> T:
    """``read`` on a connection outside the pool (App.calendar is asked inside
    transactions); ``without_table`` on a schema that has no calendar yet."""
    try:
        with db.read_outside_pool() as conn:
            return read(conn)
    except (OperationalError, ProgrammingError):
        if repo.has_calendar(db.engine):
            raise
        return without_table()
