"""Channels, preferences, templates and deliveries of notifications (NTF-1..5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from oaflow.storage.tables import (
    deliveries,
    endpoints,
    instances,
    notify_templates,
    outbox,
    preferences,
    tasks,
    used_links,
)

Row = dict[str, Any]


def _insert_ignoring_duplicates(conn: Connection, table: Any, rows: Sequence[Row]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))


def _locked(conn: Connection, query: Select[Any]) -> Select[Any]:
    """Rows no other worker holds (PostgreSQL); SQLite's write lock serialises anyway."""
    if conn.dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


# -- endpoints ----------------------------------------------------------------------------
def add_endpoint(conn: Connection, **values: Any) -> int:
    query = insert(endpoints).values(**values).returning(endpoints.c.id)
    return int(conn.execute(query).scalar_one())


def endpoint_list(conn: Connection) -> list[Row]:
    return [dict(r._mapping) for r in conn.execute(select(endpoints).order_by(endpoints.c.id))]


def endpoint_named(conn: Connection, name: str) -> Row | None:
    row = conn.execute(select(endpoints).where(endpoints.c.name == name)).first()
    return dict(row._mapping) if row else None


def endpoint_by_id(conn: Connection, endpoint_id: int) -> Row | None:
    row = conn.execute(select(endpoints).where(endpoints.c.id == endpoint_id)).first()
    return dict(row._mapping) if row else None


def set_endpoint_enabled(conn: Connection, endpoint_id: int, enabled: bool, reason: str) -> None:
    conn.execute(
        update(endpoints)
        .where(endpoints.c.id == endpoint_id)
        .values(enabled=enabled, disabled_reason=reason)
    )


def update_endpoint(conn: Connection, endpoint_id: int, **values: Any) -> None:
    conn.execute(update(endpoints).where(endpoints.c.id == endpoint_id).values(**values))


def remove_endpoint(conn: Connection, endpoint_id: int) -> None:
    conn.execute(delete(deliveries).where(deliveries.c.endpoint_id == endpoint_id))
    conn.execute(delete(endpoints).where(endpoints.c.id == endpoint_id))


# -- preferences --------------------------------------------------------------------------
def preferences_of(conn: Connection, logins: Sequence[str]) -> dict[str, Row]:
    query = select(preferences).where(preferences.c.login.in_(list(logins)))
    return {r.login: dict(r._mapping) for r in conn.execute(query)}


def save_preferences(conn: Connection, login: str, **values: Any) -> None:
    changed = conn.execute(
        update(preferences).where(preferences.c.login == login).values(**values)
    ).rowcount
    if not changed:
        conn.execute(insert(preferences).values(login=login, **values))


def digest_subscribers(conn: Connection) -> list[Row]:
    query = select(preferences).where(preferences.c.digest_hour.is_not(None))
    return [dict(r._mapping) for r in conn.execute(query.order_by(preferences.c.login))]


# -- templates ----------------------------------------------------------------------------
def stored_templates(conn: Connection) -> dict[tuple[str, str], Row]:
    return {(r.event, r.locale): dict(r._mapping) for r in conn.execute(select(notify_templates))}


def save_template(conn: Connection, event: str, locale: str, **values: Any) -> None:
    where = (notify_templates.c.event == event) & (notify_templates.c.locale == locale)
    if not conn.execute(update(notify_templates).where(where).values(**values)).rowcount:
        conn.execute(insert(notify_templates).values(event=event, locale=locale, **values))


def reset_template(conn: Connection, event: str, locale: str) -> int:
    where = (notify_templates.c.event == event) & (notify_templates.c.locale == locale)
    return int(conn.execute(delete(notify_templates).where(where)).rowcount)


# -- outbox -> deliveries -----------------------------------------------------------------
def unrouted_messages(conn: Connection, limit: int) -> list[Row]:
    """New outbox messages, with the department of the task each is about."""
    query = (
        select(outbox, tasks.c.department.label("task_department"))
        .outerjoin(tasks, tasks.c.id == outbox.c.task_id)
        .where(outbox.c.status == "pending")
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=outbox)
    return [dict(r._mapping) for r in conn.execute(query)]


def existing_messages(conn: Connection, message_ids: Sequence[str]) -> set[str]:
    query = select(outbox.c.message_id).where(outbox.c.message_id.in_(list(message_ids)))
    return set(conn.execute(query).scalars())


def add_deliveries(conn: Connection, rows: Sequence[Row]) -> None:
    """New deliveries; one already there for the same message, endpoint and address stays."""
    _insert_ignoring_duplicates(conn, deliveries, rows)


def mark_routed(conn: Connection, outbox_ids: Sequence[int]) -> None:
    query = update(outbox).where(outbox.c.id.in_(list(outbox_ids)))
    conn.execute(query.values(status="routed"))


def claim_delivery(conn: Connection, now: datetime) -> Row | None:
    """The most overdue delivery that is due: waiting, or sending with an expired lease."""
    query = (
        select(deliveries)
        .where(
            deliveries.c.status.in_(("pending", "sending")),
            deliveries.c.next_attempt_at <= now,
        )
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(1)
    )
    row = conn.execute(_locked(conn, query)).first()
    return dict(row._mapping) if row else None


def next_delivery_due(conn: Connection) -> datetime | None:
    query = select(func.min(deliveries.c.next_attempt_at)).where(
        deliveries.c.status.in_(("pending", "sending"))
    )
    value: datetime | None = conn.execute(query).scalar()
    return value


def sent_since(conn: Connection, endpoint_id: int, since: datetime) -> list[datetime]:
    """When ``endpoint_id`` was last sent to (or is being sent to), oldest first."""
    query = select(deliveries.c.sent_at).where(
        deliveries.c.endpoint_id == endpoint_id, deliveries.c.sent_at > since
    )
    return sorted(conn.execute(query).scalars())


def update_delivery(
    conn: Connection, delivery_id: int, expected_attempts: int | None = None, **values: Any
) -> bool:
    """Change a delivery; with ``expected_attempts``, only if nobody claimed it again since."""
    query = update(deliveries).where(deliveries.c.id == delivery_id)
    if expected_attempts is not None:
        query = query.where(deliveries.c.attempts == expected_attempts)
    return bool(conn.execute(query.values(**values)).rowcount)


def message(conn: Connection, message_id: str) -> Row | None:
    query = select(outbox, instances.c.data.label("form"), instances.c.definition_id).outerjoin(
        instances, instances.c.id == outbox.c.instance_id
    )
    row = conn.execute(query.where(outbox.c.message_id == message_id)).first()
    return dict(row._mapping) if row else None


def delivery_list(
    conn: Connection, status: str | None = None, ids: Sequence[int] | None = None
) -> list[Row]:
    query = (
        select(
            deliveries,
            endpoints.c.name.label("endpoint"),
            endpoints.c.kind,
            outbox.c.event,
            outbox.c.data,
        )
        .join(endpoints, endpoints.c.id == deliveries.c.endpoint_id)
        .join(outbox, outbox.c.message_id == deliveries.c.message_id)
        .order_by(deliveries.c.id)
    )
    if status is not None:
        query = query.where(deliveries.c.status == status)
    if ids is not None:
        query = query.where(deliveries.c.id.in_(list(ids)))
    return [dict(r._mapping) for r in conn.execute(query)]


def redrive(conn: Connection, ids: Sequence[int] | None, now: datetime) -> int:
    """Dead deliveries (all of them when ``ids`` is None; discarded ones too when named)
    back to waiting, with their attempts counted anew."""
    if ids is None:
        query = update(deliveries).where(deliveries.c.status == "dead")
    else:
        query = update(deliveries).where(
            deliveries.c.status.in_(("dead", "discarded")), deliveries.c.id.in_(list(ids))
        )
    values = {"status": "pending", "attempts": 0, "next_attempt_at": now, "last_error": ""}
    return int(conn.execute(query.values(**values)).rowcount)


def discard(conn: Connection, ids: Sequence[int]) -> int:
    query = update(deliveries).where(
        deliveries.c.id.in_(list(ids)),
        or_(deliveries.c.status == "dead", deliveries.c.status == "pending"),
    )
    return int(conn.execute(query.values(status="discarded")).rowcount)


# -- action links -------------------------------------------------------------------------
def use_link(conn: Connection, nonce: str, task_id: int, at: datetime) -> None:
    """Record that a link was used; a second use violates the primary key."""
    conn.execute(insert(used_links).values(nonce=nonce, task_id=task_id, used_at=at))


def link_used(conn: Connection, nonce: str) -> bool:
    query = select(used_links.c.nonce).where(used_links.c.nonce == nonce)
    return conn.execute(query).first() is not None
