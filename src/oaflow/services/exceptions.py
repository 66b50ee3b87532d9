"""Opening an exception record by hand (EXC-1, EXC-2: "or by hand").

Overdue tasks open one automatically (engine/checks.py). The handling plan, resolution,
verification and reopening — the closed loop of EXC-3/4 — come with the exceptions work.
"""

from __future__ import annotations

from oaflow.domain.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from oaflow.domain.model import Decision, Event, ExceptionOpening, InstanceRecord, TaskRecord
from oaflow.services.app import App
from oaflow.services.runtime import RETRIES, InstanceMoved, write_decision
from oaflow.storage import runtime_repo as repo
from oaflow.storage.hotpath import HotPath


def open_exception(app: App, business_key: str, node_id: str, actor: str, description: str) -> str:
    """Open an exception on ``node_id`` of an instance; returns its code (ABN…)."""
    if not description.strip():
        raise InputError("an exception needs a description", "say what went wrong: --description …")
    for _ in range(RETRIES):
        try:
            return _open_once(app, business_key, node_id, actor, description)
        except InstanceMoved:
            continue  # the instance moved meanwhile: look again
    raise ConflictError(f"{business_key} was busy with other changes", "try again in a moment")


def _open_once(app: App, business_key: str, node_id: str, actor: str, description: str) -> str:
    with app.db.write() as conn:
        instance = repo.find_instance(conn, business_key)
        if instance is None:
            raise NotFoundError(f"instance {business_key} does not exist", "check the business key")
        definition = app.definition(conn, instance.definition_id)
        org = app.org(conn)
        if node_id not in definition.nodes:
            raise NotFoundError(
                f"{business_key} has no node '{node_id}'", f"nodes: {', '.join(definition.nodes)}"
            )
        if actor not in org.users:
            raise NotFoundError(f"user '{actor}' does not exist", "see `oaflow org users`")
        task = _latest_task(repo.instance_tasks(conn, instance.id or 0), node_id, business_key)
        if not set(org.users[actor].departments) & {instance.department, task.department or ""}:
            raise ForbiddenError(
                f"{actor} is neither in the initiating nor in the responsible department",
                "the initiating or the responsible department reports exceptions",
            )
        decision = _decision(instance, task, node_id, actor, description)
        version = instance.version
        write_decision(HotPath.on(conn), decision, app, expected_version=version)
        return decision.exceptions[0].code


def _latest_task(tasks: list[TaskRecord], node_id: str, business_key: str) -> TaskRecord:
    found = [t for t in tasks if t.node_id == node_id]
    if not found:
        raise InputError(
            f"node '{node_id}' of {business_key} has not been reached yet",
            "report an exception on a node that has a task",
        )
    return found[-1]


def _decision(
    instance: InstanceRecord, task: TaskRecord, node_id: str, actor: str, description: str
) -> Decision:
    opening = ExceptionOpening(task, node_id, description, reporter=actor)
    event = Event("exception_opened", node_id, task, actor, {"description": description})
    return Decision(instance, changed_tasks=[task], events=[event], exceptions=[opening])
