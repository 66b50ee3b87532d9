"""Idempotency keys: one row per (caller, key) with the first answer (INT-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from oaflow.storage.runtime_sql import for_driver, sqlite_time
from oaflow.storage.tables import idempotency_keys as keys

#: the claim inside another transaction, on its driver connection (Database.JOINING): a new
#: row, or one over a kept answer that has expired; its key comes back when it was written
_CLAIM = (
    "INSERT INTO idempotency_keys (login, key, fingerprint, created_at) "
    "VALUES (:login, :key, :fingerprint, :now) "
    "ON CONFLICT (login, key) DO UPDATE SET fingerprint = excluded.fingerprint, "
    "created_at = excluded.created_at, status = NULL, content_type = NULL, body = NULL "
    "WHERE idempotency_keys.created_at < :expired RETURNING key"
)


def forget_before(conn: Connection, before: datetime) -> None:
    conn.execute(delete(keys).where(keys.c.created_at < before))


def find(conn: Connection, login: str, key: str) -> dict[str, Any] | None:
    row = conn.execute(select(keys).where(keys.c.login == login, keys.c.key == key)).first()
    return dict(row._mapping) if row else None


def claim_on(
    dbapi: Any,
    dialect: str,
    login: str,
    key: str,
    fingerprint: str,
    now: datetime,
    expired: datetime,
) -> bool:
    """Claim the key in the transaction open on the driver connection ``dbapi``; False
    when another request holds it (or has answered under it meanwhile)."""
    params: dict[str, Any] = {
        "login": login,
        "key": key,
        "fingerprint": fingerprint,
        "now": sqlite_time(now) if dialect == "sqlite" else now,
        "expired": sqlite_time(expired) if dialect == "sqlite" else expired,
    }
    cursor = dbapi.cursor()
    try:
        cursor.execute(for_driver(_CLAIM, dialect), params)
        return cursor.fetchone() is not None
    finally:
        cursor.close()


def restart(conn: Connection, login: str, key: str, now: datetime, was: datetime) -> bool:
    """Take over an abandoned claim (its request's server stopped); False when another
    retry took it first."""
    taken = conn.execute(
        update(keys)
        .where(
            keys.c.login == login,
            keys.c.key == key,
            keys.c.status.is_(None),
            keys.c.created_at == was,
        )
        .values(created_at=now)
    )
    return taken.rowcount == 1


def answer(
    conn: Connection, login: str, key: str, status: int, content_type: str, body: bytes
) -> None:
    conn.execute(
        update(keys)
        .where(keys.c.login == login, keys.c.key == key)
        .values(status=status, content_type=content_type, body=body)
    )


def insert_answer(
    conn: Connection,
    login: str,
    key: str,
    fingerprint: str,
    now: datetime,
    expired: datetime,
    answer: tuple[int, str, bytes],
) -> None:
    """Keep the answer of a request that changed nothing (so claimed nothing), over a kept
    answer that has expired; a row another request wrote meanwhile stays as it is."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    status, content_type, body = answer
    values = {
        "login": login,
        "key": key,
        "fingerprint": fingerprint,
        "created_at": now,
        "status": status,
        "content_type": content_type,
        "body": body,
    }
    insert = dialect.insert(keys).values(values)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[keys.c.login, keys.c.key],
            set_={name: insert.excluded[name] for name in values if name not in ("login", "key")},
            where=keys.c.created_at < expired,
        )
    )


def release(conn: Connection, login: str, key: str) -> None:
    conn.execute(delete(keys).where(keys.c.login == login, keys.c.key == key))
