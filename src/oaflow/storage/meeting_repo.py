"""The tables of weekly meetings (MTG-1/2): schedules, meetings with their report, action
items — and what a report is made of (running instances of a department, their open
exceptions). Rows come back as dicts; the services make views of them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update
from sqlalchemy.sql import Select

from oaflow.storage.tables import (
    action_items,
    exceptions,
    instances,
    meeting_schedules,
    meetings,
    tasks,
)

#: exception states that are not closed (the loop's, and the one before it)
CLOSED_EXCEPTION = "closed"


def _dicts(conn: Connection, query: Select[Any]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(query)]


# -- schedules ----------------------------------------------------------------------------
def add_schedule(conn: Connection, row: dict[str, Any]) -> int:
    key = conn.execute(insert(meeting_schedules).values(**row)).inserted_primary_key
    assert key is not None
    return int(key[0])


def schedules(conn: Connection, departments: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Active schedules (of ``departments`` when given), by department."""
    query = select(meeting_schedules).where(meeting_schedules.c.active.is_(True))
    if departments is not None:
        query = query.where(meeting_schedules.c.department.in_(sorted(departments)))
    return _dicts(conn, query.order_by(meeting_schedules.c.department, meeting_schedules.c.id))


def schedule(conn: Connection, schedule_id: int) -> dict[str, Any] | None:
    query = select(meeting_schedules).where(
        meeting_schedules.c.id == schedule_id, meeting_schedules.c.active.is_(True)
    )
    found = _dicts(conn, query)
    return found[0] if found else None


def end_schedule(conn: Connection, schedule_id: int) -> None:
    conn.execute(
        update(meeting_schedules)
        .where(meeting_schedules.c.id == schedule_id)
        .values(active=False, next_at=None)
    )


def set_next(conn: Connection, schedule_id: int, at: datetime | None) -> None:
    conn.execute(
        update(meeting_schedules).where(meeting_schedules.c.id == schedule_id).values(next_at=at)
    )


def claim_schedule(conn: Connection, now: datetime) -> dict[str, Any] | None:
    """A schedule whose report is due at ``now``, locked for this transaction (PostgreSQL:
    rows other workers hold are skipped; SQLite: the write lock serialises workers)."""
    query = (
        select(meeting_schedules)
        .where(meeting_schedules.c.next_at.is_not(None), meeting_schedules.c.next_at <= now)
        .order_by(meeting_schedules.c.next_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    found = _dicts(conn, query)
    return found[0] if found else None


# -- meetings -----------------------------------------------------------------------------
def add_meeting(conn: Connection, row: dict[str, Any]) -> int:
    key = conn.execute(insert(meetings).values(**row)).inserted_primary_key
    assert key is not None
    return int(key[0])


def meeting(conn: Connection, code: str) -> dict[str, Any] | None:
    found = _dicts(conn, select(meetings).where(meetings.c.code == code))
    return found[0] if found else None


def meeting_list(
    conn: Connection, departments: Collection[str] | None, login: str, limit: int
) -> list[dict[str, Any]]:
    """Meetings newest first with their items counted: of ``departments`` (None: all) and
    those ``login`` was invited to."""
    counted = (
        select(
            action_items.c.meeting_id,
            func.count().label("items"),
            func.sum(case((action_items.c.state == "open", 1), else_=0)).label("open"),
        )
        .group_by(action_items.c.meeting_id)
        .subquery()
    )
    query = select(
        meetings.c.code,
        meetings.c.department,
        meetings.c.held_at,
        meetings.c.state,
        meetings.c.participants,
        func.coalesce(counted.c["items"], 0).label("items"),
        func.coalesce(counted.c.open, 0).label("open"),
    ).outerjoin(counted, counted.c.meeting_id == meetings.c.id)
    rows = _dicts(conn, query.order_by(meetings.c.held_at.desc(), meetings.c.id.desc()))
    if departments is not None:
        rows = [r for r in rows if r["department"] in departments or login in r["participants"]]
    return rows[:limit]


def coming_meeting(conn: Connection, department: str, now: datetime) -> dict[str, Any] | None:
    """The department's meeting prepared and not held yet at ``now``, if any."""
    query = select(meetings.c.code, meetings.c.held_at).where(
        meetings.c.department == department, meetings.c.held_at > now
    )
    found = _dicts(conn, query.order_by(meetings.c.held_at).limit(1))
    return found[0] if found else None


def set_meeting(conn: Connection, meeting_id: int, **values: Any) -> None:
    conn.execute(update(meetings).where(meetings.c.id == meeting_id).values(**values))


def claim_meeting(conn: Connection, now: datetime) -> dict[str, Any] | None:
    """A meeting whose minutes check is due at ``now``, locked for this transaction."""
    query = (
        select(meetings)
        .where(meetings.c.check_at.is_not(None), meetings.c.check_at <= now)
        .order_by(meetings.c.check_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    found = _dicts(conn, query)
    return found[0] if found else None


def lock_meeting(conn: Connection, meeting_id: int) -> None:
    """Hold the meeting's row until the transaction ends (resolutions entered twice at
    once are entered one after the other)."""
    conn.execute(select(meetings.c.id).where(meetings.c.id == meeting_id).with_for_update())


# -- action items -------------------------------------------------------------------------
def add_items(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(action_items), list(rows))


def items_of(conn: Connection, meeting_ids: Collection[int]) -> list[dict[str, Any]]:
    return _item_rows(conn, action_items.c.meeting_id.in_(sorted(meeting_ids)))


def open_items_of_department(
    conn: Connection, department: str, before: datetime
) -> list[dict[str, Any]]:
    """Open items of the department's meetings held before ``before``."""
    earlier = select(meetings.c.id).where(
        meetings.c.department == department, meetings.c.held_at < before
    )
    return _item_rows(conn, action_items.c.meeting_id.in_(earlier), action_items.c.state == "open")


def item(conn: Connection, item_id: int) -> dict[str, Any] | None:
    found = _item_rows(conn, action_items.c.id == item_id)
    return found[0] if found else None


def item_list(
    conn: Connection, owner: str | None, departments: Collection[str] | None, open_only: bool
) -> list[dict[str, Any]]:
    """Items of ``owner``, or of the meetings of ``departments`` (None: all), by deadline."""
    conditions: list[Any] = []
    if owner is not None:
        conditions.append(action_items.c.owner == owner)
    if departments is not None:
        conditions.append(meetings.c.department.in_(sorted(departments)))
    if open_only:
        conditions.append(action_items.c.state == "open")
    return _item_rows(conn, *conditions)


def _item_rows(conn: Connection, *conditions: Any) -> list[dict[str, Any]]:
    query = (
        select(
            action_items,
            meetings.c.code.label("meeting"),
            meetings.c.department.label("meeting_department"),
        )
        .join(meetings, meetings.c.id == action_items.c.meeting_id)
        .where(*conditions)
        .order_by(action_items.c.state.desc(), action_items.c.due_at, action_items.c.id)
    )
    return _dicts(conn, query)


def claim_item(conn: Connection, now: datetime) -> dict[str, Any] | None:
    """An open item whose next check is due at ``now``, locked for this transaction."""
    query = (
        select(action_items)
        .where(action_items.c.check_at.is_not(None), action_items.c.check_at <= now)
        .order_by(action_items.c.check_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    found = _dicts(conn, query)
    return found[0] if found else None


def set_item(conn: Connection, item_id: int, version: int, **values: Any) -> bool:
    """Change an item if it is still at ``version``; whether it was."""
    result = conn.execute(
        update(action_items)
        .where(action_items.c.id == item_id, action_items.c.version == version)
        .values(version=version + 1, **values)
    )
    return bool(result.rowcount == 1)


def next_due(conn: Connection) -> datetime | None:
    """The earliest pending check of schedules, meetings and action items."""
    found = [
        conn.execute(select(func.min(column))).scalar()
        for column in (meeting_schedules.c.next_at, meetings.c.check_at, action_items.c.check_at)
    ]
    return min((f for f in found if f is not None), default=None)


# -- what a report is made of -------------------------------------------------------------
def running_instances(conn: Connection, department: str) -> list[dict[str, Any]]:
    query = (
        select(instances.c.id)
        .where(instances.c.department == department, instances.c.state == "running")
        .order_by(instances.c.started_at, instances.c.id)
    )
    return _dicts(conn, query)


def task_departments(conn: Connection, instance_ids: Collection[int]) -> set[str]:
    """The departments that have tasks in these instances."""
    if not instance_ids:
        return set()
    query = (
        select(tasks.c.department)
        .where(tasks.c.instance_id.in_(sorted(instance_ids)), tasks.c.department.is_not(None))
        .distinct()
    )
    return {str(d) for d in conn.execute(query).scalars()}


def open_exceptions(conn: Connection, instance_ids: Collection[int]) -> list[dict[str, Any]]:
    """The exception records of these instances that are not closed, oldest first."""
    if not instance_ids:
        return []
    query = (
        select(exceptions, instances.c.business_key, instances.c.definition_id)
        .join(instances, instances.c.id == exceptions.c.instance_id)
        .where(
            exceptions.c.instance_id.in_(sorted(instance_ids)),
            exceptions.c.state != CLOSED_EXCEPTION,
        )
        .order_by(exceptions.c.reported_at, exceptions.c.id)
    )
    return _dicts(conn, query)
