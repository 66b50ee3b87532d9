"""Batch approval from the inbox (批量审批, APR-4).

The whole batch is checked first: an id that does not exist or is outside the approver's
scope, a task that is not theirs, not open, not a decision step, or waits for a signer added
before them — any of these refuses the whole batch, with every offending item named, and
nothing is applied. Then each task is approved in its own transaction; an item can still
fail only when someone else changed it in between (a race), and that item's result says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from oaflow.domain.errors import ConflictError, Fault, InputError, OAFlowError, as_denial, fault
from oaflow.domain.labels import INSTANCE_STATES, TASK_STATES
from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.security import Permission, Principal
from oaflow.domain.states import InstanceState, TaskState
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.storage import runtime_reads as repo

MAX_BATCH = 200
_REFUSALS = ("batch.item_not_found", "batch.item_forbidden")


@dataclass(frozen=True)
class BatchItem:
    """What became of one task of a batch: approved, or the error of a race."""

    task_id: int
    ok: bool
    state: TaskState | None = None
    error: OAFlowError | None = None


def approve_batch(
    app: App,
    who: Principal,
    task_ids: Sequence[int],
    approve: Callable[[int], TaskRecord],
) -> list[BatchItem]:
    """Check every item, then approve each with ``approve(task_id)`` (one transaction each)."""
    ids = list(dict.fromkeys(task_ids))
    if not ids:
        raise InputError("batch.empty")
    if len(ids) > MAX_BATCH:
        raise InputError("batch.too_large", count=len(ids), limit=MAX_BATCH)
    problems = _problems(app, who, ids)
    if problems:
        error = InputError("batch.refused", problems=problems, count=len(problems))
        refused = [str(p.params["task_id"]) for p in problems if p.code in _REFUSALS]
        if refused:  # a task outside the scope, or a process the approver may not handle
            raise as_denial(error, Permission.HANDLE.value, "tasks:" + ",".join(refused))
        raise error
    results = []
    for task_id in ids:
        try:
            task = approve(task_id)
            results.append(BatchItem(task_id, True, task.state))
        except (ConflictError, InputError) as error:  # changed by someone else meanwhile
            results.append(BatchItem(task_id, False, error=error))
    return results


def _problems(app: App, who: Principal, ids: list[int]) -> list[Fault]:
    problems: list[Fault] = []
    with app.db.read() as conn:
        for task_id in ids:
            task = repo.load_task(conn, app.sensitive, task_id)
            instance = repo.load_instance(conn, app.sensitive, task.instance_id) if task else None
            if task is None or instance is None or not _sees(app, conn, who, instance):
                problems.append(fault("batch.item_not_found", task_id=task_id))
                continue
            found = _problem(app, conn, who, task, instance)
            if found is not None:
                problems.append(found)
    return problems


def _sees(app: App, conn: Connection, who: Principal, instance: InstanceRecord) -> bool:
    return authz.sees(conn, who, instance.id or 0)


def _problem(
    app: App, conn: Connection, who: Principal, task: TaskRecord, instance: InstanceRecord
) -> Fault | None:
    definition = app.definition(conn, instance.definition_id)
    node = definition.node(task.node_id)
    if not task.may_act(who.login):
        return fault("batch.item_not_yours", task_id=task.id)
    if not task.is_open or task.state is TaskState.SUSPENDED:
        return fault("batch.item_closed", task_id=task.id, state=TASK_STATES[task.state])
    if instance.state is not InstanceState.RUNNING:
        return fault("batch.item_closed", task_id=task.id, state=INSTANCE_STATES[instance.state])
    if not node.is_decision:
        return fault("batch.item_not_decision", task_id=task.id, node=node.name)
    added = instance.tokens.added_signers.get(node.id, [])
    if any(e.for_task == task.id and e.position == "before" for e in added):
        return fault("batch.item_waiting", task_id=task.id)
    try:
        authz.authorize(app, conn, who, Permission.HANDLE, process=instance.definition_key)
    except OAFlowError:
        return fault("batch.item_forbidden", task_id=task.id)
    return None
