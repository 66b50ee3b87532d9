"""The in-app notification centre: each recipient's copy of an outgoing message (NTF-2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from oaflow.storage.tables import inbox, instances, outbox


def messages_of(
    conn: Connection,
    login: str,
    unread_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
    event: str | None = None,
) -> list[dict[str, Any]]:
    """``login``'s notifications (of one ``event`` when given), newest first (one page of
    them when ``limit`` is given)."""
    query = (
        select(
            inbox.c.id,
            inbox.c.read_at,
            outbox.c.event,
            outbox.c.data,
            outbox.c.created_at,
            outbox.c.task_id,
            instances.c.business_key,
        )
        .join(outbox, outbox.c.message_id == inbox.c.message_id)
        .outerjoin(instances, instances.c.id == outbox.c.instance_id)
        .where(inbox.c.login == login)
        .order_by(inbox.c.id.desc())
    )
    if unread_only:
        query = query.where(inbox.c.read_at.is_(None))
    if event is not None:
        query = query.where(outbox.c.event == event)
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return [dict(r._mapping) for r in conn.execute(query)]


def count_of(
    conn: Connection, login: str, unread_only: bool = False, event: str | None = None
) -> int:
    query = select(func.count()).select_from(inbox).where(inbox.c.login == login)
    if unread_only:
        query = query.where(inbox.c.read_at.is_(None))
    if event is not None:
        query = query.join(outbox, outbox.c.message_id == inbox.c.message_id).where(
            outbox.c.event == event
        )
    return int(conn.execute(query).scalar_one())


def unread_count(conn: Connection, login: str) -> int:
    query = select(func.count()).where(inbox.c.login == login, inbox.c.read_at.is_(None))
    return int(conn.execute(query).scalar_one())


def mark_read(conn: Connection, login: str, ids: list[int] | None, at: datetime) -> int:
    """Mark ``ids`` (or every unread one when None) of ``login``'s notifications as read."""
    query = update(inbox).where(inbox.c.login == login, inbox.c.read_at.is_(None))
    if ids is not None:
        query = query.where(inbox.c.id.in_(ids))
    return int(conn.execute(query.values(read_at=at)).rowcount)
