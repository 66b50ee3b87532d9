"""Use cases of running processes: start an instance, act on a task (RUN-1..6).

Each runs in ONE write transaction: load what the engine needs, let it decide, write the
decision with optimistic version checks (``RuntimeStore.write``). When another transaction
moved the instance in between (a parallel branch, a countersigner), the command is decided
again on fresh state (``retry``); when the task itself changed, the caller gets a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain.definition import NodeType, ProcessDefinition
from oaflow.domain.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    as_denial,
    fault,
)
from oaflow.domain.forms import STANDARD_FIELDS, check_values
from oaflow.domain.ids import key_scope
from oaflow.domain.model import InstanceRecord, TaskRecord, World
from oaflow.domain.org import Organisation
from oaflow.domain.security import Permission, Principal, granted, permission_for
from oaflow.domain.states import Action, InstanceState
from oaflow.domain.wording import clauses
from oaflow.engine import runtime as engine
from oaflow.engine import task_actions
from oaflow.engine.runtime import Command
from oaflow.services import authz, batch, deliverables, telemetry
from oaflow.services.app import App
from oaflow.services.batch import BatchItem
from oaflow.services.retry import instance_busy, retried, task_busy
from oaflow.storage import catalog_repo
from oaflow.storage import runtime_reads as repo
from oaflow.storage.runtime_store import RuntimeStore

T = TypeVar("T")


def start(app: App, who: Principal, key: str, form: Mapping[str, Any]) -> InstanceRecord:
    """Start the newest version of process ``key`` with the initiation ``form``."""
    with app.db.write() as conn:
        stored = catalog_repo.get_definition(conn, key)
        if stored is None:
            raise NotFoundError("process.not_published", key=key)
        authz.authorize(app, conn, who, Permission.INITIATE, process=key)
        definition = app.definition(conn, stored.id)
        org = app.org(conn)
        department = _initiating_department(definition, org, who.login, form)
        _check_form(definition, form)
        store = RuntimeStore.on(conn, app.sensitive)
        instance = _new_instance(app, store, definition, stored.id, who.login, department, form)
        store.insert_instance(instance)
        decision = engine.start(world_now(app, store, definition, org), instance)
        store.write(decision)
        return decision.instance


def _initiating_department(
    definition: ProcessDefinition, org: Organisation, actor: str, form: Mapping[str, Any]
) -> str:
    user = org.users[actor]
    department = str(form.get("department") or org.primary_department(actor) or "")
    target = f"process:{definition.key}"
    if department not in user.departments:
        error = ForbiddenError(
            "start.not_your_department",
            login=actor,
            department=department,
            yours=list(user.departments),
        )
        raise as_denial(error, Permission.INITIATE.value, target)
    if definition.initiators and department not in definition.initiators:
        error = ForbiddenError(
            "start.not_an_initiating_department",
            process=definition.key,
            initiators=list(definition.initiators),
            department=department,
        )
        raise as_denial(error, Permission.INITIATE.value, target)
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


class _ScopeUnknown(Exception):
    """The principal is not a party to the task: whether they may see it is asked apart."""


def act(
    app: App,
    who: Principal,
    task_id: int,
    command: Command,
    also: Callable[[RuntimeStore], None] | None = None,
) -> TaskRecord:
    """Apply ``command`` to task ``task_id`` as ``who``; returns the task as it is
    afterwards. ``also`` runs in the same transaction after the decision is written (an
    action link's use). A task outside ``who``'s scope is not found."""
    if command.actor != who.login:  # the principal acts, whatever the command says
        command = replace(command, actor=who.login)
    if command.deliverables:  # uploaded files are named as file:ID
        deliverables.check_refs(app, task_id, command.deliverables)

    def attempt(in_scope: bool) -> TaskRecord:
        with RuntimeStore.transaction(app.db, app.sensitive) as store:
            world, instance, task, related = load_world(app, store, task_id)
            _authorize(app, store, who, command.action, instance, task, in_scope)
            store.write(engine.act(world, instance, task, command, related), acted=task)
            if also is not None:
                also(store)
            return task

    done = _scoped(app, who, task_id, command.action, attempt)
    telemetry.TASK_ACTIONS.labels(command.action.value).inc()
    return done


def annotate(
    app: App,
    who: Principal,
    task_id: int,
    action: Action,
    people: tuple[str, ...] = (),
    note: str = "",
) -> None:
    """Transfer, comment on, urge, copy or add a signer to a task (APR-2), in one
    transaction, as ``who``."""

    def attempt(in_scope: bool) -> None:
        with RuntimeStore.transaction(app.db, app.sensitive) as store:
            world, instance, task, _ = load_world(app, store, task_id)
            _authorize(app, store, who, action, instance, task, in_scope)
            decision = task_actions.annotate(world, instance, task, action, who.login, people, note)
            store.write(decision, acted=task)

    _scoped(app, who, task_id, action, attempt)


def _scoped(
    app: App, who: Principal, task_id: int, action: Action, attempt: Callable[[bool], T]
) -> T:
    """Run ``attempt`` (retried while the instance moves). A principal who is no party to
    the task has their scope looked up apart, outside the write (the quick path of the
    task's own people costs nothing): out of it, the task is not found."""
    try:
        return retried(lambda: attempt(False), task_busy(task_id))
    except _ScopeUnknown as unknown:
        with app.db.read() as conn:
            if not authz.sees(conn, who, unknown.args[0]):
                missing = _missing_task(task_id)
                raise as_denial(missing, permission_for(action).value, f"task:{task_id}") from None
        return retried(lambda: attempt(True), task_busy(task_id))


def _authorize(
    app: App,
    store: RuntimeStore,
    who: Principal,
    action: Action,
    instance: InstanceRecord,
    task: TaskRecord,
    in_scope: bool,
) -> None:
    """The one authorisation function's rules on the hot path: the task's own people and
    those who see everything are in scope; anyone else is looked up (``_ScopeUnknown``).
    Then the permission the action needs, for the roles this process grants it to."""
    party = task.may_act(who.login) or who.login in (instance.initiator, task.on_behalf_of)
    if not (in_scope or party or who.sees_all):
        raise _ScopeUnknown(instance.id or 0)
    grants = app.cached_rules(store.org_revision_now()).grants_of(instance.definition_key)
    permission = permission_for(action)
    if not granted(who, permission, grants):
        raise authz.forbidden(who, permission, f"task:{task.id}")


def _missing_task(task_id: int) -> NotFoundError:
    return NotFoundError("task.not_found", task_id=task_id)


def withdraw(app: App, who: Principal, business_key: str) -> InstanceRecord:
    """The initiator withdraws an instance nobody else has acted on yet (撤回); when someone
    acted meanwhile, it is decided again on what they did."""
    return retried(lambda: _withdraw_once(app, who, business_key), instance_busy(business_key))


def _withdraw_once(app: App, who: Principal, business_key: str) -> InstanceRecord:
    with app.db.write() as conn:
        instance = find_visible(app, conn, who, business_key, Permission.INITIATE)
        definition = app.definition(conn, instance.definition_id)
        store = RuntimeStore.on(conn, app.sensitive)
        world = world_now(app, store, definition, app.org(conn))
        tasks = repo.instance_tasks(conn, app.sensitive, instance.id or 0)
        acted_by = [(e["kind"], e["actor"]) for e in repo.history_of(conn, instance.id or 0)]
        store.write(engine.withdraw(world, instance, tasks, who.login, acted_by))
        return instance


def cancel(app: App, who: Principal, business_key: str, reason: str) -> InstanceRecord:
    """An administrator cancels (作废) a running instance with a reason."""
    return retried(
        lambda: _cancel_once(app, who, business_key, reason), instance_busy(business_key)
    )


def _cancel_once(app: App, who: Principal, business_key: str, reason: str) -> InstanceRecord:
    with app.db.write() as conn:
        instance = find_visible(app, conn, who, business_key, Permission.ADMINISTER)
        definition = app.definition(conn, instance.definition_id)
        store = RuntimeStore.on(conn, app.sensitive)
        world = world_now(app, store, definition, app.org(conn))
        tasks = repo.instance_tasks(conn, app.sensitive, instance.id or 0)
        store.write(engine.cancel(world, instance, tasks, who.login, reason))
        return instance


def find_visible(
    app: App, conn: Connection, who: Principal, business_key: str, permission: Permission
) -> InstanceRecord:
    """The instance ``business_key`` if ``who`` may see it and holds ``permission`` on its
    process; an instance outside their scope is not found."""
    missing = NotFoundError("instance.not_found", business_key=business_key)
    instance = repo.find_instance(conn, app.sensitive, business_key)
    if instance is None:
        raise missing
    authz.authorize(app, conn, who, permission, instance=instance, missing=missing)
    return instance


def approve_batch(
    app: App, who: Principal, task_ids: Sequence[int], note: str = ""
) -> list[BatchItem]:
    """Approve several tasks (APR-4): checked as a whole first, then each in its own
    transaction (services/batch.py)."""
    return batch.approve_batch(
        app,
        who,
        task_ids,
        lambda task_id: act(app, who, task_id, Command(Action.APPROVE, who.login, note=note)),
    )


def move_open_tasks(app: App, who: Principal, from_login: str, to_login: str) -> list[int]:
    """An administrator moves every open task of ``from_login`` to ``to_login`` (ORG-2), each
    in its own transaction with a history entry; the ids of the tasks moved."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        if from_login not in app.org(conn).users:
            raise NotFoundError("access.unknown_user", login=from_login)
        ids = [
            t.id or 0
            for t in repo.open_tasks_for(conn, app.sensitive, from_login)
            if t.assignee == from_login
        ]
    return [task_id for task_id in ids if _move_one(app, task_id, from_login, to_login, who)]


def _move_one(app: App, task_id: int, from_login: str, to_login: str, who: Principal) -> bool:
    def attempt() -> bool:
        try:
            with RuntimeStore.transaction(app.db, app.sensitive) as store:
                world, instance, task, _ = load_world(app, store, task_id)
                if task.assignee != from_login or not task.is_open:
                    return False  # acted on meanwhile
                decision = task_actions.move(world, instance, task, who.login, to_login)
                store.write(decision, acted=task)
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
        raise _missing_task(task_id)
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
