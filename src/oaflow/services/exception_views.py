"""Reading exception records (EXC-1, Template 4): the list of those ``who`` may see, one
record with its loop's history, and the steps ``who`` may take on it now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import NotFoundError
from oaflow.domain.exception_loop import (
    STATE_LABELS,
    TRANSITIONS,
    ExceptionState,
    ExceptionStep,
)
from oaflow.domain.labels import EVENTS
from oaflow.domain.org import Organisation
from oaflow.domain.security import SYSTEM_LOGIN, Principal
from oaflow.domain.text import Text
from oaflow.engine.sla import recipients
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.services.exception_causes import causes
from oaflow.services.view_parts import Names, node_ref
from oaflow.services.views import ExceptionDetail, ExceptionEntry, ExceptionView, NodeRef
from oaflow.storage import notices_repo
from oaflow.storage import runtime_reads as repo

#: the history events of a record's loop (engine/exceptions.py)
LOOP_EVENTS = frozenset(
    {
        "exception_opened",
        "exception_confirmed",
        "exception_report",
        "exception_coordinate",
        "exception_resolve",
        "exception_verify",
        "exception_reject",
        "exception_reopen",
        "exception_report_reminder",
        "exception_report_overdue",
        "exception_update",
        "deadline_moved",
        "sla_overdue",
    }
)
#: who takes which step (engine/exceptions.py checks it; pages offer only these): the
#: initiating department coordinates; it and the process's exception_verifiers verify
_BY_INITIATING = frozenset(
    {ExceptionStep.COORDINATE, ExceptionStep.VERIFY, ExceptionStep.REJECT, ExceptionStep.REOPEN}
)
_BY_VERIFIERS = frozenset({ExceptionStep.VERIFY, ExceptionStep.REJECT, ExceptionStep.REOPEN})


def exception_view(
    names: Names, row: dict[str, Any], definition: ProcessDefinition | None
) -> ExceptionView:
    """One row of Template 4 (异常处理记录表, EXC-1) as far as its loop has filled it."""
    reporter = row["reporter"]
    by_person = reporter != SYSTEM_LOGIN
    node_id = row["node_id"]
    state = ExceptionState(row["state"])
    handler = row["handler"]
    return ExceptionView(
        code=row["code"],
        business_key=row["business_key"],
        title=row.get("title") or "",
        process=definition.key if definition else "",
        node=node_ref(definition, node_id) if definition else NodeRef(node_id, Text(node_id)),
        department=names.dept(row["department"]),
        initiating_department=names.known_dept(row.get("initiating_department") or ""),
        description=row["description"],
        reporter=names.known(reporter) if by_person else None,
        reporter_department=_department_of(names, reporter) if by_person else None,
        reported_at=row["reported_at"],
        state=state,
        state_name=STATE_LABELS[state],
        found_at=row["found_at"] or row["reported_at"],
        report_due_at=row["report_due_at"],
        cause_category=row["cause_category"],
        cause=row["cause"],
        expected_at=row["expected_at"],
        resources=row["resources"],
        explained_by=names.person(row["explained_by"]),
        explained_at=row["explained_at"],
        plan=row["plan"],
        handler=names.person(handler),
        handler_department=_department_of(names, handler) if handler else None,
        planned_at=row["planned_at"],
        coordinated_by=names.person(row["coordinated_by"]),
        coordinated_at=row["coordinated_at"],
        resolution=row["resolution"],
        resolved_by=names.person(row["resolved_by"]),
        resolved_at=row["resolved_at"],
        verification=row["verification"],
        verified_by=names.person(row["verified_by"]),
        verified_at=row["verified_at"],
        reopen_reason=row["reopen_reason"],
        reopened=row["reopened"] or 0,
    )


def _department_of(names: Names, login: str) -> Any:
    return names.dept(names.org.primary_department(login))


def exceptions(
    app: App, who: Principal, states: Sequence[ExceptionState] = ()
) -> list[ExceptionView]:
    """The exception records of the instances ``who`` may see, newest first; only those in
    ``states`` when they are given (the open ones: ``OPEN_STATES``)."""
    with app.db.read() as conn:
        rows = notices_repo.exceptions_of(
            conn, scope=authz.scope(who), states=[s.value for s in states]
        )
        names = Names(app.org(conn))
        return [exception_view(names, r, app.definition(conn, r["definition_id"])) for r in rows]


def exception_detail(app: App, who: Principal, code: str) -> ExceptionDetail:
    """The record ``code``, its loop's history, and the steps ``who`` may take now; a record
    outside ``who``'s scope is not found."""
    code = code.strip().upper()
    with app.db.read() as conn:
        found = notices_repo.exceptions_of(conn, scope=authz.scope(who), code=code)
        if not found:
            raise NotFoundError("exception.not_found", code=code)
        row = found[0]
        org = app.org(conn)
        names = Names(org)
        definition = app.definition(conn, row["definition_id"])
        record = exception_view(names, row, definition)
        events = repo.history_of(conn, row["instance_id"])
        task = repo.load_task(conn, app.sensitive, row["task_id"]) if row["task_id"] else None
        instance = repo.find_instance(conn, app.sensitive, row["business_key"])
        known = causes(conn)
    named: tuple[str, ...] = ()
    if task is not None and instance is not None:  # the process's exception_verifiers
        named = recipients(definition.exception_verifiers, task, instance, org)
    history = tuple(
        ExceptionEntry(
            e["at"],
            e["kind"],
            EVENTS.get(e["kind"], Text(e["kind"], e["kind"])),
            names.person(e["actor"]) if e["actor"] else None,
            str((e["data"] or {}).get("note") or (e["data"] or {}).get("description") or ""),
        )
        for e in events
        if e["kind"] in LOOP_EVENTS and _concerns(e, record.code, row["task_id"])
    )
    assignee = task.assignee if task is not None else None
    return ExceptionDetail(record, history, _may(org, who, record, assignee, named), known)


def _concerns(event: dict[str, Any], code: str, task_id: int | None) -> bool:
    data = event["data"] or {}
    if "code" in data:
        return bool(data["code"] == code)
    # the opening and the overdue that found it carry no code: they are the task's
    return event["kind"] in ("exception_opened", "sla_overdue") and event["task_id"] == task_id


def _may(
    org: Organisation,
    who: Principal,
    record: ExceptionView,
    assignee: str | None,
    verifiers: tuple[str, ...],
) -> tuple[ExceptionStep, ...]:
    """The steps the table allows now that ``who`` may take: by their department, as the
    handler, or as one of the process's ``verifiers``."""
    user = org.users.get(who.login)
    departments = set(user.departments) if user else set()
    initiating = record.initiating_department.code in departments
    responsible = (
        record.department is not None and record.department.code in departments
    ) or who.login == assignee
    handler = record.handler is not None and record.handler.login == who.login
    allowed = []
    for state, step in TRANSITIONS:
        if state is not record.state:
            continue
        if step in _BY_VERIFIERS:
            ok = initiating or who.login in verifiers
        elif step in _BY_INITIATING:
            ok = initiating
        elif step is ExceptionStep.RESOLVE:
            ok = responsible or handler
        else:
            ok = responsible
        if ok:
            allowed.append(step)
    return tuple(allowed)
