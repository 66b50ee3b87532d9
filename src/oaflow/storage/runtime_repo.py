"""Instances, tasks and history through SQLAlchemy Core (the hot path is in hotpath.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.states import OPEN_TASK_STATES, InstanceState, TaskState
from oaflow.storage.tables import history, instances, sequences, task_candidates, tasks

OPEN = sorted(s.value for s in OPEN_TASK_STATES)

_INSTANCE_BY_ID = select(instances).where(instances.c.id == bindparam("iid"))


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
    return task_record(dict(row._mapping))


def task_record(m: Mapping[str, Any]) -> TaskRecord:
    """A task from a row's values (JSON and times already converted)."""
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
        dispatched_at=m["dispatched_at"],
        check_at=m["check_at"],
        paused_at=m["paused_at"],
        sla_fired=tuple(m["sla_fired"]),
        exception=m["exception"],
        on_behalf_of=m["on_behalf_of"],
        version=m["version"],
    )


def _instance(row: Row[Any]) -> InstanceRecord:
    return instance_record(dict(row._mapping))


def instance_record(m: Mapping[str, Any]) -> InstanceRecord:
    """An instance from a row's values (JSON and times already converted)."""
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


def history_of(conn: Connection, instance_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(history).where(history.c.instance_id == instance_id).order_by(history.c.seq)
    ).all()
    return [dict(r._mapping) for r in rows]


def open_tasks_for(conn: Connection, login: str) -> list[TaskRecord]:
    """The user's open tasks: assigned to them, offered to them as a candidate, or given to
    their deputy on their behalf (ORG-3; they see those, the deputy acts)."""
    offered = select(task_candidates.c.task_id).where(task_candidates.c.login == login)
    rows = conn.execute(
        select(tasks)
        .where(tasks.c.state.in_(OPEN))
        .where(
            or_(
                tasks.c.assignee == login,
                and_(tasks.c.assignee.is_(None), tasks.c.id.in_(offered)),
                tasks.c.on_behalf_of == login,
            )
        )
        .order_by(tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.id)
    ).all()
    return [_task(r) for r in rows]


def count_instances(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(instances)).scalar_one())
