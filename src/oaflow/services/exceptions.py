"""Exception records and their closed loop (EXC-1..4), for the CLI, the API and the pages.

Opening one by hand (EXC-2: "or by hand"; overdue tasks open one automatically, see
engine/checks.py), then its steps: the responsible department's report, the coordination's
resolution, the resolution, the verification and a reopening (engine/exceptions.py). Each
step is one transaction on the record's instance; a record outside ``who``'s scope is not
found, whatever its code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.errors import NotFoundError
from oaflow.domain.exception_loop import ExceptionRecord
from oaflow.domain.model import Decision, InstanceRecord, TaskRecord, World
from oaflow.domain.security import Permission, Principal
from oaflow.engine import exceptions as loop
from oaflow.services.app import App
from oaflow.services.exception_causes import causes
from oaflow.services.retry import instance_busy, retried
from oaflow.services.runtime import find_visible, world_now
from oaflow.storage import notices_repo
from oaflow.storage import runtime_reads as repo
from oaflow.storage.runtime_store import RuntimeStore

#: a step of the loop: (its transaction, world, instance, linked task, record, actor) -> the
#: decision
Step = Callable[
    [Connection, World, InstanceRecord, TaskRecord | None, ExceptionRecord, str], Decision
]


def open_exception(
    app: App, who: Principal, business_key: str, node_id: str, description: str
) -> str:
    """Report an exception on ``node_id`` of an instance ``who`` may see; returns its code
    (ABN…): a new record's, or the one a timer found on that task and nobody reported yet.
    When the instance moved meanwhile, it is looked at again."""
    return retried(
        lambda: _open_once(app, who, business_key, node_id, description),
        instance_busy(business_key),
    )


def _open_once(app: App, who: Principal, business_key: str, node_id: str, description: str) -> str:
    with app.db.write() as conn:
        instance = find_visible(app, conn, who, business_key, Permission.VIEW)
        store = RuntimeStore.on(conn, app.sensitive)
        world = world_now(app, store, app.definition(conn, instance.definition_id), app.org(conn))
        tasks = repo.instance_tasks(conn, app.sensitive, instance.id or 0)
        records = notices_repo.records_of_instance(conn, instance.id or 0)
        decision = loop.open_by_hand(
            world, instance, tasks, node_id, who.login, description, records
        )
        store.write(decision)
        if decision.exception_changes:
            return decision.exception_changes[0].code
        return decision.exceptions[0].code


def report(
    app: App,
    who: Principal,
    code: str,
    category: str,
    cause: str,
    expected_at: datetime,
    resources: str = "",
) -> None:
    """The responsible department's report (异常处理说明, EXC-2), its cause category one of
    the list in force."""
    _take(
        app,
        who,
        code,
        lambda conn, w, i, t, r, a: loop.report(
            w,
            i,
            t,
            r,
            a,
            category=category,
            cause=cause,
            expected_at=expected_at,
            resources=resources,
            categories=causes(conn),
        ),
    )


def coordinate(
    app: App, who: Principal, code: str, plan: str, handler: str, deadline: datetime
) -> None:
    """The coordination's resolution (EXC-3): plan, handler, new deadline."""
    _take(
        app,
        who,
        code,
        lambda _, w, i, t, r, a: loop.coordinate(
            w, i, t, r, a, plan=plan, handler=handler, deadline=deadline
        ),
    )


def resolve(app: App, who: Principal, code: str, resolution: str) -> None:
    """The handler marks it resolved (EXC-4)."""
    _take(
        app, who, code, lambda _, w, i, t, r, a: loop.resolve(w, i, t, r, a, resolution=resolution)
    )


def verify(app: App, who: Principal, code: str, passed: bool, result: str) -> None:
    """The verification: passed closes it, failed sends it back to the handler (EXC-4)."""
    _take(
        app,
        who,
        code,
        lambda _, w, i, t, r, a: loop.verify(w, i, t, r, a, passed=passed, result=result),
    )


def reopen(app: App, who: Principal, code: str, reason: str) -> None:
    """A closed record opens again, with a reason."""
    _take(app, who, code, lambda _, w, i, t, r, a: loop.reopen(w, i, t, r, a, reason=reason))


def _take(app: App, who: Principal, code: str, step: Step) -> None:
    """One step on the record ``code``, in one transaction; decided again when the instance
    moved meanwhile."""

    def once() -> None:
        with app.db.write() as conn:
            store, world, instance, task, record = _load(app, conn, who, code)
            store.write(step(conn, world, instance, task, record, who.login))

    retried(once, instance_busy(code))


def _load(
    app: App, conn: Connection, who: Principal, code: str
) -> tuple[RuntimeStore, World, InstanceRecord, TaskRecord | None, ExceptionRecord]:
    """The record ``code`` (locked), its instance if ``who`` may see it, its task, the
    world now."""
    missing = NotFoundError("exception.not_found", code=code)
    row = notices_repo.exception_by_code(conn, code.strip().upper(), lock=True)
    if row is None:
        raise missing
    try:
        instance = find_visible(app, conn, who, row["business_key"], Permission.VIEW)
    except NotFoundError:
        raise missing from None
    store = RuntimeStore.on(conn, app.sensitive)
    world = world_now(app, store, app.definition(conn, instance.definition_id), app.org(conn))
    task = repo.load_task(conn, app.sensitive, row["task_id"]) if row["task_id"] else None
    return store, world, instance, task, notices_repo.exception_record(row)


def check_due(app: App, now: datetime) -> bool:
    """Handle the clock of one record due at ``now`` (the timers' sweep); False when none
    is due."""
    with app.db.write() as conn:
        code = notices_repo.claim_due_exception(conn, now)
        if code is None:
            return False
        row: dict[str, Any] | None = notices_repo.exception_by_code(conn, code)
        assert row is not None
        instance = repo.find_instance(conn, app.sensitive, row["business_key"])
        assert instance is not None
        store = RuntimeStore.on(conn, app.sensitive)
        definition = app.definition(conn, instance.definition_id)
        delegations = app.delegations_at(store.org_revision_now(), now)
        world = World(definition, app.org(conn), app.calendar, now, delegations)
        task = repo.load_task(conn, app.sensitive, row["task_id"]) if row["task_id"] else None
        store.write(loop.check(world, instance, task, notices_repo.exception_record(row)))
        return True


def next_check(app: App) -> datetime | None:
    with app.db.read() as conn:
        return notices_repo.next_exception_check(conn)
