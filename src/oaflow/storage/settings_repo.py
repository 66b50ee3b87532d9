"""Small named values kept in the `settings` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from oaflow.storage.database import Database
from oaflow.storage.tables import settings


def get_instant(db: Database, name: str) -> datetime | None:
    with db.read() as conn:
        value = conn.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
    return datetime.fromisoformat(value) if value else None


def set_instant(db: Database, name: str, at: datetime) -> None:
    with db.write() as conn:
        changed = conn.execute(
            update(settings).where(settings.c.name == name).values(value=at.isoformat())
        ).rowcount
        if not changed:
            conn.execute(insert(settings).values(name=name, value=at.isoformat()))


# -- the same on a connection, inside a caller's transaction (a sweep's mark) --------------
def read_text(conn: Connection, name: str) -> str | None:
    """The value named ``name``; None when there is none (or it is empty)."""
    value = conn.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
    return value or None


def lock_text(conn: Connection, name: str) -> str | None:
    """The value named ``name``, its row locked for this transaction (PostgreSQL: a second
    worker waits; SQLite: the write lock serialises them); made empty if absent."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(settings).values(name=name, value="").on_conflict_do_nothing())
    query = select(settings.c.value).where(settings.c.name == name).with_for_update()
    return conn.execute(query).scalar() or None


def write_text(conn: Connection, name: str, value: str) -> None:
    """Set a value whose row ``lock_text`` made."""
    conn.execute(update(settings).where(settings.c.name == name).values(value=value))


def read_instant(conn: Connection, name: str) -> datetime | None:
    value = read_text(conn, name)
    return datetime.fromisoformat(value) if value else None


def lock_instant(conn: Connection, name: str) -> datetime | None:
    """``lock_text`` of an instant."""
    value = lock_text(conn, name)
    return datetime.fromisoformat(value) if value else None


def write_instant(conn: Connection, name: str, at: datetime) -> None:
    """Set an instant whose row ``lock_instant`` made."""
    write_text(conn, name, at.isoformat())
