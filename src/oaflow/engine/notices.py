"""Who hears of what (NTF-1): the messages a decision's history events call for.

The SLA checks and the people's urge / cc write their own messages; this adds the rest:
a task reaching someone (dispatched, returned to them, transferred or reassigned to them),
a rejection, a notify node's copy (抄送节点), the end of the process and an opened
exception. Called when the decision is
complete, after deputies (ORG-3) have been applied to its new tasks.
"""

from __future__ import annotations

from typing import Any

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.model import Decision, Event, InstanceRecord, Message, TaskRecord

#: history events that put a task in front of someone
_REACHING = frozenset({"task_created", "task_transferred", "task_reassigned", "task_dispatched"})
#: history events that end the process, told to its initiator
_ENDING = {"instance_completed": "instance_completed", "instance_rejected": "instance_rejected"}


def notices_for(decision: Decision, definition: ProcessDefinition, first_seq: int) -> list[Message]:
    """The messages for ``decision``'s events; ``first_seq`` is the history number of its
    first event, which makes every message id stable and unique."""
    instance = decision.instance
    returned = {e.data.get("target") for e in decision.events if e.kind == "returned_to"}
    messages: list[Message] = []
    for seq, event in enumerate(decision.events, start=first_seq):
        found = _notice(instance, definition, event, returned)
        if found is not None:
            kind, people, task = found
            messages.append(_message(instance, definition, kind, people, task, event, seq))
    for opening in decision.exceptions:
        event = Event("exception_opened", opening.node_id, opening.task, opening.reporter)
        seq = first_seq + len(decision.events)
        message = _message(
            instance,
            definition,
            "exception_opened",
            (instance.initiator,),
            opening.task,
            event,
            seq,
        )
        message.data["note"] = opening.description
        message.exception = opening  # its code is given when it is written
        messages.append(message)
    return messages


def _notice(
    instance: InstanceRecord, definition: ProcessDefinition, event: Event, returned: set[Any]
) -> tuple[str, tuple[str, ...], TaskRecord | None] | None:
    """(message event, recipients, task) for one history event, or None."""
    task = event.task
    if event.kind in _REACHING and task is not None and task.is_open and not _dated(task):
        people = (task.assignee,) if task.assignee else task.candidates
        returning = event.kind == "task_created" and task.node_id in returned
        return ("task_returned" if returning else "task_assigned"), people, task
    if event.kind == "task_rejected" and event.actor != instance.initiator:
        return "task_rejected", (instance.initiator,), task
    if event.kind in _ENDING:
        return _ENDING[event.kind], (instance.initiator,), None
    copied = tuple(event.data.get("recipients", ())) if event.kind == "copied" else ()
    if copied:  # a notify node: copied on the initiator's behalf
        return "cc", copied, None
    return None


def _dated(task: TaskRecord) -> bool:
    """A task waiting for its planned date: its people hear of it when it starts."""
    return task.state.value == "waiting" and task.dispatched_at is not None


def _message(
    instance: InstanceRecord,
    definition: ProcessDefinition,
    kind: str,
    people: tuple[str, ...],
    task: TaskRecord | None,
    event: Event,
    seq: int,
) -> Message:
    node = definition.node(task.node_id) if task is not None else None
    data: dict[str, Any] = {
        "business_key": instance.business_key,
        "title": instance.title,
        "process_zh": definition.name.zh,
        "process_en": definition.name.en,
        "actor": event.actor,
        "note": str(event.data.get("note") or ""),
    }
    if kind == "cc" and task is None and event.node_id is not None:
        copying = definition.node(event.node_id)
        data.update(actor=instance.initiator, node_zh=copying.name.zh, node_en=copying.name.en)
    if task is not None and node is not None:
        data.update(
            node_zh=node.name.zh,
            node_en=node.name.en,
            department=task.department,
            due_at=task.due_at.isoformat() if task.due_at else None,
            action="approve" if node.is_decision else "handle",
        )
    return Message(
        key=f"{instance.business_key}/{seq}/{kind}",
        event=kind,
        recipients=tuple(dict.fromkeys(p for p in people if p)),
        task=task,
        data=data,
    )
