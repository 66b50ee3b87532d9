"""Reading the outbox and the exception records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from oaflow.domain.exception_loop import ExceptionRecord, ExceptionState
from oaflow.domain.security import Scope
from oaflow.storage.scope_sql import visible_clause
from oaflow.storage.tables import exceptions, instances, outbox


def exceptions_of(
    conn: Connection,
    instance_id: int | None = None,
    scope: Scope | None = None,
    states: Sequence[str] = (),
    code: str | None = None,
) -> list[dict[str, Any]]:
    """Exception records, newest first, with their instance's business key, title,
    definition and initiating department; only those of instances in ``scope`` when it is
    given, in ``states`` when they are given."""
    query = (
        select(
            exceptions,
            instances.c.business_key,
            instances.c.definition_id,
            instances.c.title,
            instances.c.department.label("initiating_department"),
        )
        .join(instances, instances.c.id == exceptions.c.instance_id)
        .order_by(exceptions.c.found_at.desc(), exceptions.c.id.desc())
    )
    if instance_id is not None:
        query = query.where(exceptions.c.instance_id == instance_id)
    if states:
        query = query.where(exceptions.c.state.in_(list(states)))
    if code is not None:
        query = query.where(exceptions.c.code == code)
    if scope is not None and not scope.everything:
        query = query.where(visible_clause(scope))
    return [dict(r._mapping) for r in conn.execute(query)]


def messages(
    conn: Connection,
    instance_id: int | None = None,
    recipient: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Outbox messages, oldest first."""
    query = select(outbox, instances.c.business_key).outerjoin(
        instances, instances.c.id == outbox.c.instance_id
    )
    if instance_id is not None:
        query = query.where(outbox.c.instance_id == instance_id)
    rows = [dict(r._mapping) for r in conn.execute(query.order_by(outbox.c.id))]
    if recipient is not None:  # recipients is a JSON list: filter here, portable on both DBs
        rows = [r for r in rows if recipient in r["recipients"]]
    return rows[-limit:] if limit else rows


def count_messages(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


# -- exception records' loop (EXC-2..4) ------------------------------------------------------


def exception_record(row: Any) -> ExceptionRecord:
    """The record of an ``exceptions`` row (a mapping with its columns)."""
    values = {f.name: row[f.name] for f in fields(ExceptionRecord)}
    values["state"] = ExceptionState(row["state"])
    values["found_at"] = row["found_at"] or row["reported_at"]
    values["sla_fired"] = tuple(row["sla_fired"] or ())
    return ExceptionRecord(**values)


def exception_by_code(conn: Connection, code: str, lock: bool = False) -> dict[str, Any] | None:
    """One record with its instance's business key and definition; ``lock``: FOR UPDATE."""
    query = (
        select(exceptions, instances.c.business_key, instances.c.definition_id)
        .join(instances, instances.c.id == exceptions.c.instance_id)
        .where(exceptions.c.code == code)
    )
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=exceptions)
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def records_of_instance(conn: Connection, instance_id: int) -> list[ExceptionRecord]:
    rows = conn.execute(
        select(exceptions).where(exceptions.c.instance_id == instance_id).order_by(exceptions.c.id)
    )
    return [exception_record(r._mapping) for r in rows]


def claim_due_exception(conn: Connection, now: datetime) -> str | None:
    """The code of a record whose clock is due at ``now``, locked for this transaction
    (PostgreSQL: rows other workers hold are skipped)."""
    query = (
        select(exceptions.c.code)
        .where(exceptions.c.check_at.is_not(None), exceptions.c.check_at <= now)
        .order_by(exceptions.c.check_at)
        .limit(1)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return conn.execute(query).scalar()


def next_exception_check(conn: Connection) -> datetime | None:
    return conn.execute(
        select(func.min(exceptions.c.check_at)).where(exceptions.c.check_at.is_not(None))
    ).scalar()
