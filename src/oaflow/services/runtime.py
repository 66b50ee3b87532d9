"""Use cases of running processes: start an instance, act on a task (RUN-1..6).

Each runs in ONE write transaction: load what the engine needs, let it decide, write the
decision with optimistic version checks. When another transaction moved the instance in
between (a parallel branch, a countersigner), the command is decided again on fresh state;
when the task itself changed, the caller gets a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain.definition import NodeType, ProcessDefinition
from oaflow.domain.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    OAFlowError,
    fault,
)
from oaflow.domain.forms import STANDARD_FIELDS, check_values
from oaflow.domain.ids import key_scope
from oaflow.domain.model import Decision, InstanceRecord, TaskRecord, World
from oaflow.domain.org import Organisation
from oaflow.domain.states import Action, InstanceState
from oaflow.domain.wording import clauses
from oaflow.engine import runtime as engine
from oaflow.engine import task_actions
from oaflow.engine.deputies import delegate_new_tasks
from oaflow.engine.notices import notices_for
from oaflow.engine.runtime import Command
from oaflow.services.app import App
from oaflow.storage import catalog_repo
from oaflow.storage import runtime_repo as repo
from oaflow.storage.hotpath import HotPath

RETRIES = 5
EXCEPTION_KEY = "ABN{yyyy}{MM}{seq:02}"


class InstanceMoved(Exception):
    """The instance changed under us: decide again on fresh state."""


def start(app: App, key: str, actor: str, form: Mapping[str, Any]) -> InstanceRecord:
    """Start the newest version of process ``key`` with the initiation ``form``."""
    with app.db.write() as conn:
        stored = catalog_repo.get_definition(conn, key)
        if stored is None:
            raise NotFoundError(
                f"process '{key}' is not published", "see `oaflow process list` for the keys"
            )
        definition = app.definition(conn, stored.id)
        org = app.org(conn)
        department = _initiating_department(definition, org, actor, form)
        _check_form(definition, form)
        instance = _new_instance(app, conn, definition, stored.id, actor, department, form)
        repo.insert_instance(conn, instance)
        decision = engine.start(_world(app, definition, org), instance)
        write_decision(HotPath.on(conn), decision, app, expected_version=1)
        return decision.instance


def _initiating_department(
    definition: ProcessDefinition, org: Organisation, actor: str, form: Mapping[str, Any]
) -> str:
    user = org.users.get(actor)
    if user is None or not user.active:
        raise NotFoundError(f"user '{actor}' does not exist", "see `oaflow org users`")
    department = str(form.get("department") or org.primary_department(actor) or "")
    if department not in user.departments:
        raise ForbiddenError(
            f"{actor} does not belong to department '{department}'",
            f"start it for one of your departments: {', '.join(user.departments) or '(none)'}",
        )
    if definition.initiators and department not in definition.initiators:
        raise ForbiddenError(
            f"process '{definition.key}' is started by {', '.join(definition.initiators)}, "
            f"not by {department}",
            "ask a member of an initiating department to start it",
        )
    return department


def _check_form(definition: ProcessDefinition, form: Mapping[str, Any]) -> None:
    known = {f.name for f in STANDARD_FIELDS} | {f.name for f in definition.form}
    problems = check_values([*STANDARD_FIELDS, *definition.form], form)
    problems += [fault("form.field.unknown", field=name) for name in form if name not in known]
    if problems:
        raise InputError(
            "form.initiation.invalid",
            problems=clauses(problems),
            process=definition.key,
            fields=", ".join(sorted(known)),
        )


def _new_instance(
    app: App,
    conn: Connection,
    definition: ProcessDefinition,
    definition_id: int,
    actor: str,
    department: str,
    form: Mapping[str, Any],
) -> InstanceRecord:
    now = app.now()
    scope = key_scope(definition.business_key, now.astimezone(ZoneInfo(app.calendar.tz)))
    business_key = scope.format(repo.next_sequence(conn, scope.prefix))
    return InstanceRecord(
        business_key=business_key,
        definition_id=definition_id,
        definition_key=definition.key,
        state=InstanceState.RUNNING,
        title=str(form["title"]),
        initiator=actor,
        department=department,
        priority=str(form.get("priority") or "normal"),
        started_at=now,
        data={**{f.name: None for f in definition.form}, **form, "department": department},
    )


def act(
    app: App, task_id: int, command: Command, also: Callable[[HotPath], None] | None = None
) -> TaskRecord:
    """Apply ``command`` to task ``task_id``; returns the task as it is afterwards. ``also``
    runs in the same transaction after the decision is written (an action link's use)."""
    for _ in range(RETRIES):
        try:
            with app.db.raw_write() as dbapi:
                hot = HotPath(dbapi, app.db.dialect)
                task = _act_once(app, hot, task_id, command)
                if also is not None:
                    also(hot)
                return task
        except InstanceMoved:
            continue
    raise ConflictError(
        f"task {task_id}'s process was busy with other changes",
        "try the command again in a moment",
    )


def _act_once(app: App, hot: HotPath, task_id: int, command: Command) -> TaskRecord:
    world, instance, task, related = load_world(app, hot, task_id)
    if command.actor not in world.org.users:
        raise NotFoundError(f"user '{command.actor}' does not exist", "see `oaflow org users`")
    version = instance.version
    decision = engine.act(world, instance, task, command, related)
    write_decision(hot, decision, app, expected_version=version, acted=task)
    return task


def annotate(
    app: App,
    task_id: int,
    action: Action,
    actor: str,
    people: tuple[str, ...] = (),
    note: str = "",
) -> None:
    """Transfer, comment on, urge or copy a task (APR-2), in one transaction."""
    for _ in range(RETRIES):
        try:
            with app.db.raw_write() as dbapi:
                hot = HotPath(dbapi, app.db.dialect)
                world, instance, task, _ = load_world(app, hot, task_id)
                if actor not in world.org.users:
                    raise NotFoundError(f"user '{actor}' does not exist", "see `oaflow org users`")
                version = instance.version
                decision = task_actions.annotate(world, instance, task, action, actor, people, note)
                write_decision(hot, decision, app, expected_version=version, acted=task)
                return
        except InstanceMoved:
            continue
    raise ConflictError(f"task {task_id}'s process was busy", "try again in a moment")


def withdraw(app: App, business_key: str, actor: str) -> InstanceRecord:
    """The initiator withdraws an instance nobody else has acted on yet (撤回)."""
    for _ in range(RETRIES):
        try:
            return _withdraw_once(app, business_key, actor)
        except InstanceMoved:
            continue  # someone acted meanwhile: decide again on what they did
    raise ConflictError(f"{business_key} was busy with other changes", "try again in a moment")


def _withdraw_once(app: App, business_key: str, actor: str) -> InstanceRecord:
    with app.db.write() as conn:
        instance = repo.find_instance(conn, business_key)
        if instance is None:
            raise NotFoundError(f"instance {business_key} does not exist", "check the business key")
        definition = app.definition(conn, instance.definition_id)
        world = _world(app, definition, app.org(conn))
        tasks = repo.instance_tasks(conn, instance.id or 0)
        acted_by = [(e["kind"], e["actor"]) for e in repo.history_of(conn, instance.id or 0)]
        version = instance.version
        decision = engine.withdraw(world, instance, tasks, actor, acted_by)
        write_decision(HotPath.on(conn), decision, app, expected_version=version)
        return decision.instance


def approve_batch(
    app: App, task_ids: Sequence[int], actor: str, note: str = ""
) -> list[dict[str, Any]]:
    """Approve several tasks (APR-4), each in its own transaction: one item's failure leaves
    the others as they are. Returns each item's outcome."""
    results: list[dict[str, Any]] = []
    for task_id in task_ids:
        try:
            task = act(app, task_id, Command(Action.APPROVE, actor, note=note))
            results.append({"task_id": task_id, "ok": True, "state": task.state.value})
        except OAFlowError as error:
            results.append(
                {"task_id": task_id, "ok": False, "error": error.message, "hint": error.hint("en")}
            )
    return results


def move_open_tasks(app: App, from_login: str, to_login: str, admin: str) -> list[int]:
    """An administrator moves every open task of ``from_login`` to ``to_login`` (ORG-2), each
    in its own transaction with a history entry; the ids of the tasks moved."""
    with app.db.read() as conn:
        org = app.org(conn)
        if admin not in org.users_with_role("administrator"):
            raise ForbiddenError(f"{admin} is not an administrator", "ask an administrator")
        if from_login not in org.users:
            raise NotFoundError(f"user '{from_login}' does not exist", "see `oaflow org users`")
        ids = [t.id or 0 for t in repo.open_tasks_for(conn, from_login) if t.assignee == from_login]
    return [task_id for task_id in ids if _move_one(app, task_id, from_login, to_login, admin)]


def _move_one(app: App, task_id: int, from_login: str, to_login: str, admin: str) -> bool:
    for _ in range(RETRIES):
        try:
            with app.db.raw_write() as dbapi:
                hot = HotPath(dbapi, app.db.dialect)
                world, instance, task, _ = load_world(app, hot, task_id)
                if task.assignee != from_login or not task.is_open:
                    return False  # acted on meanwhile
                version = instance.version
                decision = task_actions.move(world, instance, task, admin, to_login)
                write_decision(hot, decision, app, expected_version=version, acted=task)
                return True
        except InstanceMoved:
            continue
        except ConflictError:
            return False  # the task itself changed meanwhile
    return False


def load_world(
    app: App, hot: HotPath, task_id: int, now: datetime | None = None
) -> tuple[World, InstanceRecord, TaskRecord, list[TaskRecord]]:
    """Everything the engine needs to decide about task ``task_id`` at ``now`` (default:
    the app's clock), in one read."""
    loaded = hot.load_action(task_id)
    if loaded is None or loaded[0][0].id != task_id:
        raise NotFoundError(f"task {task_id} does not exist", "see `oaflow tasks --as YOU`")
    found, instance, org_revision = loaded
    task, related = found[0], found[1:]
    definition = app.cached_definition(instance.definition_id)
    node = definition.node(task.node_id)
    if node.type is NodeType.MULTI_INSTANCE or node.mode:
        related += hot.round_tasks(instance.id or 0, task.node_id, task.round)
    world = World(definition, app.cached_org(org_revision), app.calendar, now or app.now())
    return world, instance, task, related


def _world(app: App, definition: ProcessDefinition, org: Organisation) -> World:
    return World(definition, org, app.calendar, app.now())


def write_decision(
    hot: HotPath,
    decision: Decision,
    app: App,
    expected_version: int,
    acted: TaskRecord | None = None,
    at: datetime | None = None,
) -> None:
    """Write everything ``decision`` holds, or nothing; ``at`` is when it was decided
    (default: the app's clock)."""
    at = at or app.now()
    if decision.new_tasks:
        delegate_new_tasks(decision, app.delegations_at(hot.org_revision_now(), at))
    _number_exceptions(hot, decision, app, at)
    for task in decision.changed_tasks:
        if not hot.update_task(task):
            if task is acted:
                raise ConflictError(
                    f"task {task.id} was changed by someone else at the same time",
                    "look at it again with `oaflow task show ID`; nothing was changed",
                )
            raise InstanceMoved
        task.version += 1
    instance = decision.instance
    first_seq = instance.event_seq + 1
    instance.event_seq += len(decision.events)
    if not hot.update_instance(instance, expected_version):  # the serialisation point
        raise InstanceMoved
    instance.version = expected_version + 1
    for task in decision.new_tasks:
        task.instance_id = instance.id or 0
        hot.insert_task(task)
    hot.insert_events(instance.id or 0, first_seq, decision.events, at)
    definition = app.cached_definition(instance.definition_id)
    notices = notices_for(decision, definition, first_seq)
    hot.insert_messages(instance.id or 0, [*decision.messages, *notices], at)
    for opening in decision.exceptions:
        hot.insert_exception(instance.id or 0, opening, at)


def _number_exceptions(hot: HotPath, decision: Decision, app: App, at: datetime) -> None:
    """Give each exception to open its code, ``ABN{yyyy}{MM}{seq:02}`` (EXC-1)."""
    for opening in decision.exceptions:
        local = at.astimezone(ZoneInfo(app.calendar.tz))
        scope = key_scope(EXCEPTION_KEY, local)
        opening.code = scope.format(hot.next_sequence(scope.prefix))
        opening.task.exception = opening.code
