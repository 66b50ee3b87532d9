"""Rows of service endpoints and service calls (INT-2): the endpoints administrators
configure, the calls the worker claims (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: the
write lock), and the incidents read for administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select, update

from oaflow.storage.tables import instances, service_calls, service_endpoints

#: what a call's views show with it: its instance's business key and process
_CALL_COLUMNS = (
    *service_calls.c,
    instances.c.business_key,
    instances.c.definition_key.label("process_key"),
    instances.c.definition_id,
    instances.c.title,
)


def _dicts(conn: Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(query)]


# -- endpoints ----------------------------------------------------------------------------
def endpoint(conn: Connection, service: str) -> dict[str, Any] | None:
    query = select(service_endpoints).where(service_endpoints.c.service == service)
    found = _dicts(conn, query)
    return found[0] if found else None


def endpoints(conn: Connection) -> list[dict[str, Any]]:
    return _dicts(conn, select(service_endpoints).order_by(service_endpoints.c.service))


def put_endpoint(conn: Connection, row: dict[str, Any]) -> None:
    """Insert or replace the endpoint of ``row["service"]``."""
    found = endpoint(conn, row["service"])
    if found is None:
        conn.execute(insert(service_endpoints).values(**row))
        return
    where = service_endpoints.c.id == found["id"]
    conn.execute(update(service_endpoints).where(where).values(**row))


def remove_endpoint(conn: Connection, service: str) -> bool:
    where = service_endpoints.c.service == service
    return conn.execute(delete(service_endpoints).where(where)).rowcount == 1


# -- calls --------------------------------------------------------------------------------
def _calls() -> Select[Any]:
    return select(*_CALL_COLUMNS).join(instances, instances.c.id == service_calls.c.instance_id)


def claim_due(conn: Connection, now: datetime) -> dict[str, Any] | None:
    """A call due at ``now`` (pending, or running past its lease: its worker stopped),
    locked for this transaction."""
    query = (
        select(service_calls)
        .where(
            service_calls.c.next_at.is_not(None),
            service_calls.c.next_at <= now,
            service_calls.c.state.in_(("pending", "running")),
        )
        .order_by(service_calls.c.next_at, service_calls.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    found = _dicts(conn, query)
    return found[0] if found else None


def lock_call(conn: Connection, call_id: int) -> dict[str, Any] | None:
    """The call ``call_id`` with its instance's business key and process, locked."""
    query = _calls().where(service_calls.c.id == call_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=service_calls)
    found = _dicts(conn, query)
    return found[0] if found else None


def set_call(conn: Connection, call_id: int, **values: Any) -> None:
    conn.execute(update(service_calls).where(service_calls.c.id == call_id).values(**values))


def next_due(conn: Connection) -> datetime | None:
    query = select(func.min(service_calls.c.next_at)).where(
        service_calls.c.state.in_(("pending", "running"))
    )
    value = conn.execute(query).scalar()
    return value if isinstance(value, datetime) else None


def calls(
    conn: Connection,
    states: tuple[str, ...] = (),
    business_key: str | None = None,
    incidents_only: bool = False,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Calls, newest first: of ``states``, of one instance, or those that became
    incidents at some time (``incidents_only``)."""
    query = _calls().order_by(service_calls.c.id.desc()).limit(limit)
    if states:
        query = query.where(service_calls.c.state.in_(states))
    if business_key is not None:
        query = query.where(instances.c.business_key == business_key)
    if incidents_only:
        query = query.where(service_calls.c.incident_at.is_not(None))
    return _dicts(conn, query)


def call(conn: Connection, call_id: int) -> dict[str, Any] | None:
    found = _dicts(conn, _calls().where(service_calls.c.id == call_id))
    return found[0] if found else None


def open_call_nodes(conn: Connection, instance_ids: list[int]) -> list[tuple[int, str]]:
    """The (instance, node) of the calls not finished yet (pending, running or an incident)
    of these instances: where an instance without open tasks waits (the forecast)."""
    if not instance_ids:
        return []
    query = select(service_calls.c.instance_id, service_calls.c.node_id).where(
        service_calls.c.instance_id.in_(instance_ids),
        service_calls.c.state.in_(("pending", "running", "incident")),
    )
    return [(int(i), str(n)) for i, n in conn.execute(query).all()]
