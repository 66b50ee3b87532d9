"""The engine's commands: start an instance, act on a task (RUN-1..6). Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from oaflow.domain.definition import Node, NodeType, ProcessDefinition
from oaflow.domain.errors import ForbiddenError, InputError, MissingOutputsError, fault
from oaflow.domain.model import Decision, InstanceRecord, TaskRecord, World
from oaflow.domain.states import Action, InstanceState, TaskState, next_state, resume_state
from oaflow.domain.wording import clauses
from oaflow.engine import added_signers
from oaflow.engine.assign import Party
from oaflow.engine.flow import Flow
from oaflow.engine.graph import upstream
from oaflow.engine.sla import next_check, pause, unpause

PASSED = frozenset({TaskState.DONE, TaskState.APPROVED})


@dataclass(frozen=True)
class Command:
    action: Action
    actor: str
    progress: int | None = None
    note: str = ""
    outputs: Mapping[str, Any] = field(default_factory=dict)
    deliverables: Mapping[str, str] = field(default_factory=dict)
    waiting: bool = False  # progress: waiting on an external party (stops the SLA clock)
    target: str = ""  # return: the earlier node to go back to


def start(world: World, instance: InstanceRecord) -> Decision:
    """Start ``instance`` (already carrying its form data and business key) at the first node."""
    decision = Decision(instance)
    flow = Flow(world, decision, [])
    flow.record("instance_started", None, actor=instance.initiator, title=instance.title)
    flow.enter(world.definition.start.id, None)
    return decision


def act(
    world: World,
    instance: InstanceRecord,
    task: TaskRecord,
    command: Command,
    related: Sequence[TaskRecord] = (),
) -> Decision:
    """Apply ``command`` to ``task``. ``related`` holds the instance's open tasks and, for a
    multi-instance node, every task of the task's round."""
    if command.action not in _HANDLERS:
        raise InputError(
            f"the action {command.action.value} is not available yet",
            "use ack, progress, complete, approve or reject",
        )
    _check_actor(task, command.actor)
    if instance.state is not InstanceState.RUNNING:
        raise InputError(
            f"instance {instance.business_key} is {instance.state.value}",
            "only tasks of running instances can be acted on",
        )
    node = world.definition.node(task.node_id)
    new_state = next_state(task.state, command.action)
    _check_not_waiting(world, instance, node, task, command)
    _check_fits_node(node, command.action)
    decision = Decision(instance)
    flow = Flow(world, decision, [task, *related])
    _HANDLERS[command.action](flow, node, task, command, new_state)
    return decision


def _check_not_waiting(
    world: World, instance: InstanceRecord, node: Node, task: TaskRecord, command: Command
) -> None:
    added = instance.tokens.get("added_signers", {}).get(node.id, [])
    signer = next(
        (e["login"] for e in added if e["for"] == task.id and e["kind"] == "before"), None
    )
    if signer and command.action in (Action.APPROVE, Action.REJECT):
        raise InputError(
            f"task {task.id} is waiting for {world.org.user_name(signer)} ({signer}), "
            "added before you",
            "decide after they have approved (前加签)",
        )


def _check_actor(task: TaskRecord, actor: str) -> None:
    if not task.may_act(actor):
        owner = task.assignee or "、".join(task.candidates)
        raise ForbiddenError(
            f"task {task.id} is not yours (it is assigned to {owner})",
            "act only on tasks listed by `oaflow tasks --as YOU`",
        )


def _check_fits_node(node: Node, action: Action) -> None:
    if action in (Action.APPROVE, Action.REJECT) and not node.is_decision:
        raise InputError(
            f"'{node.name.zh}' is a {node.type.value} task; it is finished with complete",
            "use `oaflow task complete ID` with its required outputs",
        )
    if action is Action.COMPLETE and node.is_decision:
        raise InputError(
            f"'{node.name.zh}' is a {node.type.value} task; it is decided, not completed",
            "use `oaflow task approve ID` or `oaflow task reject ID --note REASON`",
        )


def _touch(flow: Flow, task: TaskRecord, state: TaskState) -> None:
    task.state = state
    flow.changed(task)


def _ack(flow: Flow, node: Node, task: TaskRecord, cmd: Command, state: TaskState) -> None:
    if task.assignee is None:
        task.assignee = cmd.actor  # claiming a candidate-group task
    task.acked_at = flow.world.now
    _touch(flow, task, state)
    task.check_at = next_check(node, task, flow.world.calendar)  # no more ack reminders
    flow.record("task_acknowledged", node.id, task, cmd.actor)


def _progress(flow: Flow, node: Node, task: TaskRecord, cmd: Command, state: TaskState) -> None:
    if cmd.progress is None or not 0 <= cmd.progress <= 100:
        raise InputError(
            f"progress must be a percentage from 0 to 100, got {cmd.progress}",
            "pass --percent 60 --note '研发方案初稿已完成'",
        )
    task.progress, task.note = cmd.progress, cmd.note
    _touch(flow, task, state)
    flow.record("task_progress", node.id, task, cmd.actor, percent=cmd.progress, note=cmd.note)
    if cmd.waiting:
        _wait(flow, node, task, cmd)
    elif task.paused_at is not None:  # the external party answered: the clock runs again
        unpause(node, task, flow.world.now, flow.world.calendar)
        flow.record("sla_resumed", node.id, task, cmd.actor, due_at=_iso(task.due_at))


def _wait(flow: Flow, node: Node, task: TaskRecord, cmd: Command) -> None:
    if not node.sla.pause_when_waiting:
        raise InputError(
            f"'{node.name.zh}' does not stop its clock while waiting on others",
            "report progress without --waiting; the node's sla needs pause_when_waiting: true",
        )
    pause(task, flow.world.now)
    flow.record("sla_paused", node.id, task, cmd.actor, note=cmd.note)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _suspend(flow: Flow, node: Node, task: TaskRecord, cmd: Command, state: TaskState) -> None:
    _touch(flow, task, state)
    pause(task, flow.world.now)  # the SLA clock waits while the task is suspended
    flow.record("task_suspended", node.id, task, cmd.actor, note=cmd.note)


def _resume(flow: Flow, node: Node, task: TaskRecord, cmd: Command, state: TaskState) -> None:
    _touch(flow, task, resume_state(task.acked_at is not None, task.progress))
    unpause(node, task, flow.world.now, flow.world.calendar)
    flow.record("task_resumed", node.id, task, cmd.actor, due_at=_iso(task.due_at))


def finish_task(flow: Flow, node: Node, task: TaskRecord, cmd: Command) -> None:
    """Finish ``task`` by ``cmd`` without the actor check (system decisions, escalation)."""
    _finish(flow, node, task, cmd, next_state(task.state, cmd.action))


def _finish(flow: Flow, node: Node, task: TaskRecord, cmd: Command, state: TaskState) -> None:
    if cmd.action is Action.COMPLETE:
        _take_outputs(flow, node, task, cmd)
    task.finished_at, task.finished_by = flow.world.now, cmd.actor
    task.acked_at = task.acked_at or flow.world.now  # finishing implies receipt
    task.note = cmd.note  # the completion's note (delay reason); progress notes stay in history
    if cmd.action is Action.COMPLETE:
        task.progress = 100
    task.check_at = task.paused_at = None
    _touch(flow, task, state)
    flow.record(f"task_{state.value}", node.id, task, cmd.actor, note=cmd.note)
    if state is TaskState.APPROVED:
        flow.instance.tokens["last_approver"] = cmd.actor  # for `dedupe` (APR-3)
    flow.open_tasks = [t for t in flow.open_tasks if t.is_open]
    if node.type is NodeType.MULTI_INSTANCE:
        _after_multi(flow, node, task)
    elif node.mode:
        _after_signer(flow, node, task)
    elif node.is_decision and added_signers.after_decision(flow, node, task):
        return
    elif state is TaskState.REJECTED:
        _after_reject(flow, node)
    else:
        flow.leave(node)


def _take_outputs(flow: Flow, node: Node, task: TaskRecord, cmd: Command) -> None:
    from oaflow.domain.forms import check_values

    problems = check_values(node.outputs.fields, cmd.outputs)
    missing = [d for d in node.outputs.deliverables if not cmd.deliverables.get(d)]
    problems += [fault("form.deliverable.missing", name=d) for d in missing]
    if problems:
        raise MissingOutputsError(
            "form.outputs.invalid", task=task.id, node=node.name, problems=clauses(problems)
        )
    task.outputs = {**cmd.outputs, "deliverables": dict(cmd.deliverables)}
    if node.type is not NodeType.MULTI_INSTANCE:
        flow.instance.data.update(cmd.outputs)


def _after_multi(flow: Flow, node: Node, task: TaskRecord) -> None:
    siblings = [t for t in flow.open_tasks if t.node_id == node.id and t.round == task.round]
    if siblings:
        return
    round_tasks = flow.decision_round(node.id, task)
    if any(t.state is TaskState.REJECTED for t in round_tasks):
        _after_reject(flow, node)
        return
    for output in node.outputs.fields:
        flow.instance.data[output.name] = [t.outputs.get(output.name) for t in round_tasks]
    flow.leave(node)


def returnable(definition: ProcessDefinition, instance: InstanceRecord, node_id: str) -> list[str]:
    """The earlier task nodes this node's task may be returned to: reached ones only."""
    visits = instance.tokens.get("visits", {})
    before = upstream(definition, node_id)
    return [
        n
        for n, node in definition.nodes.items()
        if n in before and node.is_task and visits.get(n, 0) > 0
    ]


def _return(flow: Flow, node: Node, task: TaskRecord, cmd: Command, state: TaskState) -> None:
    allowed = returnable(flow.world.definition, flow.instance, node.id)
    if cmd.target not in allowed:
        names = [f"{n} ({flow.world.definition.node(n).name.zh})" for n in allowed]
        raise InputError(
            f"cannot return to '{cmd.target}': it is not an earlier step that was reached",
            f"return to one of: {', '.join(names)}" if names else "this task has no earlier step",
        )
    task.finished_at, task.finished_by, task.note = flow.world.now, cmd.actor, cmd.note
    task.check_at = task.paused_at = None
    _touch(flow, task, state)
    flow.record("task_returned", node.id, task, cmd.actor, to=cmd.target, note=cmd.note)
    flow.open_tasks = [t for t in flow.open_tasks if t.is_open]
    flow.return_to(cmd.target, node.id)


#: what counts as acting on a process: after any of these by someone else, no withdrawal
ACTING = frozenset(
    {
        "task_acknowledged",
        "task_progress",
        "task_done",
        "task_approved",
        "task_rejected",
        "task_returned",
        "task_transferred",
        "task_suspended",
        "signer_added",
    }
)


def withdraw(
    world: World,
    instance: InstanceRecord,
    tasks: Sequence[TaskRecord],
    actor: str,
    acted_by: Sequence[tuple[str, str | None]] = (),
) -> Decision:
    """The initiator takes the instance back (撤回) while nobody else has acted on it yet.
    ``acted_by`` holds the (kind, actor) of the instance's history entries."""
    if actor != instance.initiator:
        raise ForbiddenError(
            f"only the initiator may withdraw {instance.business_key}",
            "ask the person who started it",
        )
    if instance.state is not InstanceState.RUNNING:
        raise InputError(
            f"{instance.business_key} is {instance.state.value}",
            "only a running instance can be withdrawn",
        )
    others = [who for kind, who in acted_by if kind in ACTING and who not in (None, actor)]
    if others:
        raise InputError(
            f"{instance.business_key} cannot be withdrawn: {others[0]} has already acted on it",
            "ask that step to return it to you instead (oaflow task return)",
        )
    decision = Decision(instance)
    flow = Flow(world, decision, tasks)
    flow.record("instance_withdrawn", None, actor=actor)
    flow.finish(InstanceState.CANCELLED, None)
    return decision


def _after_signer(flow: Flow, node: Node, task: TaskRecord) -> None:
    """One approver of a multi-approver node decided (APR-1): does the node pass, fail, or
    wait for the others?"""
    signers = flow.decision_round(node.id, task)
    approved = sum(t.state is TaskState.APPROVED for t in signers)
    rejected = sum(t.state is TaskState.REJECTED for t in signers)
    waiting = [t for t in signers if t.is_open]
    if node.mode == "sequence":
        _next_signer(flow, node, task, rejected > 0)
        return
    needed = {"all": len(signers), "any": 1}.get(node.mode) or node.pass_ratio * len(signers)
    if node.mode == "any" and rejected:  # 或签: the first decision decides, either way
        needed = len(signers) + 1
    if approved >= needed - 1e-9:
        flow.cancel_tasks(waiting, reason="node decided")
        flow.record("signers_passed", node.id, approved=approved, of=len(signers))
        flow.leave(node)
    elif len(signers) - rejected < needed - 1e-9:
        flow.cancel_tasks(waiting, reason="node decided")
        flow.record("signers_rejected", node.id, rejected=rejected, of=len(signers))
        _after_reject(flow, node)


def _next_signer(flow: Flow, node: Node, task: TaskRecord, rejected: bool) -> None:
    queue: list[str] = flow.instance.tokens.get("sequence", {}).get(node.id, [])
    if rejected:
        _after_reject(flow, node)
    elif queue:
        login = queue.pop(0)
        same = task.department and login in flow.world.org.members_of(task.department)
        flow.create_task(node, flow.signer(login, Party(task.department if same else None, login)))
    else:
        flow.leave(node)


def _after_reject(flow: Flow, node: Node) -> None:
    if node.on_reject == "end":
        flow.finish(InstanceState.REJECTED, node.id)
        return
    if node.on_reject not in upstream(flow.world.definition, node.id):
        raise InputError(
            f"node '{node.id}' returns to '{node.on_reject}', which is not before it",
            "set on_reject to an earlier node and publish a new version",
        )
    flow.return_to(node.on_reject, node.id)


_HANDLERS = {
    Action.ACK: _ack,
    Action.PROGRESS: _progress,
    Action.COMPLETE: _finish,
    Action.RETURN: _return,
    Action.APPROVE: _finish,
    Action.REJECT: _finish,
    Action.SUSPEND: _suspend,
    Action.RESUME: _resume,
}

__all__ = ["Command", "act", "replace", "start"]
