"""The list of instances a principal may see, narrowed by filters, one page at a time.
The scope condition is the one of ``scope_sql`` (the same as a single object's check)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, exists, func, select

from oaflow.domain.model import InstanceRecord
from oaflow.domain.security import Scope
from oaflow.domain.states import OPEN_TASK_STATES
from oaflow.storage.runtime_reads import instance_from_row
from oaflow.storage.scope_sql import visible_clause
from oaflow.storage.sealing import SensitiveFields
from oaflow.storage.tables import instances, tasks

_OPEN = sorted(s.value for s in OPEN_TASK_STATES)


def _overdue(now: datetime) -> Any:
    return exists(
        select(tasks.c.id)
        .where(tasks.c.instance_id == instances.c.id)
        .where(tasks.c.state.in_(_OPEN), tasks.c.due_at < now)
    )


def _filtered(
    scope: Scope,
    now: datetime,
    process: str | None = None,
    state: str | None = None,
    department: str | None = None,
    initiator: str | None = None,
    overdue: bool = False,
    started_from: datetime | None = None,
    started_until: datetime | None = None,
    priority: str | None = None,
) -> Select[Any]:
    query = select(instances)
    if not scope.everything:
        query = query.where(visible_clause(scope))
    if process is not None:
        query = query.where(instances.c.definition_key == process)
    if state is not None:
        query = query.where(instances.c.state == state)
    if department is not None:
        query = query.where(instances.c.department == department)
    if initiator is not None:
        query = query.where(instances.c.initiator == initiator)
    if started_from is not None:
        query = query.where(instances.c.started_at >= started_from)
    if started_until is not None:
        query = query.where(instances.c.started_at < started_until)
    if priority is not None:
        query = query.where(instances.c.priority == priority)
    if overdue:
        query = query.where(_overdue(now))
    return query


def list_instances(
    conn: Connection,
    fields: SensitiveFields,
    scope: Scope,
    now: datetime,
    offset: int,
    limit: int,
    **filters: Any,
) -> tuple[list[InstanceRecord], int]:
    """One page of the instances in ``scope`` matching ``filters``, newest first, and how
    many match in all."""
    query = _filtered(scope, now, **filters)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = query.order_by(instances.c.started_at.desc(), instances.c.id.desc())
    rows = conn.execute(page.offset(offset).limit(limit)).all()
    return [instance_from_row(fields, r) for r in rows], int(total)


def pages(
    conn: Connection,
    fields: SensitiveFields,
    scope: Scope,
    now: datetime,
    size: int,
    **filters: Any,
) -> Iterator[list[InstanceRecord]]:
    """Every instance in ``scope`` matching ``filters``, ``size`` at a time in the order of
    their ids: each page starts after the last id of the one before (no count, no offset to
    skip over), for reading them all."""
    after = 0
    while True:
        query = _filtered(scope, now, **filters).where(instances.c.id > after)
        rows = conn.execute(query.order_by(instances.c.id).limit(size)).all()
        full, after = len(rows) == size, rows[-1].id if rows else after
        page = [instance_from_row(fields, r) for r in rows]
        del rows  # one page in memory at a time: not this one's rows while the next is read
        if page:
            yield page
        del page
        if not full:
            return


def open_tasks_of(conn: Connection, instance_ids: list[int]) -> list[tuple[int, str, Any]]:
    """(instance id, node id, due) of the open tasks of these instances."""
    if not instance_ids:
        return []
    query = (
        select(tasks.c.instance_id, tasks.c.node_id, tasks.c.due_at)
        .where(tasks.c.instance_id.in_(instance_ids), tasks.c.state.in_(_OPEN))
        .order_by(tasks.c.id)
    )
    return [(r.instance_id, r.node_id, r.due_at) for r in conn.execute(query)]


def any_running(conn: Connection) -> bool:
    """Whether any instance runs (the index on state, process)."""
    query = select(instances.c.id).where(instances.c.state == "running").limit(1)
    return conn.execute(query).first() is not None
