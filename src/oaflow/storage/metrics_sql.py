"""The metrics of the processes (MTR-1..3) that are read from the database as they are, in
SQL, each behind an index on the period's column: the instances started in a period (by
``started_at``), the work a department received (tasks by ``created_at``), the
satisfaction scores (instances by ``ended_at``); and the ``Window`` every metrics query
takes. The durations, rates and counts of finished work come from the daily roll-up
(storage/rollup_repo.py, docs/adr/0015), which reads its facts with this module's
conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from oaflow.domain.security import Scope
from oaflow.domain.states import FINISHED_TASK_STATES, SENT_BACK_STATES
from oaflow.storage.scope_sql import visible, without_jit


def _sql_list(states: frozenset[str]) -> str:
    return "(" + ", ".join(f"'{state}'" for state in sorted(states)) + ")"


#: tasks a person finished, and those that sent the work back, as SQL lists
FINISHED = _sql_list(FINISHED_TASK_STATES)
SENT_BACK = _sql_list(SENT_BACK_STATES)
#: a completed instance, in a form no index serves: beside a period's range of
#: ix_instances_ended_at, SQLite (no ANALYZE statistics) took the index on state instead and
#: read every completed instance of all time (bench/report.py: 0.14 s for a month of a
#: year's history of 220,000 instances, 0.02 s through the range)
COMPLETED = "i.state || '' = 'completed'"


@dataclass(frozen=True)
class Window:
    """What a query covers: the instants [start, end), a process (None: all), a scope."""

    start: datetime
    end: datetime
    process: str | None
    scope: Scope

    def where(self, instances: str = "i") -> tuple[str, dict[str, Any]]:
        """The conditions on the process and the scope, for ``AND``-ing, and their values."""
        sql, params = visible(self.scope, instances)
        params = {**params, "start": self.start, "end": self.end}
        if self.process is not None:
            sql += f" AND {instances}.definition_key = :process"
            params["process"] = self.process
        return sql, params


@dataclass(frozen=True)
class Received:
    """What a department received in a window: tasks created in it, and of those the ones
    not finished by its end."""

    department: str
    received: int
    still_open: int


@dataclass(frozen=True)
class Started:
    process: str
    definition_id: int
    started: int  # instances started in the period
    running: int  # of those, still running now


@dataclass(frozen=True)
class Scores:
    """Satisfaction (MTR-2) of a group: answered surveys, their average score, and asked."""

    key: str
    asked: int
    answered: int
    average: float | None


def started(conn: Connection, window: Window) -> list[Started]:
    """Per process: the instances started in the window, and how many of them still run."""
    without_jit(conn)
    scope, params = window.where()
    sql = f"""
        SELECT i.definition_key AS process, MAX(i.definition_id) AS definition_id,
               COUNT(*) AS started,
               SUM(CASE WHEN i.state = 'running' THEN 1 ELSE 0 END) AS running
        FROM instances i
        WHERE i.started_at >= :start AND i.started_at < :end AND {scope}
        GROUP BY i.definition_key ORDER BY i.definition_key
    """
    return [
        Started(m["process"], int(m["definition_id"]), int(m["started"]), int(m["running"]))
        for m in conn.execute(text(sql), params).mappings()
    ]


def received(conn: Connection, window: Window) -> list[Received]:
    """Per department: the tasks created in the window (not cancelled), and of those the
    ones not finished by its end."""
    without_jit(conn)
    scope, params = window.where()
    sql = f"""
        SELECT t.department, COUNT(*) AS received,
               SUM(CASE WHEN t.finished_at IS NULL OR t.finished_at >= :end
                   THEN 1 ELSE 0 END) AS still_open
        FROM tasks t JOIN instances i ON i.id = t.instance_id
        WHERE t.created_at >= :start AND t.created_at < :end
          AND t.department IS NOT NULL AND t.state <> 'cancelled' AND {scope}
        GROUP BY t.department ORDER BY t.department
    """
    return [
        Received(m["department"], int(m["received"]), int(m["still_open"] or 0))
        for m in conn.execute(text(sql), params).mappings()
    ]


def scores(conn: Connection, window: Window, by: str) -> list[Scores]:
    """Satisfaction per process or per answering department (``by``), over the surveys of
    the instances completed in the window."""
    without_jit(conn)
    column = "i.definition_key" if by == "process" else "s.department"
    scope, params = window.where()
    sql = f"""
        SELECT {column} AS key, COUNT(*) AS asked, COUNT(s.score) AS answered,
               AVG(s.score) AS average
        FROM surveys s JOIN instances i ON i.id = s.instance_id
        WHERE i.ended_at >= :start AND i.ended_at < :end AND {COMPLETED}
          AND {scope}
        GROUP BY {column} ORDER BY {column}
    """
    return [
        Scores(
            m["key"],
            int(m["asked"]),
            int(m["answered"]),
            float(m["average"]) if m["average"] is not None else None,
        )
        for m in conn.execute(text(sql), params).mappings()
    ]
