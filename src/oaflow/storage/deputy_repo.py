"""Out-of-office delegations (ORG-3, 代理) in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, delete, insert, select

from oaflow.domain.org import Delegation
from oaflow.storage.org_repo import bump_revision
from oaflow.storage.tables import deputies


def _delegation(login: str, deputy: str, starts: datetime, ends: datetime) -> Delegation:
    return Delegation(user=login, deputy=deputy, starts=starts, ends=ends)


def all_delegations(conn: Connection) -> list[Delegation]:
    rows = conn.execute(
        select(
            deputies.c.login, deputies.c.deputy, deputies.c.starts_at, deputies.c.ends_at
        ).order_by(deputies.c.starts_at, deputies.c.id)
    ).all()
    return [_delegation(*row) for row in rows]


def overlapping(conn: Connection, login: str, starts: datetime, ends: datetime) -> list[Delegation]:
    """``login``'s delegations whose period meets [starts, ends)."""
    rows = conn.execute(
        select(deputies.c.login, deputies.c.deputy, deputies.c.starts_at, deputies.c.ends_at)
        .where(deputies.c.login == login)
        .where(and_(deputies.c.starts_at < ends, deputies.c.ends_at > starts))
    ).all()
    return [_delegation(*row) for row in rows]


def add(conn: Connection, delegation: Delegation, created_at: datetime) -> None:
    """Record a delegation (a new revision of the organisation: caches of it reload)."""
    bump_revision(conn)
    conn.execute(
        insert(deputies).values(
            login=delegation.user,
            deputy=delegation.deputy,
            starts_at=delegation.starts,
            ends_at=delegation.ends,
            created_at=created_at,
        )
    )


def clear(conn: Connection, login: str) -> int:
    """Remove every delegation of ``login``; returns how many there were."""
    removed = int(conn.execute(delete(deputies).where(deputies.c.login == login)).rowcount)
    if removed:
        bump_revision(conn)
    return removed
