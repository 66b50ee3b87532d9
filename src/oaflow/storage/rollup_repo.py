"""The metrics' daily roll-up in the database (docs/adr/0015): the facts a tally is made of
(finished tasks, completed instances — read a range at a time on the period indexes, in
pages, never all at once), the stored tallies per day and group, the days held with their
counts, and the worker's mark in ``settings`` (the last day rolled up, and the time zone
its days are in)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text

from oaflow.domain.rollup import COUNTERS, InstanceFact, Key, Tally, TaskFact
from oaflow.storage import settings_repo
from oaflow.storage.metrics_sql import COMPLETED, FINISHED, SENT_BACK, Window
from oaflow.storage.scope_sql import without_jit
from oaflow.storage.tables import (
    UTCDateTime,
    instances,
    rollup_days,
    rollup_tallies,
    tasks,
)

#: the name of the worker's mark in ``settings``: "<time zone> <YYYY-MM-DD>"
MARK = "rollup_through"
#: rows fetched from the database at a time while facts are read
PAGE = 200
#: stored tallies fetched at a time: their histograms' text is what a review's memory holds
TALLY_PAGE = 50

Mark = tuple[str, date]


# -- the worker's mark ------------------------------------------------------------------------
def _parse_mark(value: str | None) -> Mark | None:
    if not value:
        return None
    zone, day = value.rsplit(" ", 1)
    return zone, date.fromisoformat(day)


def read_mark(conn: Connection) -> Mark | None:
    """The time zone and the last day rolled up; None: none yet."""
    return _parse_mark(settings_repo.read_text(conn, MARK))


def lock_mark(conn: Connection) -> Mark | None:
    """The mark, locked for this transaction (a second worker waits for it)."""
    return _parse_mark(settings_repo.lock_text(conn, MARK))


def set_mark(conn: Connection, mark: Mark | None) -> None:
    settings_repo.write_text(conn, MARK, f"{mark[0]} {mark[1].isoformat()}" if mark else "")


def first_activity(conn: Connection, since: datetime | None = None) -> datetime | None:
    """When the first task finished or instance ended (at or after ``since``): where the
    roll-up starts, or what it can skip to."""
    found = []
    for column in (tasks.c.finished_at, instances.c.ended_at):
        query = select(func.min(column))
        found.append(conn.execute(query if since is None else query.where(column >= since)))
    return min((at for r in found if (at := r.scalar()) is not None), default=None)


# -- the facts ----------------------------------------------------------------------------------
def task_facts(conn: Connection, window: Window, zone: tzinfo) -> Iterator[TaskFact]:
    """The tasks finished (done, approved, rejected, returned) in the window, a page of rows
    at a time, by instance, node and finish (as domain/rollup.tally_tasks needs them); their
    day on the clock of ``zone``."""
    without_jit(conn)
    scope, params = window.where()
    sql = text(f"""
        SELECT i.definition_key, i.definition_id, t.instance_id, t.node_id, t.department,
               t.round, t.state, t.work_seconds, t.span_seconds, t.late_seconds, t.exception,
               t.finished_at
        FROM tasks t JOIN instances i ON i.id = t.instance_id
        WHERE t.finished_at >= :start AND t.finished_at < :end AND t.state IN {FINISHED}
          AND {scope}
        ORDER BY t.instance_id, t.node_id, t.finished_at
    """).columns(finished_at=UTCDateTime(timezone=True))
    for row in conn.execute(sql.execution_options(yield_per=PAGE), params):
        yield TaskFact(
            process=row[0],
            definition_id=row[1],
            instance_id=row[2],
            node=row[3],
            department=row[4],
            round=row[5],
            state=row[6],
            work=row[7],
            span=row[8],
            late=row[9],
            exception=row[10],
            day=row[11].astimezone(zone).date(),
        )


def instance_facts(conn: Connection, window: Window) -> Iterator[InstanceFact]:
    """The instances completed in the window, a page of rows at a time."""
    without_jit(conn)
    scope, params = window.where()
    sql = text(f"""
        SELECT i.definition_key, i.definition_id, i.work_seconds, i.span_seconds,
               CASE WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.instance_id = i.id
                    AND t.state IN {SENT_BACK}) THEN 0 ELSE 1 END AS first_pass,
               CASE WHEN EXISTS (SELECT 1 FROM exceptions x WHERE x.instance_id = i.id)
                    THEN 1 ELSE 0 END AS with_exception,
               CASE WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.instance_id = i.id
                    AND t.state IN {FINISHED} AND t.late_seconds > 0)
                    THEN 0 ELSE 1 END AS on_time
        FROM instances i
        WHERE i.ended_at >= :start AND i.ended_at < :end AND {COMPLETED} AND {scope}
    """)
    for row in conn.execute(sql.execution_options(yield_per=PAGE), params):
        yield InstanceFact(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5]), bool(row[6]))


#: what a kept day is vouched for by: its count of finished tasks or of ended instances
COUNTED = {"tasks": tasks.c.finished_at, "instances": instances.c.ended_at}


def count_in(conn: Connection, what: str, start: datetime, end: datetime) -> int:
    """How many tasks finished (``what`` "tasks") or instances ended ("instances") in
    [start, end), in any state: an index-only count on the period index."""
    column = COUNTED[what]
    query = select(func.count()).where(column >= start, column < end)
    return int(conn.execute(query).scalar() or 0)


# -- the stored days ----------------------------------------------------------------------------
def stored_days(conn: Connection, first: date, last: date, zone: str, what: str) -> dict[date, int]:
    """The days from ``first`` to ``last`` rolled up in ``zone``, with their count of
    ``what`` ("tasks" or "instances", as ``count_in``)."""
    d = rollup_days.c
    query = select(d.day, d[what]).where(
        d.day >= first.isoformat(), d.day <= last.isoformat(), d.tz == zone
    )
    return {date.fromisoformat(day): count for day, count in conn.execute(query)}


def kept_span(conn: Connection, zone: str) -> tuple[str | None, str | None]:
    """The first and last day kept in ``zone`` (ISO dates); None, None: none."""
    d = rollup_days.c
    row = conn.execute(select(func.min(d.day), func.max(d.day)).where(d.tz == zone)).one()
    return row[0], row[1]


def add_tallies(
    conn: Connection,
    first: date,
    last: date,
    kinds: Iterable[str],
    process: str | None,
    into: dict[Key, Tally],
) -> None:
    """Add the stored tallies of the days from ``first`` to ``last`` of ``kinds`` (of
    ``process`` only, when given) to ``into``, per group: a row at a time, its histograms
    added as they are read (never made whole)."""
    c = rollup_tallies.c
    query = select(rollup_tallies).where(
        c.day >= first.isoformat(), c.day <= last.isoformat(), c.kind.in_(list(kinds))
    )
    if process is not None:
        query = query.where(c.process == process)
    for row in conn.execute(query.execution_options(yield_per=TALLY_PAGE)).mappings():
        key = (row["kind"], row["process"], row["node"], row["department"])
        tally = into.get(key)
        if tally is None:
            tally = into[key] = Tally()
        tally.definition_id = max(tally.definition_id, row["definition_id"])
        tally.count += row["count"]
        tally.work.merge_stored(row["work_hist"], row["work_sum"])
        tally.span.merge_stored(row["span_hist"], row["span_sum"])
        for name in COUNTERS:
            setattr(tally, name, getattr(tally, name) + row[name])


def write_day(
    conn: Connection,
    day: date,
    zone: str,
    tallies: dict[Key, Tally],
    span: tuple[datetime, datetime],
    now: datetime,
) -> None:
    """Keep the tallies of ``day`` (its instants ``span``), replacing any kept before, and
    the day's counts of finished tasks and ended instances."""
    conn.execute(delete(rollup_tallies).where(rollup_tallies.c.day == day.isoformat()))
    conn.execute(delete(rollup_days).where(rollup_days.c.day == day.isoformat()))
    rows: list[dict[str, Any]] = [
        {
            "day": day.isoformat(),
            "kind": kind,
            "process": process,
            "node": node,
            "department": department,
            "definition_id": tally.definition_id,
            "count": tally.count,
            "work_sum": tally.work.total,
            "work_hist": tally.work.dumps(),
            "span_sum": tally.span.total,
            "span_hist": tally.span.dumps(),
            **{name: getattr(tally, name) for name in COUNTERS},
        }
        for (kind, process, node, department), tally in tallies.items()
    ]
    if rows:
        conn.execute(insert(rollup_tallies), rows)
    conn.execute(
        insert(rollup_days).values(
            day=day.isoformat(),
            tz=zone,
            rolled_at=now,
            **{what: count_in(conn, what, *span) for what in COUNTED},
        )
    )


def mark_quiet(conn: Connection, first: date, last: date, zone: str, now: datetime) -> None:
    """Keep the days from ``first`` to ``last``, in which nothing happened, with no tallies
    and counts of zero."""
    days = [
        first.fromordinal(n).isoformat() for n in range(first.toordinal(), last.toordinal() + 1)
    ]
    conn.execute(delete(rollup_days).where(rollup_days.c.day.in_(days)))
    conn.execute(delete(rollup_tallies).where(rollup_tallies.c.day.in_(days)))
    rows = [{"day": d, "tz": zone, "tasks": 0, "instances": 0, "rolled_at": now} for d in days]
    conn.execute(insert(rollup_days), rows)


def clear(conn: Connection) -> None:
    """Forget every rolled-up day (the worker starts again from the first)."""
    conn.execute(delete(rollup_tallies))
    conn.execute(delete(rollup_days))
    set_mark(conn, None)
