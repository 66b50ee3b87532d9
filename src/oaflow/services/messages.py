"""Reading messages: the outbox and where each message went (administrators and auditors,
NTF-5), and a person's in-app notification centre (NTF-2). Typed views; the adapters word
them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oaflow.domain.errors import InputError
from oaflow.domain.security import Permission, Principal
from oaflow.domain.text import Text
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.services.view_parts import Names
from oaflow.services.views import Person
from oaflow.storage import inbox_repo, notices_repo, notify_repo


@dataclass(frozen=True)
class OutboxMessage:
    message_id: str
    event: str
    recipients: tuple[Person, ...]
    business_key: str | None
    task_id: int | None
    node: Text | None
    created_at: datetime
    status: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Delivery:
    """One message's delivery to one channel endpoint (and address)."""

    id: int
    message_id: str
    event: str
    business_key: str | None
    endpoint: str
    kind: str
    recipient: Person | None
    address: str
    status: str
    attempts: int
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class Notification:
    id: int
    read: bool
    event: str
    business_key: str | None
    task_id: int | None
    node: Text | None
    note: str
    at: datetime


@dataclass(frozen=True)
class Inbox:
    unread: int
    items: tuple[Notification, ...]
    total: int = 0  # how many there are in all (of the unread only, when asked for those)


def _node(data: Mapping[str, Any]) -> Text | None:
    if not data.get("node_zh") and not data.get("node_en"):
        return None
    return Text(str(data.get("node_zh") or ""), str(data.get("node_en") or ""))


def outbox(app: App, who: Principal, recipient: str | None = None) -> list[OutboxMessage]:
    """Outgoing messages, oldest first (auditors and administrators)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        rows = notices_repo.messages(conn, recipient=recipient)
        names = Names(app.org(conn))
    return [
        OutboxMessage(
            message_id=r["message_id"],
            event=r["event"],
            recipients=names.people(r["recipients"]),
            business_key=r["business_key"],
            task_id=r["task_id"],
            node=_node(r["data"]),
            created_at=r["created_at"],
            status=r["status"],
            data=r["data"],
        )
        for r in rows
    ]


def deliveries(app: App, who: Principal, status: str | None = None) -> list[Delivery]:
    """Where each message went, oldest first; ``status='dead'``: the dead letters."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        rows = notify_repo.delivery_list(conn, status)
        names = Names(app.org(conn))
    return [
        Delivery(
            id=r["id"],
            message_id=r["message_id"],
            event=r["event"],
            business_key=r["data"].get("business_key"),
            endpoint=r["endpoint"],
            kind=r["kind"],
            recipient=names.person(r["login"]),
            address=r["address"] or "",
            status=r["status"],
            attempts=r["attempts"],
            sent_at=r["sent_at"],
            next_attempt_at=r["next_attempt_at"],
            last_error=r["last_error"] or "",
        )
        for r in rows
    ]


def notifications(
    app: App,
    who: Principal,
    unread_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
    event: str | None = None,
) -> Inbox:
    """``who``'s own notifications (of one ``event`` when given: ``cc``, the copies),
    newest first (one page when ``limit`` is given), with the unread count and how many
    match in all."""
    with app.db.read() as conn:
        rows = inbox_repo.messages_of(conn, who.login, unread_only, limit, offset, event)
        unread = inbox_repo.unread_count(conn, who.login)
        total = (
            inbox_repo.count_of(conn, who.login, unread_only, event)
            if limit is not None
            else len(rows)
        )
    return Inbox(
        unread,
        tuple(
            Notification(
                id=r["id"],
                read=r["read_at"] is not None,
                event=r["event"],
                business_key=r["business_key"],
                task_id=r["task_id"],
                node=_node(r["data"]),
                note=str(r["data"].get("note") or ""),
                at=r["created_at"],
            )
            for r in rows
        ),
        total,
    )


def unread_count(app: App, who: Principal) -> int:
    """How many of ``who``'s notifications are unread (the badge)."""
    with app.db.read() as conn:
        return inbox_repo.unread_count(conn, who.login)


def mark_read(app: App, who: Principal, ids: list[int] | None) -> int:
    """Mark ``who``'s notifications read (every unread one when ``ids`` is None)."""
    if ids is not None and not ids:
        raise InputError("inbox.nothing_given")
    with app.db.write() as conn:
        return inbox_repo.mark_read(conn, who.login, ids, app.now())
