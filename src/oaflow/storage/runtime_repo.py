"""Reading and writing instances, tasks and history: the engine's hot path."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from oaflow.domain.model import Event, InstanceRecord, TaskRecord
from oaflow.domain.states import OPEN_TASK_STATES, InstanceState, TaskState
from oaflow.storage.tables import history, instances, sequences, task_candidates, tasks

OPEN = sorted(s.value for s in OPEN_TASK_STATES)

# The hot path's statements are built once: building and cache-keying a statement per call
# cost more than running it (bench/engine.py).
_TASK_AND_OPEN = (
    select(tasks)
    .where(
        tasks.c.instance_id
        == select(tasks.c.instance_id).where(tasks.c.id == bindparam("tid")).scalar_subquery()
    )
    .where(or_(tasks.c.id == bindparam("tid"), tasks.c.state.in_(OPEN)))
    .order_by(tasks.c.id)
)
_INSTANCE_BY_ID = select(instances).where(instances.c.id == bindparam("iid"))
_UPDATE_TASK = (
    update(tasks)
    .where(tasks.c.id == bindparam("b_id"))
    .where(tasks.c.version == bindparam("b_version"))
    .values(
        {
            c: bindparam(c)
            for c in (
                "state",
                "assignee",
                "progress",
                "note",
                "outputs",
                "acked_at",
                "finished_at",
                "finished_by",
                "due_at",
                "version",
            )
        }
    )
)
_UPDATE_INSTANCE = (
    update(instances)
    .where(instances.c.id == bindparam("b_id"))
    .where(instances.c.version == bindparam("b_version"))
    .values(
        {c: bindparam(c) for c in ("state", "data", "tokens", "ended_at", "version", "event_seq")}
    )
)
_INSERT_TASK = insert(tasks).returning(tasks.c.id)
_INSERT_CANDIDATE = insert(task_candidates)
_INSERT_EVENT = insert(history)


def next_sequence(conn: Connection, scope: str) -> int:
    """The next number of ``scope``; gap-free because it commits with the instance."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        dialect_insert(sequences)
        .values(scope=scope, value=1)
        .on_conflict_do_update(index_elements=["scope"], set_={"value": sequences.c.value + 1})
        .returning(sequences.c.value)
    )
    return int(conn.execute(stmt).scalar_one())


def _task(row: Row[Any]) -> TaskRecord:
    m = row._mapping
    return TaskRecord(
        id=m["id"],
        instance_id=m["instance_id"],
        node_id=m["node_id"],
        round=m["round"],
        state=TaskState(m["state"]),
        created_at=m["created_at"],
        department=m["department"],
        assignee=m["assignee"],
        candidates=tuple(m["candidates"]),
        due_at=m["due_at"],
        progress=m["progress"],
        note=m["note"],
        outputs=m["outputs"],
        acked_at=m["acked_at"],
        finished_at=m["finished_at"],
        finished_by=m["finished_by"],
        version=m["version"],
    )


def _instance(row: Row[Any]) -> InstanceRecord:
    m = row._mapping
    return InstanceRecord(
        id=m["id"],
        business_key=m["business_key"],
        definition_id=m["definition_id"],
        definition_key=m["definition_key"],
        state=InstanceState(m["state"]),
        title=m["title"],
        initiator=m["initiator"],
        department=m["department"],
        priority=m["priority"],
        started_at=m["started_at"],
        data=m["data"],
        tokens=m["tokens"],
        ended_at=m["ended_at"],
        version=m["version"],
        event_seq=m["event_seq"],
    )


def task_and_open_siblings(conn: Connection, task_id: int) -> list[TaskRecord]:
    """The task (first) and the other open tasks of its instance, in one query."""
    rows = conn.execute(_TASK_AND_OPEN, {"tid": task_id}).all()
    found = [_task(r) for r in rows]
    return sorted(found, key=lambda t: t.id != task_id)


def round_tasks(conn: Connection, instance_id: int, node_id: str, round_: int) -> list[TaskRecord]:
    rows = conn.execute(
        select(tasks)
        .where(and_(tasks.c.instance_id == instance_id, tasks.c.node_id == node_id))
        .where(tasks.c.round == round_)
        .order_by(tasks.c.id)
    ).all()
    return [_task(r) for r in rows]


def load_instance(conn: Connection, instance_id: int) -> InstanceRecord | None:
    row = conn.execute(_INSTANCE_BY_ID, {"iid": instance_id}).first()
    return _instance(row) if row else None


def find_instance(conn: Connection, business_key: str) -> InstanceRecord | None:
    row = conn.execute(select(instances).where(instances.c.business_key == business_key)).first()
    return _instance(row) if row else None


def load_task(conn: Connection, task_id: int) -> TaskRecord | None:
    row = conn.execute(select(tasks).where(tasks.c.id == task_id)).first()
    return _task(row) if row else None


def instance_tasks(conn: Connection, instance_id: int) -> list[TaskRecord]:
    rows = conn.execute(
        select(tasks).where(tasks.c.instance_id == instance_id).order_by(tasks.c.id)
    ).all()
    return [_task(r) for r in rows]


def insert_instance(conn: Connection, rec: InstanceRecord) -> None:
    values = _instance_values(rec)
    rec.id = int(
        conn.execute(insert(instances).values(values).returning(instances.c.id)).scalar_one()
    )


def _instance_values(rec: InstanceRecord) -> dict[str, Any]:
    return {
        "business_key": rec.business_key,
        "definition_id": rec.definition_id,
        "definition_key": rec.definition_key,
        "state": rec.state.value,
        "title": rec.title,
        "initiator": rec.initiator,
        "department": rec.department,
        "priority": rec.priority,
        "data": rec.data,
        "tokens": rec.tokens,
        "started_at": rec.started_at,
        "ended_at": rec.ended_at,
        "version": rec.version,
        "event_seq": rec.event_seq,
    }


def update_instance(conn: Connection, rec: InstanceRecord, expected_version: int) -> bool:
    result = conn.execute(
        _UPDATE_INSTANCE,
        {
            "b_id": rec.id,
            "b_version": expected_version,
            "state": rec.state.value,
            "data": rec.data,
            "tokens": rec.tokens,
            "ended_at": rec.ended_at,
            "version": expected_version + 1,
            "event_seq": rec.event_seq,
        },
    )
    return result.rowcount == 1


def update_task(conn: Connection, rec: TaskRecord) -> bool:
    """Write a changed task if nobody changed it since it was read."""
    result = conn.execute(
        _UPDATE_TASK,
        {
            "b_id": rec.id,
            "b_version": rec.version,
            "state": rec.state.value,
            "assignee": rec.assignee,
            "progress": rec.progress,
            "note": rec.note,
            "outputs": rec.outputs,
            "acked_at": rec.acked_at,
            "finished_at": rec.finished_at,
            "finished_by": rec.finished_by,
            "due_at": rec.due_at,
            "version": rec.version + 1,
        },
    )
    return result.rowcount == 1


def insert_tasks(conn: Connection, records: Sequence[TaskRecord]) -> None:
    for rec in records:
        rec.id = int(conn.execute(_INSERT_TASK, _task_values(rec)).scalar_one())
        if rec.candidates:
            conn.execute(
                _INSERT_CANDIDATE, [{"task_id": rec.id, "login": c} for c in rec.candidates]
            )


def _task_values(rec: TaskRecord) -> dict[str, Any]:
    return {
        "instance_id": rec.instance_id,
        "node_id": rec.node_id,
        "round": rec.round,
        "state": rec.state.value,
        "department": rec.department,
        "assignee": rec.assignee,
        "candidates": list(rec.candidates),
        "created_at": rec.created_at,
        "due_at": rec.due_at,
        "progress": rec.progress,
        "note": rec.note,
        "outputs": rec.outputs,
        "acked_at": rec.acked_at,
        "finished_at": rec.finished_at,
        "finished_by": rec.finished_by,
        "version": rec.version,
    }


def insert_events(
    conn: Connection, instance_id: int, first_seq: int, events: Sequence[Event], at: datetime
) -> None:
    """Append ``events`` to the instance's history as consecutive numbers from ``first_seq``."""
    rows = [
        {
            "instance_id": instance_id,
            "seq": first_seq + i,
            "at": at,
            "kind": e.kind,
            "node_id": e.node_id,
            "task_id": e.task.id if e.task else None,
            "actor": e.actor,
            "data": e.data,
        }
        for i, e in enumerate(events)
    ]
    if rows:
        conn.execute(_INSERT_EVENT, rows)


def history_of(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(history).where(history.c.instance_id == instance_id).order_by(history.c.seq)
    ).all()
    return [dict(r._mapping) for r in rows]


def open_tasks_for(conn: Connection, login: str) -> list[TaskRecord]:
    """The user's open tasks: assigned to them, or offered to them as a candidate."""
    offered = select(task_candidates.c.task_id).where(task_candidates.c.login == login)
    rows = conn.execute(
        select(tasks)
        .where(tasks.c.state.in_(OPEN))
        .where(
            or_(
                tasks.c.assignee == login, and_(tasks.c.assignee.is_(None), tasks.c.id.in_(offered))
            )
        )
        .order_by(tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.id)
    ).all()
    return [_task(r) for r in rows]


def count_instances(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(instances)).scalar_one())
