"""The engine's commands: start an instance, act on a task (RUN-1..6). Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oaflow.domain.definition import Node, NodeType, ProcessDefinition
from oaflow.domain.errors import ForbiddenError, InputError, MissingOutputsError, fault
from oaflow.domain.labels import INSTANCE_STATES
from oaflow.domain.model import Decision, InstanceRecord, TaskRecord, World
from oaflow.domain.states import Action, InstanceState, TaskState, next_state, resume_state
from oaflow.domain.text import Text
from oaflow.domain.wording import clauses
from oaflow.engine import added_signers, revise, signers
from oaflow.engine.flow import Flow, refuse_going_back
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
    flow = Flow(world, instance)
    flow.record("instance_started", None, actor=instance.initiator, title=instance.title)
    flow.enter(world.definition.start.id, None)
    return flow.decided()


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
        raise InputError("task.action_not_available", action=command.action.value)
    refuse_going_back(world, instance, task)
    _check_actor(task, command.actor)
    if instance.state is not InstanceState.RUNNING:
        raise InputError(
            "task.instance_not_running",
            business_key=instance.business_key,
            state=INSTANCE_STATES[instance.state],
        )
    node = world.definition.node(task.node_id)
    new_state = next_state(task.state, command.action)
    _check_not_waiting(world, instance, node, task, command)
    _check_fits_node(node, task, command.action)
    flow = Flow(world, instance, [task, *related])
    _HANDLERS[command.action](flow, node, task, command, new_state)
    return flow.decided()


def _check_not_waiting(
    world: World, instance: InstanceRecord, node: Node, task: TaskRecord, command: Command
) -> None:
    added = instance.tokens.added_signers.get(node.id, [])
    signer = next(
        (e.login for e in added if e.for_task == task.id and e.position == "before"), None
    )
    if signer and command.action in (Action.APPROVE, Action.REJECT):
        raise InputError(
            "task.waiting_for_signer",
            task=task.id,
            name=world.org.user_name(signer),
            login=signer,
        )


def _check_actor(task: TaskRecord, actor: str) -> None:
    if not task.may_act(actor):
        owner = task.assignee or list(task.candidates)
        raise ForbiddenError("task.not_yours", task=task.id, owner=owner)


def _check_fits_node(node: Node, task: TaskRecord, action: Action) -> None:
    if action in (Action.APPROVE, Action.REJECT) and not node.is_decision:
        raise InputError(
            "task.is_completed_not_decided", task=task.id, name=node.name, type=node.type.value
        )
    if action is Action.COMPLETE and node.is_decision:
        raise InputError(
            "task.is_decided_not_completed", task=task.id, name=node.name, type=node.type.value
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
        raise InputError("task.progress_out_of_range", task=task.id, percent=str(cmd.progress))
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
        raise InputError("task.clock_does_not_pause", name=node.name)
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
    flow.measured(task)
    task.acked_at = task.acked_at or flow.world.now  # finishing implies receipt
    task.note = cmd.note  # the completion's note (delay reason); progress notes stay in history
    if cmd.action is Action.COMPLETE:
        task.progress = 100
    task.check_at = task.paused_at = None
    _touch(flow, task, state)
    flow.record(f"task_{state.value}", node.id, task, cmd.actor, note=cmd.note)
    if state is TaskState.APPROVED:
        flow.tokens.last_approver = cmd.actor  # for `dedupe` (APR-3)
    flow.open_tasks = [t for t in flow.open_tasks if t.is_open]
    if node.type is NodeType.MULTI_INSTANCE:
        _after_multi(flow, node, task)
    elif node.mode:
        signers.after_decision(flow, node, task)
    elif node.is_decision and added_signers.after_decision(flow, node, task):
        return
    elif state is TaskState.REJECTED:
        flow.after_reject(node)
    else:
        flow.leave(node)


def _take_outputs(flow: Flow, node: Node, task: TaskRecord, cmd: Command) -> None:
    if node.type is NodeType.INITIATE:  # the initiator resubmits the form (退回发起人)
        revise.take_revision(flow, task, cmd.outputs)
        task.outputs = dict(cmd.outputs)
        return
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
        flow.after_reject(node)
        return
    for output in node.outputs.fields:
        flow.instance.data[output.name] = [t.outputs.get(output.name) for t in round_tasks]
    flow.leave(node)


def returnable(definition: ProcessDefinition, instance: InstanceRecord, node_id: str) -> list[str]:
    """The earlier task nodes this node's task may be returned to: reached ones only."""
    visits = instance.tokens.visits
    before = upstream(definition, node_id)
    return [
        n
        for n, node in definition.nodes.items()
        if n in before and node.is_task and visits.get(n, 0) > 0
    ]


def _return(flow: Flow, node: Node, task: TaskRecord, cmd: Command, state: TaskState) -> None:
    allowed = returnable(flow.world.definition, flow.instance, node.id)
    if cmd.target not in allowed:
        if not allowed:
            raise InputError("task.nothing_to_return_to", target=cmd.target)
        names = [_named(n, flow.world.definition.node(n).name) for n in allowed]
        raise InputError("task.return_target_not_reached", target=cmd.target, allowed=names)
    task.finished_at, task.finished_by, task.note = flow.world.now, cmd.actor, cmd.note
    flow.measured(task)
    task.check_at = task.paused_at = None
    _touch(flow, task, state)
    flow.record("task_returned", node.id, task, cmd.actor, to=cmd.target, note=cmd.note)
    flow.open_tasks = [t for t in flow.open_tasks if t.is_open]
    flow.return_to(cmd.target, node.id)


def _named(node_id: str, name: Text) -> Text:
    """``id (name)`` in each language."""
    return Text(f"{node_id} ({name.zh})", f"{node_id} ({name.get('en')})")


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
    refuse_going_back(world, instance, None)
    if actor != instance.initiator:
        raise ForbiddenError("instance.withdraw_not_initiator", business_key=instance.business_key)
    if instance.state is not InstanceState.RUNNING:
        raise InputError(
            "instance.withdraw_not_running",
            business_key=instance.business_key,
            state=INSTANCE_STATES[instance.state],
        )
    others = [who for kind, who in acted_by if kind in ACTING and who not in (None, actor)]
    if others:
        raise InputError(
            "instance.withdraw_after_others", business_key=instance.business_key, login=others[0]
        )
    flow = Flow(world, instance, tasks)
    flow.record("instance_withdrawn", None, actor=actor)
    flow.finish(Action.CANCEL, None)
    return flow.decided()


def cancel(
    world: World, instance: InstanceRecord, tasks: Sequence[TaskRecord], actor: str, reason: str
) -> Decision:
    """An administrator stops a running instance (作废, e.g. a project called off): its open
    tasks are cancelled and the reason goes into the timeline."""
    refuse_going_back(world, instance, None)
    if instance.state is not InstanceState.RUNNING:
        raise InputError(
            "instance.cancel_not_running",
            business_key=instance.business_key,
            state=INSTANCE_STATES[instance.state],
        )
    if not reason.strip():
        raise InputError("instance.cancel_reason", business_key=instance.business_key)
    flow = Flow(world, instance, tasks)
    flow.record("instance_called_off", None, actor=actor, note=reason.strip())
    flow.finish(Action.CANCEL, None)
    return flow.decided()


def _start(flow: Flow, node: Node, task: TaskRecord, cmd: Command, state: TaskState) -> None:
    flow.start_task(node, task, Action.START, cmd.actor)


_HANDLERS = {
    Action.START: _start,
    Action.ACK: _ack,
    Action.PROGRESS: _progress,
    Action.COMPLETE: _finish,
    Action.RETURN: _return,
    Action.APPROVE: _finish,
    Action.REJECT: _finish,
    Action.SUSPEND: _suspend,
    Action.RESUME: _resume,
}

__all__ = ["Command", "act", "start"]
