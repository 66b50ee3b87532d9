"""The SLA check of one task: reminders, warnings, the overdue exception, escalation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from oaflow.domain.definition import Node
from oaflow.domain.model import (
    Decision,
    InstanceRecord,
    Message,
    TaskRecord,
    World,
)
from oaflow.domain.states import Action, InstanceState
from oaflow.engine.exceptions import opening
from oaflow.engine.flow import Flow
from oaflow.engine.runtime import Command, finish_task
from oaflow.engine.sla import SlaEvent, due_events, next_check, recipients

SYSTEM = "system"


def check_sla(
    world: World, instance: InstanceRecord, task: TaskRecord, related: Sequence[TaskRecord] = ()
) -> Decision:
    """Handle every SLA event of ``task`` due at ``world.now``, once each, and reschedule."""
    flow = Flow(world, instance, [task, *related])
    node = world.definition.node(task.node_id)
    if task.is_open and instance.state is InstanceState.RUNNING:
        for event in due_events(node, task, world.calendar, world.now):
            if not task.is_open:
                break  # an escalation decided the task
            task.sla_fired = (*task.sla_fired, event.key)
            _EFFECTS[event.kind](flow, node, task, event)
    task.check_at = next_check(node, task, world.calendar) if task.is_open else None
    flow.changed(task)
    return flow.decided()


def _send(
    flow: Flow, task: TaskRecord, event: SlaEvent, names: tuple[str, ...], **data: object
) -> None:
    instance = flow.instance
    people = recipients(names, task, instance, flow.world.org)
    node = flow.world.definition.node(task.node_id)
    flow.decision.messages.append(
        Message(
            key=f"{instance.business_key}/{task.id}/{event.key}",
            event=event.kind,
            recipients=people,
            task=task,
            data={
                "business_key": instance.business_key,
                "title": instance.title,
                "node_zh": node.name.zh,
                "node_en": node.name.en,
                "due_at": task.due_at.isoformat() if task.due_at else None,
                "event_key": event.key,
                **data,
            },
        )
    )
    flow.record(
        f"sla_{event.kind}", task.node_id, task, None, to=list(people), key=event.key, **data
    )


def _ack_reminder(flow: Flow, node: Node, task: TaskRecord, event: SlaEvent) -> None:
    _send(flow, task, event, ("responsible",), reminder=1 if event.key == "ack1" else 2)


def _ack_escalation(flow: Flow, node: Node, task: TaskRecord, event: SlaEvent) -> None:
    _send(flow, task, event, (*node.sla.escalate_to, "responsible"), hours=node.sla.escalate_after)


def _warning(flow: Flow, node: Node, task: TaskRecord, event: SlaEvent) -> None:
    _send(flow, task, event, ("responsible",), share=event.key.removeprefix("warn"))


def _overdue(flow: Flow, node: Node, task: TaskRecord, event: SlaEvent) -> None:
    department = flow.world.org.department_name(task.department, "zh") if task.department else ""
    where = f"{node.name.zh}（{department}）" if department.strip() else node.name.zh
    description = f"{where}超过时限未完成"
    flow.decision.exceptions.append(opening(flow.world, task, node.id, description))
    _send(flow, task, event, ("responsible", "responsible_head"))


def _escalation(flow: Flow, node: Node, task: TaskRecord, event: SlaEvent) -> None:
    level = node.sla.escalation[event.level - 1]
    _send(flow, task, event, level.to, level=event.level, action=level.action)
    if level.action == "reassign":
        _reassign(flow, task, recipients(level.to, task, flow.instance, flow.world.org))
    elif level.action in ("auto_approve", "auto_reject") and node.is_decision:
        action = Action.APPROVE if level.action == "auto_approve" else Action.REJECT
        verb = "通过" if action is Action.APPROVE else "驳回"
        note = f"超时自动{verb} (escalation level {event.level})"
        finish_task(flow, node, task, Command(action, SYSTEM, note=note))


def _reassign(flow: Flow, task: TaskRecord, people: tuple[str, ...]) -> None:
    if not people or task.assignee == people[0]:
        return
    before = flow.hand_over(task, people[0], Action.REASSIGN)
    flow.record("task_reassigned", task.node_id, task, SYSTEM, before=before, after=people[0])


def _planned_start(flow: Flow, node: Node, task: TaskRecord, event: SlaEvent) -> None:
    flow.start_task(node, task, Action.DISPATCH, None)


_EFFECTS: dict[str, Callable[[Flow, Node, TaskRecord, SlaEvent], None]] = {
    "planned_start": _planned_start,
    "ack_reminder": _ack_reminder,
    "ack_escalation": _ack_escalation,
    "deadline_warning": _warning,
    "overdue": _overdue,
    "escalation": _escalation,
}
