"""The in-app notification centre: each recipient's copy of an outgoing message (NTF-2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from oaflow.storage.tables import inbox, instances, outbox


def messages_of(conn: Connection, login: str, unread_only: bool = False) -> list[dict[str, Any]]:
    """``login``'s notifications, newest first."""
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
    return [dict(r._mapping) for r in conn.execute(query)]


def unread_count(conn: Connection, login: str) -> int:
    query = select(func.count()).where(inbox.c.login == login, inbox.c.read_at.is_(None))
    return int(conn.execute(query).scalar_one())


def mark_read(conn: Connection, login: str, ids: list[int] | None, at: datetime) -> int:
    """Mark ``ids`` (or every unread one when None) of ``login``'s notifications as read."""
    query = update(inbox).where(inbox.c.login == login, inbox.c.read_at.is_(None))
    if ids is not None:
        query = query.where(inbox.c.id.in_(ids))
    return int(conn.execute(query.values(read_at=at)).rowcount)
