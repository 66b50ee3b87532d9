"""Preparing a meeting's report from the database (MTG-1): the progress of the department's
running instances, their open exceptions and the resources these ask for, the steps at risk,
the open action items of earlier meetings — and who is invited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.meetings import ItemState
from oaflow.domain.org import Organisation
from oaflow.domain.sla import AT_RISK_SHARE, delay_hours
from oaflow.domain.text import Text
from oaflow.services.app import App
from oaflow.services.meeting_views import (
    ITEM_STATES,
    ActionItemView,
    ExceptionLine,
    ProgressLine,
    Report,
    exception_state_label,
)
from oaflow.services.view_parts import Names, node_ref, sla_of
from oaflow.services.views import NodeRef, Sla
from oaflow.storage import meeting_repo as repo
from oaflow.storage import runtime_reads


def prepare(app: App, conn: Connection, department: str, held_at: datetime) -> Report:
    """The report of ``department``'s meeting held at ``held_at``, as of now."""
    now = app.now()
    names = Names(app.org(conn))
    ids = [int(r["id"]) for r in repo.running_instances(conn, department)]
    found = runtime_reads.load_instances(conn, app.sensitive, ids)
    open_tasks = runtime_reads.open_tasks_of_instances(conn, app.sensitive, ids)
    progress: list[ProgressLine] = []
    for instance_id in ids:
        instance = found[instance_id]
        definition = app.definition(conn, instance.definition_id)
        mine = [t for t in open_tasks if t.instance_id == instance_id]
        base = (instance.business_key, instance.title, definition.name)
        for task in mine:
            sla, remaining = sla_of(definition, task, now, app.calendar)
            progress.append(
                ProgressLine(
                    *base,
                    node=node_ref(definition, task.node_id),
                    department=names.dept(task.department),
                    owner=names.person(task.assignee or next(iter(task.candidates), None)),
                    due_at=task.due_at,
                    sla=sla,
                    remaining_hours=remaining,
                    delay_hours=round(delay_hours(task.due_at, now), 1),
                )
            )
        if not mine:
            progress.append(ProgressLine(*base, None, None, None, None, Sla.NONE, None, 0.0))
    exceptions = [_exception(app, conn, names, r) for r in repo.open_exceptions(conn, ids)]
    earlier = repo.open_items_of_department(conn, department, held_at)
    return Report(
        prepared_at=now,
        running=len(ids),
        progress=tuple(progress),
        exceptions=tuple(exceptions),
        resources=tuple(e for e in exceptions if e.resources),
        at_risk=tuple(p for p in progress if p.sla in (Sla.AT_RISK, Sla.OVERDUE, Sla.EXCEPTION)),
        earlier_actions=tuple(item_view(names, r, now, app.calendar) for r in earlier),
    )


def _exception(app: App, conn: Connection, names: Names, row: dict[str, Any]) -> ExceptionLine:
    definition = app.definition(conn, row["definition_id"])
    node = row["node_id"]
    return ExceptionLine(
        code=row["code"],
        business_key=row["business_key"],
        node=node_ref(definition, node) if node in definition.nodes else NodeRef(node, Text(node)),
        department=names.dept(row.get("department")),
        description=row["description"],
        state=row["state"],
        state_label=exception_state_label(row["state"]),
        cause_category=row.get("cause_category") or "",
        resources=row.get("resources") or "",
        reported_at=row["reported_at"],
    )


def participants(
    org: Organisation, conn: Connection, department: str, extra: Iterable[str]
) -> tuple[str, ...]:
    """The department's head, the heads of the departments with tasks in its running
    instances, and the schedule's extra participants — active users, each once."""
    ids = [int(r["id"]) for r in repo.running_instances(conn, department)]
    others = sorted(repo.task_departments(conn, ids) - {department})
    heads = [org.head_of(department), *(org.head_of(d) for d in others), *extra]
    return tuple(dict.fromkeys(h for h in heads if h and h in org.users and org.users[h].active))


def item_view(
    names: Names, row: dict[str, Any], now: datetime, calendar: WorkingCalendar
) -> ActionItemView:
    """An action item row as a view, its countdown as of ``now``."""
    state = ItemState(row["state"])
    sla, remaining = _countdown(row, state, now, calendar)
    return ActionItemView(
        id=row["id"],
        meeting=row["meeting"],
        title=row["title"],
        owner=names.known(row["owner"]),
        department=names.dept(row["department"]),
        due_at=row["due_at"],
        state=state,
        state_label=ITEM_STATES[state],
        sla=sla,
        remaining_hours=remaining,
        done_at=row["done_at"],
        done_note=row["done_note"],
        created_by=names.known(row["created_by"]),
        created_at=row["created_at"],
    )


def _countdown(
    row: dict[str, Any], state: ItemState, now: datetime, calendar: WorkingCalendar
) -> tuple[Sla, float | None]:
    if state is ItemState.DONE:
        return Sla.NONE, None
    due, created = row["due_at"], row["created_at"]
    remaining = calendar.working_hours_between(now, due)
    if now > due:
        return Sla.OVERDUE, round(min(remaining, 0.0), 1)
    total = calendar.working_hours_between(created, due)
    at_risk = total > 0 and remaining < AT_RISK_SHARE * total
    return (Sla.AT_RISK if at_risk else Sla.ON_TRACK), round(remaining, 1)
