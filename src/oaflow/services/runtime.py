"""Use cases of running processes: start an instance, act on a task (RUN-1..6).

Each runs in ONE write transaction: load what the engine needs, let it decide, write the
decision with optimistic version checks (``RuntimeStore.write``). When another transaction
moved the instance in between (a parallel branch, a countersigner), the command is decided
again on fresh state (``retry``); when the task itself changed, the caller gets a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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
from oaflow.domain.model import InstanceRecord, TaskRecord, World
from oaflow.domain.org import Organisation
from oaflow.domain.states import Action, InstanceState
from oaflow.domain.wording import clauses
from oaflow.engine import runtime as engine
from oaflow.engine import task_actions
from oaflow.engine.runtime import Command
from oaflow.services.app import App
from oaflow.services.retry import instance_busy, retried, task_busy
from oaflow.storage import catalog_repo
from oaflow.storage import runtime_reads as repo
from oaflow.storage.runtime_store import RuntimeStore


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
        store = RuntimeStore.on(conn)
        instance = _new_instance(app, store, definition, stored.id, actor, department, form)
        store.insert_instance(instance)
        decision = engine.start(world_now(app, store, definition, org), instance)
        store.write(decision)
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
    store: RuntimeStore,
    definition: ProcessDefinition,
    definition_id: int,
    actor: str,
    department: str,
    form: Mapping[str, Any],
) -> InstanceRecord:
    now = app.now()
    scope = key_scope(definition.business_key, now.astimezone(ZoneInfo(app.calendar.tz)))
    business_key = scope.format(store.next_sequence(scope.prefix))
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
    app: App, task_id: int, command: Command, also: Callable[[RuntimeStore], None] | None = None
) -> TaskRecord:
    """Apply ``command`` to task ``task_id``; returns the task as it is afterwards. ``also``
    runs in the same transaction after the decision is written (an action link's use)."""

    def attempt() -> TaskRecord:
        with RuntimeStore.transaction(app.db) as store:
            world, instance, task, related = load_world(app, store, task_id)
            if command.actor not in world.org.users:
                raise NotFoundError(
                    f"user '{command.actor}' does not exist", "see `oaflow org users`"
                )
            store.write(engine.act(world, instance, task, command, related), acted=task)
            if also is not None:
                also(store)
            return task

    return retried(attempt, task_busy(task_id))


def annotate(
    app: App,
    task_id: int,
    action: Action,
    actor: str,
    people: tuple[str, ...] = (),
    note: str = "",
) -> None:
    """Transfer, comment on, urge or copy a task (APR-2), in one transaction."""

    def attempt() -> None:
        with RuntimeStore.transaction(app.db) as store:
            world, instance, task, _ = load_world(app, store, task_id)
            if actor not in world.org.users:
                raise NotFoundError(f"user '{actor}' does not exist", "see `oaflow org users`")
            decision = task_actions.annotate(world, instance, task, action, actor, people, note)
            store.write(decision, acted=task)

    retried(attempt, task_busy(task_id))


def withdraw(app: App, business_key: str, actor: str) -> InstanceRecord:
    """The initiator withdraws an instance nobody else has acted on yet (撤回); when someone
    acted meanwhile, it is decided again on what they did."""
    return retried(lambda: _withdraw_once(app, business_key, actor), instance_busy(business_key))


def _withdraw_once(app: App, business_key: str, actor: str) -> InstanceRecord:
    with app.db.write() as conn:
        instance = repo.find_instance(conn, business_key)
        if instance is None:
            raise NotFoundError(f"instance {business_key} does not exist", "check the business key")
        definition = app.definition(conn, instance.definition_id)
        store = RuntimeStore.on(conn)
        world = world_now(app, store, definition, app.org(conn))
        tasks = repo.instance_tasks(conn, instance.id or 0)
        acted_by = [(e["kind"], e["actor"]) for e in repo.history_of(conn, instance.id or 0)]
        store.write(engine.withdraw(world, instance, tasks, actor, acted_by))
        return instance


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
    def attempt() -> bool:
        try:
            with RuntimeStore.transaction(app.db) as store:
                world, instance, task, _ = load_world(app, store, task_id)
                if task.assignee != from_login or not task.is_open:
                    return False  # acted on meanwhile
                store.write(task_actions.move(world, instance, task, admin, to_login), acted=task)
                return True
        except ConflictError:
            return False  # the task itself changed meanwhile

    return retried(attempt, False)


def load_world(
    app: App, store: RuntimeStore, task_id: int, now: datetime | None = None
) -> tuple[World, InstanceRecord, TaskRecord, list[TaskRecord]]:
    """Everything the engine needs to decide about task ``task_id`` at ``now`` (default:
    the app's clock), in one read."""
    loaded = store.load_action(task_id)
    if loaded is None or loaded[0][0].id != task_id:
        raise NotFoundError(f"task {task_id} does not exist", "see `oaflow tasks --as YOU`")
    found, instance, org_revision = loaded
    task, related = found[0], found[1:]
    definition = app.cached_definition(instance.definition_id)
    node = definition.node(task.node_id)
    if node.type is NodeType.MULTI_INSTANCE or node.mode:
        related += store.round_tasks(instance.id or 0, task.node_id, task.round)
    now = now or app.now()
    org = app.cached_org(org_revision)
    delegations = app.delegations_at(org_revision, now)
    return World(definition, org, app.calendar, now, delegations), instance, task, related


def world_now(
    app: App, store: RuntimeStore, definition: ProcessDefinition, org: Organisation
) -> World:
    """The world of a command on an instance read through SQLAlchemy, at the app's clock."""
    now = app.now()
    delegations = app.delegations_at(store.org_revision_now(), now)
    return World(definition, org, app.calendar, now, delegations)
