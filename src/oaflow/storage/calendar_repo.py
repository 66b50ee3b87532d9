"""The business calendar in the database (TIME-1).

``calendar_days`` holds one row per dated exception: a day off or a working day, with its
name and where it came from ('official': seeded from the national schedule; 'company': the
enterprise's own). The settings (time zone, working hours, weekend, confirmed years) are
rows of ``settings`` named ``calendar.*``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, delete, insert, inspect, select

from oaflow.storage.tables import calendar_days, settings

OFF, WORK = "off", "work"
OFFICIAL, COMPANY = "official", "company"
PREFIX = "calendar."
#: bumped by every change, so that other processes notice it (``revision``)
REVISION = "revision"


@dataclass(frozen=True)
class CalendarDay:
    day: date
    kind: str  # OFF | WORK
    name: str
    source: str  # OFFICIAL | COMPANY


def has_calendar(engine: Engine) -> bool:
    """True once the schema has the calendar table (a database upgraded to 0002)."""
    return inspect(engine).has_table(calendar_days.name)


def days(
    conn: Connection, first: date | None = None, last: date | None = None
) -> list[CalendarDay]:
    """The stored days from ``first`` to ``last`` (both included; open ends: all), in order."""
    query = select(calendar_days).order_by(calendar_days.c.day)
    if first is not None:
        query = query.where(calendar_days.c.day >= first)
    if last is not None:
        query = query.where(calendar_days.c.day <= last)
    return [CalendarDay(r.day, r.kind, r.name, r.source) for r in conn.execute(query)]


def company_dates(conn: Connection, first: date, last: date) -> set[date]:
    query = select(calendar_days.c.day).where(
        calendar_days.c.source == COMPANY,
        calendar_days.c.day >= first,
        calendar_days.c.day <= last,
    )
    return set(conn.execute(query).scalars())


def replace_official(conn: Connection, first: date, last: date, rows: Iterable[CalendarDay]) -> int:
    """Replace the official rows from ``first`` to ``last`` by ``rows``; a date held by a
    company row keeps it. Returns how many official rows were written."""
    conn.execute(
        delete(calendar_days).where(
            calendar_days.c.source == OFFICIAL,
            calendar_days.c.day >= first,
            calendar_days.c.day <= last,
        )
    )
    taken = company_dates(conn, first, last)
    fresh = [_values(r) for r in rows if r.day not in taken]
    if fresh:
        conn.execute(insert(calendar_days), fresh)
    return len(fresh)


def put_days(conn: Connection, rows: Iterable[CalendarDay]) -> None:
    """Store ``rows``, each replacing whatever row its date had."""
    values = [_values(r) for r in rows]
    if not values:
        return
    conn.execute(delete(calendar_days).where(calendar_days.c.day.in_([v["day"] for v in values])))
    conn.execute(insert(calendar_days), values)


def remove_day(conn: Connection, day: date) -> None:
    conn.execute(delete(calendar_days).where(calendar_days.c.day == day))


def load_settings(conn: Connection) -> dict[str, str]:
    """The calendar settings by short name (``timezone``, ``periods``…)."""
    query = select(settings.c.name, settings.c.value).where(settings.c.name.like(f"{PREFIX}%"))
    return {name.removeprefix(PREFIX): value for name, value in conn.execute(query)}


def put_setting(conn: Connection, name: str, value: str) -> None:
    full = PREFIX + name
    conn.execute(delete(settings).where(settings.c.name == full))
    conn.execute(insert(settings).values(name=full, value=value))


def revision(conn: Connection) -> str:
    """The calendar's revision ("" before its first change)."""
    query = select(settings.c.value).where(settings.c.name == PREFIX + REVISION)
    return conn.execute(query).scalar() or ""


def bump_revision(conn: Connection) -> None:
    current = revision(conn)
    put_setting(conn, REVISION, str(int(current or 0) + 1))


def _values(row: CalendarDay) -> dict[str, object]:
    return {"day": row.day, "kind": row.kind, "name": row.name, "source": row.source}
