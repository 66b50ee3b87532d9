"""The satisfaction surveys (满意度调查, MTR-2) in the database: opening them for a completed
instance, reading and answering them, and the sweep's watermark in ``settings`` (the last
ended instance it looked at), so that each sweep reads only what ended since."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, not_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from oaflow.domain.states import TaskState
from oaflow.storage import settings_repo
from oaflow.storage.tables import instances, surveys, tasks

#: the name of the sweep's watermark in ``settings``: "<ended_at ISO> <instance id>"
WATERMARK = "survey_watermark"

Row = dict[str, Any]
Mark = tuple[datetime, int]


def _insert(conn: Connection, table: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


# -- the sweep's watermark ------------------------------------------------------------------
def _parse_mark(value: str | None) -> Mark | None:
    if not value:
        return None
    at, instance_id = value.split(" ")
    return datetime.fromisoformat(at), int(instance_id)


def read_mark(conn: Connection) -> Mark | None:
    """The (ended_at, id) of the last instance the sweep looked at; None: none yet."""
    return _parse_mark(settings_repo.read_text(conn, WATERMARK))


def lock_mark(conn: Connection) -> Mark | None:
    """The watermark, locked for this transaction (PostgreSQL: a second worker waits for
    it; SQLite: the write lock serialises workers)."""
    return _parse_mark(settings_repo.lock_text(conn, WATERMARK))


def set_mark(conn: Connection, mark: Mark) -> None:
    settings_repo.write_text(conn, WATERMARK, f"{mark[0].isoformat()} {mark[1]}")


def next_ended(conn: Connection, after: Mark | None) -> Row | None:
    """The first instance that ended (completed, rejected or cancelled) after ``after``, by
    end, then id: one range read of the index on ``ended_at`` (its entries are in that
    order), whatever the number of instances before."""
    i = instances
    query = select(i.c.id, i.c.ended_at, i.c.state).where(i.c.ended_at.is_not(None))
    if after is not None:
        at, instance_id = after
        query = query.where(i.c.ended_at >= at).where(
            not_(and_(i.c.ended_at == at, i.c.id <= instance_id))
        )
    row = conn.execute(query.order_by(i.c.ended_at, i.c.id).limit(1)).first()
    return dict(row._mapping) if row else None


# -- opening ----------------------------------------------------------------------------------
def instance_of(conn: Connection, instance_id: int) -> Row | None:
    """What opening needs of an instance: its state, version, department, end."""
    i = instances
    query = select(
        i.c.id,
        i.c.business_key,
        i.c.title,
        i.c.state,
        i.c.definition_id,
        i.c.department,
        i.c.ended_at,
    ).where(i.c.id == instance_id)
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def task_departments(conn: Connection, instance_id: int) -> list[str]:
    """The departments of the instance's tasks that were not cancelled."""
    query = (
        select(tasks.c.department)
        .where(tasks.c.instance_id == instance_id)
        .where(tasks.c.department.is_not(None))
        .where(tasks.c.state != TaskState.CANCELLED.value)
        .distinct()
    )
    return sorted(str(d) for d in conn.execute(query).scalars())


def open_for(
    conn: Connection, instance_id: int, departments: Iterable[str], at: datetime
) -> list[tuple[int, str]]:
    """A survey per department of the instance, skipping those there already; the (id,
    department) of each one opened now."""
    opened = []
    for department in departments:
        statement = (
            _insert(conn, surveys)
            .values(instance_id=instance_id, department=department, asked_at=at, comment="")
            .on_conflict_do_nothing()
            .returning(surveys.c.id)
        )
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING
        survey_id = conn.execute(statement).scalar()
        if survey_id is not None:
            opened.append((int(survey_id), department))
    return opened


# -- reading ----------------------------------------------------------------------------------
def _select() -> Select[Any]:
    s, i = surveys, instances
    return select(
        s,
        i.c.business_key,
        i.c.title,
        i.c.definition_id,
        i.c.definition_key,
        i.c.ended_at,
    ).join(i, i.c.id == s.c.instance_id)


def _rows(conn: Connection, query: Select[Any]) -> list[Row]:
    return [dict(r._mapping) for r in conn.execute(query)]


def get(conn: Connection, survey_id: int) -> Row | None:
    found = _rows(conn, _select().where(surveys.c.id == survey_id))
    return found[0] if found else None


def of_instance(conn: Connection, instance_id: int) -> list[Row]:
    """An instance's surveys, by department."""
    query = _select().where(surveys.c.instance_id == instance_id)
    return _rows(conn, query.order_by(surveys.c.department))


def open_of(conn: Connection, departments: Iterable[str] | None, limit: int = 200) -> list[Row]:
    """The surveys not answered yet of ``departments`` (None: every department), the newest
    first, at most ``limit``."""
    query = _select().where(surveys.c.answered_at.is_(None))
    if departments is not None:
        query = query.where(surveys.c.department.in_(sorted(departments)))
    query = query.order_by(surveys.c.asked_at.desc(), surveys.c.id.desc()).limit(limit)
    return _rows(conn, query)


# -- answering --------------------------------------------------------------------------------
def answer(
    conn: Connection, survey_id: int, score: int, comment: str, login: str, at: datetime
) -> bool:
    """Record the answer unless the survey has one already; whether it was recorded."""
    statement = (
        update(surveys)
        .where(surveys.c.id == survey_id, surveys.c.answered_at.is_(None))
        .values(score=score, comment=comment, answered_by=login, answered_at=at)
    )
    return conn.execute(statement).rowcount == 1
