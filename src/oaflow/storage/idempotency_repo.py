"""Idempotency keys: one row per (caller, key) with the first answer (INT-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from oaflow.storage.tables import idempotency_keys as keys


def forget_before(conn: Connection, before: datetime) -> None:
    conn.execute(delete(keys).where(keys.c.created_at < before))


def claim(
    conn: Connection, login: str, key: str, fingerprint: str, now: datetime
) -> dict[str, Any] | None:
    """Insert the claim; None when it is new, else the row that was there."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {"login": login, "key": key, "fingerprint": fingerprint, "created_at": now}
    insert = dialect.insert(keys).values(values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING
    if conn.execute(insert.returning(keys.c.key)).first() is not None:
        return None
    row = conn.execute(select(keys).where(keys.c.login == login, keys.c.key == key)).first()
    return dict(row._mapping) if row else None


def restart(conn: Connection, login: str, key: str, now: datetime) -> None:
    conn.execute(
        update(keys).where(keys.c.login == login, keys.c.key == key).values(created_at=now)
    )


def answer(
    conn: Connection, login: str, key: str, status: int, content_type: str, body: bytes
) -> None:
    conn.execute(
        update(keys)
        .where(keys.c.login == login, keys.c.key == key)
        .values(status=status, content_type=content_type, body=body)
    )


def release(conn: Connection, login: str, key: str) -> None:
    conn.execute(delete(keys).where(keys.c.login == login, keys.c.key == key))
