"""Exception records (EXC-1): the pattern of their codes, and opening one by hand.

Overdue tasks open one automatically (``engine/checks.py``); the initiating or the
responsible department may open one on a node that has a task ("or by hand", EXC-2).
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from oaflow.domain.errors import ForbiddenError, InputError, NotFoundError
from oaflow.domain.ids import KeyScope, key_scope
from oaflow.domain.model import Decision, ExceptionOpening, InstanceRecord, TaskRecord, World
from oaflow.engine.flow import Flow, refuse_going_back

#: the codes of exception records: ABN, year, month and a number counting per month
EXCEPTION_KEY = "ABN{yyyy}{MM}{seq:02}"


def exception_scope(world: World) -> KeyScope:
    """The code pattern of an exception opened now (its number is given when it is written)."""
    return key_scope(EXCEPTION_KEY, world.now.astimezone(ZoneInfo(world.calendar.tz)))


def open_by_hand(
    world: World,
    instance: InstanceRecord,
    tasks: Sequence[TaskRecord],
    node_id: str,
    actor: str,
    description: str,
) -> Decision:
    """``actor`` opens an exception on ``node_id``'s latest task of ``instance``."""
    refuse_going_back(world, instance, None)
    if not description.strip():
        raise InputError("exception.no_description")
    if node_id not in world.definition.nodes:
        nodes = list(world.definition.nodes)
        raise NotFoundError(
            "exception.no_such_node", business_key=instance.business_key, node=node_id, nodes=nodes
        )
    task = _latest_task(instance, tasks, node_id)
    departments = set(world.org.users[actor].departments)
    if not departments & {instance.department, task.department or ""}:
        raise ForbiddenError("exception.not_concerned", login=actor)
    flow = Flow(world, instance, [task])
    opening = ExceptionOpening(task, node_id, description, exception_scope(world), actor)
    flow.decision.exceptions.append(opening)
    flow.changed(task)
    flow.record("exception_opened", node_id, task, actor, description=description)
    return flow.decided()


def _latest_task(instance: InstanceRecord, tasks: Sequence[TaskRecord], node_id: str) -> TaskRecord:
    found = [t for t in tasks if t.node_id == node_id]
    if not found:
        raise InputError(
            "exception.node_not_reached", business_key=instance.business_key, node=node_id
        )
    return found[-1]
