"""Reads of the runtime tables for lists and views, through SQLAlchemy Core: a user's open
tasks (the task inbox), an instance with its tasks and history. Commands read and write the
same tables through ``runtime_store``. Sealed values of sensitive fields come back opened
(``runtime_rows``; docs/adr/0008)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.states import OPEN_TASK_STATES
from oaflow.storage.runtime_rows import instance_record, opened_data, opened_outputs, task_record
from oaflow.storage.sealing import SensitiveFields
from oaflow.storage.tables import history, instances, task_candidates, tasks

OPEN = sorted(s.value for s in OPEN_TASK_STATES)

_INSTANCE_BY_ID = select(instances).where(instances.c.id == bindparam("iid"))
_DEFINITION_OF = select(instances.c.definition_id).where(instances.c.id == bindparam("iid"))


def _task(conn: Connection, fields: SensitiveFields, row: Row[Any]) -> TaskRecord:
    m = dict(row._mapping)
    m["outputs"] = opened_outputs(fields, m, lambda iid: definition_of(conn, iid))
    return task_record(m)


def instance_from_row(fields: SensitiveFields, row: Row[Any]) -> InstanceRecord:
    """An instance from a row of ``instances`` read through SQLAlchemy."""
    m = dict(row._mapping)
    m["data"] = opened_data(fields, m)
    return instance_record(m)


def definition_of(conn: Connection, instance_id: int) -> int:
    """The id of the published version instance ``instance_id`` runs."""
    return int(conn.execute(_DEFINITION_OF, {"iid": instance_id}).scalar_one())


def load_instance(
    conn: Connection, fields: SensitiveFields, instance_id: int
) -> InstanceRecord | None:
    row = conn.execute(_INSTANCE_BY_ID, {"iid": instance_id}).first()
    return instance_from_row(fields, row) if row else None


def load_instances(
    conn: Connection, fields: SensitiveFields, instance_ids: list[int]
) -> dict[int, InstanceRecord]:
    """Several instances by id in one query (a list of tasks needs theirs)."""
    found: dict[int, InstanceRecord] = {}
    for start in range(0, len(instance_ids), 500):
        chunk = sorted(set(instance_ids[start : start + 500]))
        for row in conn.execute(select(instances).where(instances.c.id.in_(chunk))):
            record = instance_from_row(fields, row)
            found[record.id or 0] = record
    return found


def find_instance(
    conn: Connection, fields: SensitiveFields, business_key: str
) -> InstanceRecord | None:
    row = conn.execute(select(instances).where(instances.c.business_key == business_key)).first()
    return instance_from_row(fields, row) if row else None


def load_task(conn: Connection, fields: SensitiveFields, task_id: int) -> TaskRecord | None:
    row = conn.execute(select(tasks).where(tasks.c.id == task_id)).first()
    return _task(conn, fields, row) if row else None


def instance_tasks(conn: Connection, fields: SensitiveFields, instance_id: int) -> list[TaskRecord]:
    rows = conn.execute(
        select(tasks).where(tasks.c.instance_id == instance_id).order_by(tasks.c.id)
    ).all()
    return [_task(conn, fields, r) for r in rows]


def history_of(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(history).where(history.c.instance_id == instance_id).order_by(history.c.seq)
    ).all()
    return [dict(r._mapping) for r in rows]


def _mine(login: str) -> Any:
    """The open tasks ``login`` holds: assigned to them, offered to them as a candidate, or
    given to their deputy on their behalf (ORG-3; they see those, the deputy acts)."""
    offered = select(task_candidates.c.task_id).where(task_candidates.c.login == login)
    return and_(
        tasks.c.state.in_(OPEN),
        or_(
            tasks.c.assignee == login,
            and_(tasks.c.assignee.is_(None), tasks.c.id.in_(offered)),
            tasks.c.on_behalf_of == login,
        ),
    )


def open_tasks_for(conn: Connection, fields: SensitiveFields, login: str) -> list[TaskRecord]:
    """The user's open tasks, soonest deadline first."""
    rows = conn.execute(
        select(tasks)
        .where(_mine(login))
        .order_by(tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.id)
    ).all()
    return [_task(conn, fields, r) for r in rows]


#: a task with its instance (an inbox narrows by both)
_WITH_INSTANCE = tasks.join(instances, instances.c.id == tasks.c.instance_id)
#: the instance's columns a list of tasks shows beside each (all but its form data, which a
#: list never shows: opening a sealed value is a decryption per instance), named apart
_SHOWN = [c.label(f"i_{c.name}") for c in instances.c if c.name != "data"]
_TASK_NAMES = tuple(c.name for c in tasks.c)
_SHOWN_NAMES = tuple(c.name for c in instances.c if c.name != "data")
TaskWithInstance = tuple[TaskRecord, InstanceRecord]


def _with_instance(fields: SensitiveFields, row: Row[Any]) -> TaskWithInstance:
    """A task and its instance (its data empty) from a row of ``select(tasks, *_SHOWN)``."""
    split = len(_TASK_NAMES)
    instance = instance_record({**dict(zip(_SHOWN_NAMES, row[split:], strict=True)), "data": {}})
    m = dict(zip(_TASK_NAMES, row[:split], strict=True))
    m["outputs"] = opened_outputs(fields, m, lambda _: instance.definition_id)
    return task_record(m), instance


@dataclass(frozen=True)
class OpenTasksWanted:
    """Which of one's open tasks, in which order, which page (``limit`` None: all). ``q``
    is looked for in the instance's title and business key (ASCII letters in any case), and
    ``nodes`` (definition id, node id) are the nodes whose names hold it (the service reads
    the names)."""

    process: str | None = None
    state: str | None = None
    department: str | None = None
    priority: str | None = None
    sort: str = "due"
    offset: int = 0
    limit: int | None = 50
    q: str | None = None
    nodes: tuple[tuple[int, str], ...] = ()


def open_tasks_page(
    conn: Connection, fields: SensitiveFields, login: str, wanted: OpenTasksWanted
) -> tuple[list[TaskWithInstance], int]:
    """One page of ``login``'s open tasks, each with its instance, narrowed and sorted in
    the database, and how many there are (counted only when the page is not all of them):
    a long inbox costs a sort in SQL, not a record per task."""
    where = [_mine(login)]
    if wanted.state is not None:
        where.append(tasks.c.state == wanted.state)
    if wanted.department is not None:
        where.append(tasks.c.department == wanted.department)
    if wanted.process is not None:
        where.append(instances.c.definition_key == wanted.process)
    if wanted.priority is not None:
        where.append(instances.c.priority == wanted.priority)
    if wanted.q:
        where.append(
            or_(
                instances.c.title.icontains(wanted.q, autoescape=True),
                instances.c.business_key.icontains(wanted.q, autoescape=True),
                *(
                    and_(instances.c.definition_id == d, tasks.c.node_id == n)
                    for d, n in wanted.nodes
                ),
            )
        )
    order: list[ColumnElement[Any]]
    if wanted.sort == "created":
        order = [tasks.c.created_at, tasks.c.id]
    elif wanted.sort == "priority":
        rank = case({"high": 0, "low": 2}, value=instances.c.priority, else_=1)
        order = [rank, tasks.c.id]
    else:
        order = [tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.id]
    rows = conn.execute(
        select(tasks, *_SHOWN)
        .select_from(_WITH_INSTANCE)
        .where(*where)
        .order_by(*order)
        .offset(wanted.offset)
        .limit(wanted.limit)
    ).all()
    if wanted.limit is None or (len(rows) < wanted.limit and (rows or wanted.offset == 0)):
        total = wanted.offset + len(rows)
    else:
        counted = select(func.count()).select_from(_WITH_INSTANCE).where(*where)
        total = conn.execute(counted).scalar_one()
    return [_with_instance(fields, r) for r in rows], int(total)


def open_task_nodes(conn: Connection, login: str) -> list[tuple[int, str]]:
    """The nodes (definition id, node id) ``login`` holds open tasks at."""
    query = select(instances.c.definition_id, tasks.c.node_id).select_from(_WITH_INSTANCE)
    rows = conn.execute(query.where(_mine(login)).distinct()).all()
    return [(int(d), str(n)) for d, n in rows]


def count_instances(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(instances)).scalar_one())


def finished_by(
    conn: Connection, fields: SensitiveFields, login: str, offset: int, limit: int
) -> tuple[list[TaskWithInstance], int]:
    """The tasks ``login`` finished (已办), the latest first, each with its instance, one
    page, and how many."""
    where = tasks.c.finished_by == login
    total = conn.execute(select(func.count()).select_from(tasks).where(where)).scalar_one()
    rows = conn.execute(
        select(tasks, *_SHOWN)
        .select_from(_WITH_INSTANCE)
        .where(where)
        .order_by(tasks.c.finished_at.desc(), tasks.c.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [_with_instance(fields, r) for r in rows], int(total)


def open_tasks_of_instances(
    conn: Connection, fields: SensitiveFields, instance_ids: list[int]
) -> list[TaskRecord]:
    """The open tasks of these instances (a board of them)."""
    if not instance_ids:
        return []
    rows = conn.execute(
        select(tasks)
        .where(tasks.c.instance_id.in_(instance_ids), tasks.c.state.in_(OPEN))
        .order_by(tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.id)
    ).all()
    return [_task(conn, fields, r) for r in rows]
