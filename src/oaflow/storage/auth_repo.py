"""Passwords, sessions, API tokens and failed sign-ins in the database (SEC-1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from oaflow.storage.tables import api_tokens, credentials, sessions, sign_in_failures


def password_hash(conn: Connection, login: str) -> str | None:
    query = select(credentials.c.password_hash).where(credentials.c.login == login)
    value = conn.execute(query).scalar()
    return str(value) if value is not None else None


def set_password_hashes(conn: Connection, hashes: dict[str, str], at: datetime) -> None:
    """Store (or replace) the password hashes of these logins."""
    if not hashes:
        return
    conn.execute(delete(credentials).where(credentials.c.login.in_(list(hashes))))
    conn.execute(
        insert(credentials),
        [{"login": k, "password_hash": v, "changed_at": at} for k, v in hashes.items()],
    )


def add_session(conn: Connection, **values: Any) -> None:
    conn.execute(insert(sessions).values(**values))


def session(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    row = conn.execute(select(sessions).where(sessions.c.token_hash == token_hash)).first()
    return dict(row._mapping) if row else None


def end_session(conn: Connection, token_hash: str) -> int:
    return int(conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash)).rowcount)


def end_sessions_of(conn: Connection, logins: Sequence[str]) -> int:
    if not logins:
        return 0
    return int(conn.execute(delete(sessions).where(sessions.c.login.in_(list(logins)))).rowcount)


def add_token(conn: Connection, **values: Any) -> int:
    return int(
        conn.execute(insert(api_tokens).values(**values).returning(api_tokens.c.id)).scalar_one()
    )


def token_by_hash(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash)).first()
    return dict(row._mapping) if row else None


def tokens(conn: Connection, login: str | None = None) -> list[dict[str, Any]]:
    query = select(api_tokens).order_by(api_tokens.c.id)
    if login is not None:
        query = query.where(api_tokens.c.login == login)
    return [dict(r._mapping) for r in conn.execute(query)]


def token_by_id(conn: Connection, token_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
    return dict(row._mapping) if row else None


def revoke_tokens(conn: Connection, ids: Sequence[int], at: datetime) -> int:
    query = update(api_tokens).where(
        api_tokens.c.id.in_(list(ids)), api_tokens.c.revoked_at.is_(None)
    )
    return int(conn.execute(query.values(revoked_at=at)).rowcount)


def revoke_tokens_of(conn: Connection, logins: Sequence[str], at: datetime) -> int:
    if not logins:
        return 0
    query = update(api_tokens).where(
        api_tokens.c.login.in_(list(logins)), api_tokens.c.revoked_at.is_(None)
    )
    return int(conn.execute(query.values(revoked_at=at)).rowcount)


def failures(conn: Connection, keys: Sequence[str]) -> dict[str, tuple[int, datetime]]:
    query = select(sign_in_failures).where(sign_in_failures.c.key.in_(list(keys)))
    return {str(r.key): (int(r._mapping["count"]), r.first_at) for r in conn.execute(query)}


def record_failure(conn: Connection, key: str, at: datetime, window_start: datetime) -> None:
    """Count a failed sign-in under ``key``; counting starts again after ``window_start``."""
    found = failures(conn, [key]).get(key)
    if found is None or found[1] < window_start:
        conn.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))
        conn.execute(insert(sign_in_failures).values(key=key, count=1, first_at=at))
    else:
        conn.execute(
            update(sign_in_failures)
            .where(sign_in_failures.c.key == key)
            .values(count=sign_in_failures.c.count + 1)
        )


def clear_failures(conn: Connection, keys: Sequence[str]) -> None:
    conn.execute(delete(sign_in_failures).where(sign_in_failures.c.key.in_(list(keys))))
