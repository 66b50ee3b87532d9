"""The engine's decisions on a service node's call (INT-2): answered by the other system
(the node passes and the instance moves on), skipped by an administrator with a reason
(the node passes; the history says why), or an incident opened after the last failed
attempt (the instance keeps waiting). Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable

from oaflow.domain.definition import NodeType
from oaflow.domain.errors import ConflictError
from oaflow.domain.model import Decision, InstanceRecord, TaskRecord, World
from oaflow.domain.states import InstanceState
from oaflow.engine.flow import Flow
from oaflow.engine.service_nodes import pass_service


def answered(
    world: World,
    instance: InstanceRecord,
    open_tasks: Iterable[TaskRecord],
    node_id: str,
    reference: str,
    attempts: int,
) -> Decision:
    """The other system accepted the call of ``node_id``: the node passes."""
    flow = _flow(world, instance, open_tasks, node_id)
    flow.record("service_called", node_id, reference=reference, attempts=attempts)
    pass_service(flow, world.definition.node(node_id))
    return flow.decided()


def skipped(
    world: World,
    instance: InstanceRecord,
    open_tasks: Iterable[TaskRecord],
    node_id: str,
    actor: str,
    reason: str,
) -> Decision:
    """An administrator skips the call of ``node_id`` with ``reason``: the node passes."""
    flow = _flow(world, instance, open_tasks, node_id)
    flow.record("service_skipped", node_id, actor=actor, reason=reason)
    pass_service(flow, world.definition.node(node_id))
    return flow.decided()


def incident(
    world: World, instance: InstanceRecord, node_id: str, error: str, attempts: int
) -> Decision:
    """The call of ``node_id`` failed for the last time: the history says so."""
    flow = _flow(world, instance, (), node_id)
    flow.record("service_incident", node_id, error=error, attempts=attempts)
    return flow.decided()


def _flow(
    world: World, instance: InstanceRecord, open_tasks: Iterable[TaskRecord], node_id: str
) -> Flow:
    node = world.definition.node(node_id)
    if node.type is not NodeType.SERVICE or instance.state is not InstanceState.RUNNING:
        raise ConflictError("service.not_waiting", business_key=instance.business_key, node=node_id)
    return Flow(world, instance, open_tasks)
