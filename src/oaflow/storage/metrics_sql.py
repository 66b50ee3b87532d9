"""The metrics of the processes (MTR-1..3) aggregated in SQL over the measured history
(docs/adr/0013): one row per process, node or department with counts, sums and the
nearest-rank median and 90th percentile of the measured durations. The same statements run
on SQLite and PostgreSQL (window functions; no percentile_cont, which SQLite lacks), each
behind an index on the period's column: instances by ``ended_at``, tasks by
``finished_at`` or ``created_at``, exceptions by ``found_at``.

Nearest rank: the p-th percentile of n sorted values is the value at rank ceil(p·n), that
is the smallest value whose rank r has r >= p·n.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from oaflow.domain.security import Scope
from oaflow.storage.scope_sql import visible

#: tasks a person finished (a cancelled task was not worked to its end)
FINISHED = "('done', 'approved', 'rejected', 'returned')"
#: what sends work back: the node did not pass the first time
SENT_BACK = "('rejected', 'returned')"
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
class Spread:
    """Durations in seconds: how many, their average, median and 90th percentile."""

    count: int
    average: float | None
    median: int | None
    p90: int | None


@dataclass(frozen=True)
class ProcessRow:
    process: str
    definition_id: int  # the newest version seen, to name it by
    completed: int
    work: Spread
    span: Spread
    first_pass: int  # completed without any rejection or return
    with_exception: int  # completed instances with an exception record
    on_time: int  # completed with no task late


@dataclass(frozen=True)
class NodeRow:
    process: str
    node: str
    definition_id: int
    work: Spread
    span: Spread
    with_due: int  # tasks that had a deadline
    late: int  # tasks finished past it
    late_seconds: int  # their working time past it, summed
    late_instances: int  # instances with a late task here
    with_exception: int  # tasks an exception record was opened on
    visits: int  # (instance, node) pairs with finished tasks
    first_pass: int  # of those, passed at the first round without rejection or return


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    received: int  # tasks created in the period
    still_open: int  # of those, not finished by the period's end
    done: int  # tasks finished in the period
    work: Spread
    with_due: int
    late: int
    with_exception: int
    visits: int
    first_pass: int


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


def _spread(values: str, partition: str, prefix: str) -> tuple[str, str]:
    """The window columns that rank ``values`` per ``partition``, and the aggregate columns
    that read count, average, median and p90 from them (named ``{prefix}_…``)."""
    ranked = (
        f"ROW_NUMBER() OVER (PARTITION BY {partition} "
        f"ORDER BY CASE WHEN {values} IS NULL THEN 1 ELSE 0 END, {values}) AS {prefix}_rank, "
        f"COUNT({values}) OVER (PARTITION BY {partition}) AS {prefix}_n"
    )
    chosen = (
        f"COUNT({values}) AS {prefix}_count, AVG({values}) AS {prefix}_avg, "
        f"MIN(CASE WHEN {values} IS NOT NULL AND {prefix}_rank * 2 >= {prefix}_n "
        f"THEN {values} END) AS {prefix}_median, "
        f"MIN(CASE WHEN {values} IS NOT NULL AND {prefix}_rank * 10 >= {prefix}_n * 9 "
        f"THEN {values} END) AS {prefix}_p90"
    )
    return ranked, chosen


def _read_spread(m: Any, prefix: str) -> Spread:
    count = int(m[f"{prefix}_count"] or 0)
    average = m[f"{prefix}_avg"]
    median, p90 = m[f"{prefix}_median"], m[f"{prefix}_p90"]
    return Spread(
        count,
        float(average) if average is not None else None,
        int(median) if median is not None else None,
        int(p90) if p90 is not None else None,
    )


def _without_jit(conn: Connection) -> None:
    """Settings of PostgreSQL for the rest of the transaction (bench/report.py, EXPLAIN
    ANALYZE over 1,000,000 tasks):

    - no JIT: a statement whose estimated cost passes ``jit_above_cost`` is compiled to
      machine code; the window functions and EXISTS subplans here are estimated high, and
      compiling cost more than running (2.1 s of the 2.8 s of a quarter's processes);
    - work_mem 64 MB: the scope's ``i.id IN (SELECT … FROM tasks …)`` lists of a head (290,000
      tasks assigned to csd.head, 420,000 of its department) fit a hash only above the 4 MB
      default; below it each instance of the period searched the whole list (a quarter's
      processes ran for minutes)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL jit = off")
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")


def processes(conn: Connection, window: Window) -> list[ProcessRow]:
    """Per process: the instances completed in the window and their cycle times."""
    _without_jit(conn)
    scope, params = window.where()
    rank_w, pick_w = _spread("work_seconds", "process", "w")
    rank_s, pick_s = _spread("span_seconds", "process", "s")
    sql = f"""
        WITH ended AS (
            SELECT i.id, i.definition_key AS process, i.definition_id, i.work_seconds,
                   i.span_seconds,
                   CASE WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.instance_id = i.id
                        AND t.state IN {SENT_BACK}) THEN 0 ELSE 1 END AS first_pass,
                   CASE WHEN EXISTS (SELECT 1 FROM exceptions x WHERE x.instance_id = i.id)
                        THEN 1 ELSE 0 END AS with_exception,
                   CASE WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.instance_id = i.id
                        AND t.state IN {FINISHED} AND t.late_seconds > 0)
                        THEN 0 ELSE 1 END AS on_time
            FROM instances i
            WHERE i.ended_at >= :start AND i.ended_at < :end AND {COMPLETED}
              AND {scope}
        ), ranked AS (
            SELECT ended.*, {rank_w}, {rank_s} FROM ended
        )
        SELECT process, MAX(definition_id) AS definition_id, COUNT(*) AS completed,
               {pick_w}, {pick_s}, SUM(first_pass) AS first_pass,
               SUM(with_exception) AS with_exception, SUM(on_time) AS on_time
        FROM ranked GROUP BY process ORDER BY process
    """
    return [
        ProcessRow(
            process=m["process"],
            definition_id=int(m["definition_id"]),
            completed=int(m["completed"]),
            work=_read_spread(m, "w"),
            span=_read_spread(m, "s"),
            first_pass=int(m["first_pass"]),
            with_exception=int(m["with_exception"]),
            on_time=int(m["on_time"]),
        )
        for m in conn.execute(text(sql), params).mappings()
    ]


def started(conn: Connection, window: Window) -> list[Started]:
    """Per process: the instances started in the window, and how many of them still run."""
    _without_jit(conn)
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


def _finished_tasks(scope: str) -> str:
    """The CTE body of the tasks finished in the window, with their process."""
    return f"""
        SELECT t.instance_id, i.definition_key AS process, i.definition_id, t.node_id AS node,
               t.department, t.round, t.state, t.work_seconds, t.span_seconds,
               t.late_seconds, t.exception
        FROM tasks t JOIN instances i ON i.id = t.instance_id
        WHERE t.finished_at >= :start AND t.finished_at < :end AND t.state IN {FINISHED}
          AND {scope}
    """


def _visits(group: str) -> str:
    """Per ``group``: the (instance, node) visits and those that passed the first time."""
    visit = f"{group}, instance_id" + ("" if "node" in group else ", node")
    return f"""
        SELECT {group}, COUNT(*) AS visits,
               SUM(CASE WHEN top_round = 1 AND sent_back = 0 THEN 1 ELSE 0 END) AS first_pass
        FROM (
            SELECT {visit}, MAX(round) AS top_round,
                   SUM(CASE WHEN state IN {SENT_BACK} THEN 1 ELSE 0 END) AS sent_back
            FROM done GROUP BY {visit}
        ) v GROUP BY {group}
    """


def durations(conn: Connection, window: Window) -> dict[tuple[str, str], Spread]:
    """Per (process, node): the working time of the tasks finished in the window — the
    forecast's history. One ranking and nothing else: a fraction of ``nodes``' work."""
    _without_jit(conn)
    scope, params = window.where()
    rank_w, pick_w = _spread("work_seconds", "process, node", "w")
    sql = f"""
        WITH done AS (
            SELECT i.definition_key AS process, t.node_id AS node, t.work_seconds
            FROM tasks t JOIN instances i ON i.id = t.instance_id
            WHERE t.finished_at >= :start AND t.finished_at < :end AND t.state IN {FINISHED}
              AND {scope}
        ),
        ranked AS (SELECT done.*, {rank_w} FROM done)
        SELECT process, node, {pick_w} FROM ranked GROUP BY process, node
    """
    return {
        (m["process"], m["node"]): _read_spread(m, "w")
        for m in conn.execute(text(sql), params).mappings()
    }


def nodes(conn: Connection, window: Window) -> list[NodeRow]:
    """Per process and node: the tasks finished in the window."""
    _without_jit(conn)
    scope, params = window.where()
    rank_w, pick_w = _spread("work_seconds", "process, node", "w")
    rank_s, pick_s = _spread("span_seconds", "process, node", "s")
    sql = f"""
        WITH done AS ({_finished_tasks(scope)}),
        ranked AS (SELECT done.*, {rank_w}, {rank_s} FROM done),
        measured AS (
            SELECT process, node, MAX(definition_id) AS definition_id, {pick_w}, {pick_s},
                   SUM(CASE WHEN late_seconds IS NOT NULL THEN 1 ELSE 0 END) AS with_due,
                   SUM(CASE WHEN late_seconds > 0 THEN 1 ELSE 0 END) AS late,
                   SUM(CASE WHEN late_seconds > 0 THEN late_seconds ELSE 0 END) AS late_total,
                   COUNT(DISTINCT CASE WHEN late_seconds > 0 THEN instance_id END)
                       AS late_instances,
                   SUM(CASE WHEN exception IS NOT NULL THEN 1 ELSE 0 END) AS with_exception
            FROM ranked GROUP BY process, node
        ),
        visits AS ({_visits("process, node")})
        SELECT m.*, v.visits, v.first_pass FROM measured m
        JOIN visits v ON v.process = m.process AND v.node = m.node
        ORDER BY m.process, m.node
    """
    return [
        NodeRow(
            process=m["process"],
            node=m["node"],
            definition_id=int(m["definition_id"]),
            work=_read_spread(m, "w"),
            span=_read_spread(m, "s"),
            with_due=int(m["with_due"]),
            late=int(m["late"]),
            late_seconds=int(m["late_total"]),
            late_instances=int(m["late_instances"]),
            with_exception=int(m["with_exception"]),
            visits=int(m["visits"]),
            first_pass=int(m["first_pass"]),
        )
        for m in conn.execute(text(sql), params).mappings()
    ]


def departments(conn: Connection, window: Window) -> list[DepartmentRow]:
    """Per department: the work it received, finished and left open in the window."""
    _without_jit(conn)
    scope, params = window.where()
    rank_w, pick_w = _spread("work_seconds", "department", "w")
    sql = f"""
        WITH done AS ({_finished_tasks(scope)}),
        ranked AS (SELECT done.*, {rank_w} FROM done WHERE department IS NOT NULL),
        measured AS (
            SELECT department, COUNT(*) AS done, {pick_w},
                   SUM(CASE WHEN late_seconds IS NOT NULL THEN 1 ELSE 0 END) AS with_due,
                   SUM(CASE WHEN late_seconds > 0 THEN 1 ELSE 0 END) AS late,
                   SUM(CASE WHEN exception IS NOT NULL THEN 1 ELSE 0 END) AS with_exception
            FROM ranked GROUP BY department
        ),
        visits AS ({_visits("department")}),
        received AS (
            SELECT t.department, COUNT(*) AS received,
                   SUM(CASE WHEN t.finished_at IS NULL OR t.finished_at >= :end
                       THEN 1 ELSE 0 END) AS still_open
            FROM tasks t JOIN instances i ON i.id = t.instance_id
            WHERE t.created_at >= :start AND t.created_at < :end
              AND t.department IS NOT NULL AND t.state <> 'cancelled' AND {scope}
            GROUP BY t.department
        ),
        codes AS (SELECT department FROM measured UNION SELECT department FROM received)
        SELECT c.department AS code, r.received, r.still_open, m.*, v.visits, v.first_pass
        FROM codes c
        LEFT JOIN measured m ON m.department = c.department
        LEFT JOIN visits v ON v.department = c.department
        LEFT JOIN received r ON r.department = c.department
        ORDER BY c.department
    """
    return [
        DepartmentRow(
            department=m["code"],
            received=int(m["received"] or 0),
            still_open=int(m["still_open"] or 0),
            done=int(m["done"] or 0),
            work=_read_spread(m, "w"),
            with_due=int(m["with_due"] or 0),
            late=int(m["late"] or 0),
            with_exception=int(m["with_exception"] or 0),
            visits=int(m["visits"] or 0),
            first_pass=int(m["first_pass"] or 0),
        )
        for m in conn.execute(text(sql), params).mappings()
    ]


def scores(conn: Connection, window: Window, by: str) -> list[Scores]:
    """Satisfaction per process or per answering department (``by``), over the surveys of
    the instances completed in the window."""
    _without_jit(conn)
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
