"""Reading the outbox and the exception records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from oaflow.domain.security import Scope
from oaflow.storage.scope_sql import visible_clause
from oaflow.storage.tables import exceptions, instances, outbox, tasks


def exceptions_of(
    conn: Connection, instance_id: int | None = None, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """Exception records, newest first, with the instance's business key and the task's
    department; only those of instances in ``scope`` when it is given."""
    query = (
        select(exceptions, instances.c.business_key, instances.c.definition_id, tasks.c.department)
        .join(instances, instances.c.id == exceptions.c.instance_id)
        .outerjoin(tasks, tasks.c.id == exceptions.c.task_id)
        .order_by(exceptions.c.reported_at.desc(), exceptions.c.id.desc())
    )
    if instance_id is not None:
        query = query.where(exceptions.c.instance_id == instance_id)
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
