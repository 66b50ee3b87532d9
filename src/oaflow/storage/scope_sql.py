"""Which instances a principal may see (SEC-2), as ONE SQL condition used by every query:
a single object's check and every list use the same text, so they cannot disagree.

A person took part in an instance when they started it, hold or held one of its tasks
(themselves, as a candidate, or through their deputy), or were told about it (a message in
their in-app inbox: dispatches, copies, urges, escalations). A head or supervising leader
also sees the instances that touched their departments (started there, or with a task
there).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, text

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


def visible(scope: Scope, instances: str = "instances") -> tuple[str, dict[str, Any]]:
    """The condition on the instances table (named ``instances``) and its parameters."""
    if scope.everything:
        return "1 = 1", {}
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
