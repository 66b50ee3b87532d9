"""Which instances a principal may see (SEC-2), as ONE SQL condition used by every query:
a single object's check and every list use the same text, so they cannot disagree.

A person took part in an instance when they started it, hold or held one of its tasks
(themselves, as a candidate, or through their deputy), or were told about it (a message in
their in-app inbox: dispatches, copies, urges, escalations). A head or supervising leader
also sees the instances that touched their departments (started there, or with a task
there).

A read that tests the condition many times — the review's seventy statements, the forecasts'
pages — lists the visible instances once in a temporary table (``listed``) and tests
membership there; the list is made by the same condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, text

from oaflow.domain.security import Scope

_PARTICIPANT = (
    "{i}.initiator = :scope_login"
    " OR {i}.id IN (SELECT instance_id FROM tasks WHERE assignee = :scope_login)"
    " OR {i}.id IN (SELECT instance_id FROM tasks WHERE on_behalf_of = :scope_login)"
    " OR {i}.id IN (SELECT t.instance_id FROM task_candidates c JOIN tasks t"
    " ON t.id = c.task_id WHERE c.login = :scope_login)"
    " OR {i}.id IN (SELECT o.instance_id FROM inbox n JOIN outbox o"
    " ON o.message_id = n.message_id WHERE n.login = :scope_login"
    " AND o.instance_id IS NOT NULL)"
)
#: the departments' part as a correlated EXISTS, not an IN-list: a head's department has
#: hundreds of thousands of tasks in a large history, and the list of their instances was
#: built again by every statement (SQLite) or searched row by row when it did not fit
#: work_mem (PostgreSQL); the index on (department, instance_id) answers each instance with
#: a probe per department (bench/report.py --as csd.head)
_DEPARTMENTS = (
    " OR {i}.department IN ({names})"
    " OR EXISTS (SELECT 1 FROM tasks dt WHERE dt.instance_id = {i}.id"
    " AND dt.department IN ({names}))"
)


#: the visible instances of a ``listed`` scope, for the rest of the transaction; its rows
#: are the transaction's own (gone with a rollback; PostgreSQL also empties it at commit)
LISTED = "oaflow_visible"


@dataclass(frozen=True)
class Listed(Scope):
    """A scope whose instances are listed in LISTED on the connection that listed them."""


def visible(scope: Scope, instances: str = "instances") -> tuple[str, dict[str, Any]]:
    """The condition on the instances table (named ``instances``) and its parameters."""
    if scope.everything:
        return "1 = 1", {}
    if isinstance(scope, Listed):
        return f"{instances}.id IN (SELECT id FROM {LISTED})", {}
    params: dict[str, Any] = {"scope_login": scope.login}
    sql = _PARTICIPANT
    if scope.departments:
        names = {f"scope_d{n}": code for n, code in enumerate(sorted(scope.departments))}
        params.update(names)
        sql += _DEPARTMENTS.replace("{names}", ", ".join(f":{k}" for k in names))
    return "(" + sql.replace("{i}", instances) + ")", params


def visible_clause(scope: Scope, instances: str = "instances") -> ColumnElement[bool]:
    """The same condition for a SQLAlchemy Core query."""
    sql, params = visible(scope, instances)
    return text(sql).bindparams(**params)  # type: ignore[return-value]


def without_jit(conn: Connection) -> None:
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


@contextmanager
def listed(conn: Connection, scope: Scope) -> Iterator[Scope]:
    """``scope`` with its instances listed once on ``conn`` (in its transaction), for the
    statements of a read that test it many times: each then probes the list by the
    instance's id instead of building the condition's lists again (a head of department at
    1,000,000 tasks: 290,000 tasks assigned, 0.2 s a statement; bench/report.py). Everything
    is not listed. One listed scope at a time on a connection: a second listing inside the
    first would replace its list under it, so it is refused."""
    if scope.everything:
        yield scope
        return
    if conn.info.get(LISTED):
        raise RuntimeError("a scope is already listed on this connection")
    postgres = conn.dialect.name == "postgresql"
    keep = "BIGINT PRIMARY KEY) ON COMMIT DELETE ROWS" if postgres else "INTEGER PRIMARY KEY)"
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE IF NOT EXISTS {LISTED} (id {keep}")
    conn.exec_driver_sql(f"DELETE FROM {LISTED}")
    condition, params = visible(scope, "i")
    without_jit(conn)  # the condition's IN-lists hashed in memory, as in every big read
    conn.execute(
        text(f"INSERT INTO {LISTED} (id) SELECT i.id FROM instances i WHERE {condition}"), params
    )
    if postgres:
        conn.exec_driver_sql(f"ANALYZE {LISTED}")  # no autovacuum for a temporary table
    conn.info[LISTED] = True
    try:
        yield Listed(False, scope.login, scope.departments)
    finally:
        conn.info[LISTED] = False
    conn.exec_driver_sql(f"DELETE FROM {LISTED}")  # SQLite keeps the rows past a commit
