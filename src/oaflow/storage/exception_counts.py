"""Counting exception records by cause category (EXC-5), in SQL: one row per group and
cause with its count, over the records found in a time window that a scope may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, RowMapping, func, select

from oaflow.domain.security import Scope
from oaflow.storage.scope_sql import visible_clause, without_jit
from oaflow.storage.tables import definitions, exceptions, instances

#: what a group is, by dimension: the columns grouped on (beside the cause category)
DIMENSIONS = ("process", "node", "department")


@dataclass(frozen=True)
class CauseCount:
    """Records of one group with one cause category (None: not yet explained).
    ``process`` is the process key (the group's, or '' when not grouped by process or
    node); ``node`` the node id and ``department`` the responsible department when grouped
    by them; ``definition_id`` the newest version seen, to name the group by."""

    process: str
    node: str
    department: str
    cause: str | None
    count: int
    definition_id: int


def cause_counts(
    conn: Connection,
    start: datetime,
    end: datetime,
    by: str | None,
    process: str | None,
    scope: Scope,
) -> list[CauseCount]:
    """How many records found in [start, end) have each cause category, per group of
    ``by`` (None: one group), of process ``process`` only when it is given."""
    groups = _group_columns(by)
    count = func.count().label("count")
    newest = func.max(instances.c.definition_id).label("definition_id")
    query = (
        select(*groups, exceptions.c.cause_category, count, newest)
        .select_from(exceptions)
        .join(instances, instances.c.id == exceptions.c.instance_id)
        .join(definitions, definitions.c.id == instances.c.definition_id)
        .where(exceptions.c.found_at >= start, exceptions.c.found_at < end)
        .group_by(*groups, exceptions.c.cause_category)
    )
    if process is not None:
        query = query.where(definitions.c.key == process)
    if not scope.everything:
        without_jit(conn)  # the scope's IN-lists hashed, not searched per record (PostgreSQL)
        query = query.where(visible_clause(scope))
    return [_row(r._mapping) for r in conn.execute(query)]


def process_keys(conn: Connection) -> list[str]:
    """The keys of the processes ever published."""
    return list(
        conn.execute(select(definitions.c.key).distinct().order_by(definitions.c.key)).scalars()
    )


def _group_columns(by: str | None) -> list[ColumnElement[str]]:
    if by == "process":
        return [definitions.c.key.label("process")]
    if by == "node":
        return [definitions.c.key.label("process"), exceptions.c.node_id.label("node")]
    if by == "department":
        return [func.coalesce(exceptions.c.department, "").label("department")]
    return []


def _row(values: RowMapping) -> CauseCount:
    return CauseCount(
        process=values.get("process") or "",
        node=values.get("node") or "",
        department=values.get("department") or "",
        cause=values["cause_category"],
        count=int(values["count"]),
        definition_id=int(values["definition_id"]),
    )
