"""Read use cases: a user's tasks, one task, the instances a user may see, one instance's
form, timeline and progress table (RUN, MON-1, MON-4). Each takes the reader's Principal:
what is outside their scope is not found, and lists hold nothing of it (SEC-2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.definition import NodeType, ProcessDefinition
from oaflow.domain.errors import NotFoundError
from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.security import Permission, Principal
from oaflow.domain.sla import delay_hours
from oaflow.domain.states import FINISHED_TASK_STATES, TaskState
from oaflow.engine.plans import planned_completion, planned_start
from oaflow.engine.runtime import returnable
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.services.exception_views import exception_view
from oaflow.services.view_parts import (
    Names,
    field_specs,
    field_values,
    form_fields,
    holders_of,
    node_ref,
    readable,
    reads_sensitive,
    sla_of,
)
from oaflow.services.views import (
    BoardFilter,
    EarlierWork,
    InboxFilter,
    InstanceDetail,
    InstanceFilter,
    InstancePage,
    InstanceSummary,
    NodeRef,
    Person,
    PlannedDate,
    ProgressRow,
    TaskDetail,
    TaskPage,
    TaskSummary,
    TimelineEntry,
)
from oaflow.storage import instance_list, notices_repo
from oaflow.storage import runtime_reads as repo

Row = tuple[TaskRecord, InstanceRecord, ProcessDefinition]


def _with_definitions(
    app: App, conn: Connection, found: Sequence[repo.TaskWithInstance]
) -> list[Row]:
    """Each task and its instance (read together) with the instance's definition (cached)."""
    return [
        (task, instance, app.definition(conn, instance.definition_id)) for task, instance in found
    ]


def tasks_for(app: App, who: Principal) -> list[TaskSummary]:
    """The open tasks of ``who``, soonest deadline first, with their countdown; those their
    deputy holds for them are listed too (ORG-3)."""
    with app.db.read() as conn:
        names = Names(app.org(conn))
        found, _ = repo.open_tasks_page(
            conn, app.sensitive, who.login, repo.OpenTasksWanted(limit=None)
        )
        rows = _with_definitions(app, conn, found)
    return [task_summary(app, names, *row, who.login) for row in rows]


def inbox(app: App, who: Principal, wanted: InboxFilter) -> TaskPage:
    """``who``'s open tasks narrowed by ``wanted``, sorted, one page (the API's and the
    web's inbox, 待办). Narrowed, sorted, counted and paged by the database, and only the
    page's tasks are read — a search too: in titles and business keys there, in node names
    by the nodes of one's open tasks whose name holds it (letters in any case). Only an SLA
    state (a countdown through the working calendar) is narrowed here, from every task the
    rest of the filter leaves."""
    with app.db.read() as conn:
        names = Names(app.org(conn))
        narrowed = repo.OpenTasksWanted(
            wanted.process,
            None if wanted.state is None else wanted.state.value,
            wanted.department,
            wanted.priority,
            wanted.sort,
            wanted.offset,
            wanted.limit,
            q=wanted.q or None,
            nodes=_nodes_named(app, conn, who.login, wanted.q) if wanted.q else (),
        )
        if wanted.sla is not None:  # every task the rest leaves, then their countdowns
            narrowed = replace(narrowed, offset=0, limit=None)
        found, total = repo.open_tasks_page(conn, app.sensitive, who.login, narrowed)
        rows = _with_definitions(app, conn, found)
    summaries = (task_summary(app, names, *row, who.login) for row in rows)
    if wanted.sla is None:
        return TaskPage(tuple(summaries), total, wanted.offset, wanted.limit)
    chosen = [s for s in summaries if s.sla is wanted.sla]
    page = chosen[wanted.offset : wanted.offset + wanted.limit]
    return TaskPage(tuple(page), len(chosen), wanted.offset, wanted.limit)


def _nodes_named(app: App, conn: Connection, login: str, q: str) -> tuple[tuple[int, str], ...]:
    """The nodes of ``login``'s open tasks (definition id, node id) whose Chinese or English
    name holds ``q``, in any case."""
    wanted = q.casefold()
    found = []
    for definition_id, node_id in repo.open_task_nodes(conn, login):
        name = node_ref(app.definition(conn, definition_id), node_id).name
        if wanted in name.zh.casefold() or wanted in name.en.casefold():
            found.append((definition_id, node_id))
    return tuple(found)


def done_by(app: App, who: Principal, offset: int = 0, limit: int = 50) -> TaskPage:
    """The tasks ``who`` finished (已办), the latest first, one page."""
    with app.db.read() as conn:
        names = Names(app.org(conn))
        found, total = repo.finished_by(conn, app.sensitive, who.login, offset, limit)
        rows = _with_definitions(app, conn, found)
    items = tuple(task_summary(app, names, *row, who.login) for row in rows)
    return TaskPage(items, total, offset, limit)


#: the most running instances a board shows the open tasks of (the newest)
BOARD_INSTANCES = 500


def board(app: App, who: Principal, wanted: BoardFilter) -> list[TaskSummary]:
    """The open tasks of the running instances ``who`` may see (a kanban board, MON-3),
    narrowed by process, the task's department, its owner and priority."""
    with app.db.read() as conn:
        found, _ = instance_list.list_instances(
            conn,
            app.sensitive,
            authz.scope(who),
            app.now(),
            0,
            BOARD_INSTANCES,
            process=wanted.process,
            state="running",
            priority=wanted.priority,
        )
        by_id = {i.id or 0: i for i in found}
        names = Names(app.org(conn))
        rows = []
        for task in repo.open_tasks_of_instances(conn, app.sensitive, list(by_id)):
            if wanted.department is not None and task.department != wanted.department:
                continue
            holders = {task.assignee, task.on_behalf_of, *task.candidates}
            if wanted.owner is not None and wanted.owner not in holders:
                continue
            instance = by_id[task.instance_id]
            definition = app.definition(conn, instance.definition_id)
            rows.append(task_summary(app, names, task, instance, definition, who.login))
    return rows


def task_summary(
    app: App,
    names: Names,
    task: TaskRecord,
    instance: InstanceRecord,
    definition: ProcessDefinition,
    reader: str | None = None,
) -> TaskSummary:
    node = definition.node(task.node_id)
    sla, remaining = sla_of(definition, task, app.now(), app.calendar)
    holds_for = reader is not None and task.assignee == reader
    return TaskSummary(
        id=task.id or 0,
        business_key=instance.business_key,
        process=definition.key,
        process_name=definition.name,
        title=instance.title,
        node=node_ref(definition, node.id),
        kind=_kind(node.type, node.is_decision),
        state=task.state,
        department=names.dept(task.department),
        assignee=names.person(task.assignee),
        on_behalf_of=names.person(task.on_behalf_of),
        candidates=names.people(task.candidates),
        progress=task.progress,
        note=task.note,
        created_at=task.created_at,
        due_at=task.due_at,
        provisional=task.due_at is not None
        and app.calendar.is_provisional(task.created_at, task.due_at),
        sla=sla,
        remaining_hours=remaining,
        finished_at=task.finished_at,
        finished_by=names.person(task.finished_by),
        exception=task.exception,
        priority=instance.priority,
        as_deputy_of=names.person(task.on_behalf_of) if holds_for else None,
        delegated_to=names.person(task.assignee)
        if reader is not None and task.on_behalf_of == reader
        else None,
    )


def _kind(node_type: NodeType, decides: bool) -> Any:
    if node_type is NodeType.INITIATE:
        return "revise"
    return "decide" if decides else "complete"


def _missing_task(task_id: int) -> NotFoundError:
    return NotFoundError("task.not_found", task_id=task_id)


def task_detail(app: App, who: Principal, task_id: int) -> TaskDetail:
    """One task with what its handler needs: the instance's form (sensitive fields masked
    unless ``who`` may read them), the earlier nodes' outputs and deliverables, what it
    needs to finish and where it may be returned to."""
    with app.db.read() as conn:
        task = repo.load_task(conn, app.sensitive, task_id)
        if task is None:
            raise _missing_task(task_id)
        instance = repo.load_instance(conn, app.sensitive, task.instance_id)
        assert instance is not None
        authz.authorize(
            app, conn, who, Permission.VIEW, instance=instance, missing=_missing_task(task_id)
        )
        definition = app.definition(conn, instance.definition_id)
        names = Names(app.org(conn))
        tasks = repo.instance_tasks(conn, app.sensitive, instance.id or 0)
    may_read = reads_sensitive(who, instance, holders_of(tasks))
    node = definition.node(task.node_id)
    return TaskDetail(
        task=task_summary(app, names, task, instance, definition, who.login),
        inputs=node.inputs,
        required_fields=tuple(f.name for f in node.outputs.fields if f.required),
        output_fields=field_specs(node.outputs.fields),
        required_deliverables=tuple(node.outputs.deliverables),
        outputs=readable(task.outputs, definition, may_read),
        returnable=tuple(
            node_ref(definition, n) for n in returnable(definition, instance, task.node_id)
        )
        if task.is_open
        else (),
        form=field_values(form_fields(definition), instance.data, may_read),
        earlier=tuple(
            _earlier(definition, names, t, may_read)
            for t in tasks
            if t.id != task.id and t.state in FINISHED_TASK_STATES and (t.id or 0) < (task.id or 0)
        ),
    )


def _earlier(
    definition: ProcessDefinition, names: Names, task: TaskRecord, may_read: bool
) -> EarlierWork:
    node = definition.node(task.node_id)
    outputs = {k: v for k, v in task.outputs.items() if k != "deliverables"}
    deliverables = task.outputs.get("deliverables") or {}
    return EarlierWork(
        task_id=task.id or 0,
        node=node_ref(definition, task.node_id),
        state=task.state,
        finished_by=names.person(task.finished_by),
        finished_at=task.finished_at,
        outputs=field_values(node.outputs.fields, outputs, may_read),
        deliverables=dict(deliverables),
        note=task.note,
    )


def find_instance(app: App, conn: Connection, who: Principal, business_key: str) -> InstanceRecord:
    """The instance ``business_key`` if ``who`` may see it; not found otherwise."""
    missing = NotFoundError("instance.not_found", business_key=business_key)
    instance = repo.find_instance(conn, app.sensitive, business_key)
    if instance is None:
        raise missing
    authz.authorize(app, conn, who, Permission.VIEW, instance=instance, missing=missing)
    return instance


def instance_detail(app: App, who: Principal, business_key: str) -> InstanceDetail:
    with app.db.read() as conn:
        instance = find_instance(app, conn, who, business_key)
        definition = app.definition(conn, instance.definition_id)
        names = Names(app.org(conn))
        tasks = repo.instance_tasks(conn, app.sensitive, instance.id or 0)
        events = repo.history_of(conn, instance.id or 0)
        opened = notices_repo.exceptions_of(conn, instance.id)
    may_read = reads_sensitive(who, instance, holders_of(tasks))
    return InstanceDetail(
        summary=_summary(names, instance, definition, tasks, app.now()),
        form=field_values(form_fields(definition), instance.data, may_read),
        progress=tuple(progress_row(app, names, t, instance, definition) for t in tasks),
        timeline=tuple(_entry(definition, names, e) for e in events),
        exceptions=tuple(exception_view(names, r, definition) for r in opened),
        planned=_planned(definition, instance, app.calendar),
    )


def instance_definition(app: App, who: Principal, business_key: str) -> ProcessDefinition:
    """The definition version an instance ``who`` may see runs on (for its diagram)."""
    with app.db.read() as conn:
        instance = find_instance(app, conn, who, business_key)
        return app.definition(conn, instance.definition_id)


def _summary(
    names: Names,
    instance: InstanceRecord,
    definition: ProcessDefinition,
    open_tasks: Sequence[TaskRecord],
    now: datetime,
) -> InstanceSummary:
    current = [t for t in open_tasks if t.is_open]
    return InstanceSummary(
        business_key=instance.business_key,
        process=definition.key,
        process_name=definition.name,
        title=instance.title,
        state=instance.state,
        initiator=names.known(instance.initiator),
        department=names.known_dept(instance.department),
        priority=instance.priority,
        started_at=instance.started_at,
        ended_at=instance.ended_at,
        current=tuple(node_ref(definition, n) for n in dict.fromkeys(t.node_id for t in current)),
        overdue=any(t.due_at is not None and t.due_at < now for t in current),
    )


def instances(app: App, who: Principal, wanted: InstanceFilter) -> InstancePage:
    """The instances ``who`` may see that match ``wanted``, newest first, one page."""
    with app.db.read() as conn:
        found, total = instance_list.list_instances(
            conn,
            app.sensitive,
            authz.scope(who),
            app.now(),
            wanted.offset,
            wanted.limit,
            process=wanted.process,
            state=wanted.state.value if wanted.state else None,
            department=wanted.department,
            initiator=wanted.initiator,
            overdue=wanted.overdue,
            started_from=wanted.started_from,
            started_until=wanted.started_until,
        )
        open_rows = instance_list.open_tasks_of(conn, [i.id or 0 for i in found])
        names = Names(app.org(conn))
        items = []
        for instance in found:
            definition = app.definition(conn, instance.definition_id)
            mine = [_open_stub(i, n, d) for i, n, d in open_rows if i == instance.id]
            items.append(_summary(names, instance, definition, mine, app.now()))
    return InstancePage(tuple(items), total, wanted.offset, wanted.limit)


def _open_stub(instance_id: int, node_id: str, due: datetime | None) -> TaskRecord:
    return TaskRecord(instance_id, node_id, 0, TaskState.PENDING, due or datetime.min, due_at=due)


def progress_row(
    app: App,
    names: Names,
    task: TaskRecord,
    instance: InstanceRecord,
    definition: ProcessDefinition,
) -> ProgressRow:
    """One row of Template 3 (执行进度跟踪表, MON-1)."""
    late = delay_hours(task.due_at, task.finished_at or (app.now() if task.is_open else None))
    finished_late = delay_hours(task.due_at, task.finished_at) > 0
    owner = task.finished_by or task.assignee
    # a task given to a person by role (总经理) is shown in that person's own department
    department = task.department or (names.org.primary_department(owner) if owner else None)
    return ProgressRow(
        business_key=instance.business_key,
        task_id=task.id or 0,
        node=node_ref(definition, task.node_id),
        department=names.dept(department),
        owner=names.person(owner),
        planned=task.due_at,
        actual=task.finished_at,
        state=task.state,
        is_open=task.is_open,
        delay_hours=round(late, 1),
        delay_reason=task.note if finished_late else "",
        started=task.created_at,
    )


def _entry(definition: ProcessDefinition, names: Names, event: dict[str, Any]) -> TimelineEntry:
    node_id = event["node_id"]
    return TimelineEntry(
        seq=event["seq"],
        at=event["at"],
        kind=event["kind"],
        node=node_ref(definition, node_id) if node_id else None,
        task_id=event["task_id"],
        actor=names.person(event["actor"]),
        to=_recipients(names, event["data"].get("to")),
        data=event["data"],
        target=_target(definition, event["data"]),
    )


def _recipients(names: Names, to: Any) -> tuple[Person, ...]:
    """The people an urge or a copy went to; a route's ``to`` names a node, not people."""
    return names.people(to) if isinstance(to, list) else ()


def _target(definition: ProcessDefinition, data: dict[str, Any]) -> NodeRef | None:
    node_id = data.get("target") or data.get("to")
    if isinstance(node_id, str) and node_id in definition.nodes:
        return node_ref(definition, node_id)
    return None


def _planned(
    definition: ProcessDefinition, instance: InstanceRecord, calendar: WorkingCalendar
) -> tuple[PlannedDate, ...]:
    """The dates the form plans for the nodes, in the order of the definition."""
    found = []
    for node in definition.nodes.values():
        start = planned_start(node, instance.data, calendar)
        finish = planned_completion(node, instance.data, calendar)
        if start or finish:
            found.append(PlannedDate(node_ref(definition, node.id), start, finish))
    return tuple(found)
