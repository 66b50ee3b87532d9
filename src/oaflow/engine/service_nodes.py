"""Entering a service node (INT-2, ARC-2): a node with a ``service`` opens a call to the
other system and the instance waits there; a node with only a ``ledger`` writes its rows
and passes. The call is answered, skipped or cancelled later (``engine/calls.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oaflow.domain.definition import Node, NodeType, ProcessDefinition
from oaflow.domain.integration import ServiceCallOpening, ledger_entries, payload_of
from oaflow.engine.assign import context_of

if TYPE_CHECKING:
    from oaflow.engine.flow import Flow


def enter_service(flow: Flow, node: Node) -> None:
    """Open the node's call (the instance waits), or pass it when it has none."""
    if not node.service:
        pass_service(flow, node)
        return
    instance = flow.instance
    round_ = flow.round_of(node.id)
    definition = flow.world.definition
    payload = payload_of(
        instance.definition_key,
        instance.business_key,
        node.id,
        instance.data,
        definition.sensitive_fields(),
        node.send,
    )
    key = f"{instance.business_key}:{node.id}:{round_}"
    flow.decision.service_calls.append(
        ServiceCallOpening(node.id, round_, node.service, key, payload)
    )
    flow.record("service_call_opened", node.id, service=node.service, idempotency_key=key)


def pass_service(flow: Flow, node: Node) -> None:
    """The node passes: its ledger rows are written with the decision, then on."""
    if node.ledger is not None:
        rows = ledger_entries(node.ledger, context_of(flow.instance), node.id)
        flow.decision.ledger_entries += rows
        period = rows[0].period if rows else ""
        flow.record(
            "ledger_updated", node.id, ledger=node.ledger.name, rows=len(rows), period=period
        )
    flow.leave(node)


def calling_nodes(definition: ProcessDefinition, among: frozenset[str] | None = None) -> list[str]:
    """The service nodes that call another system (of ``among``, when given): those whose
    open calls end when the instance ends or goes back before them."""
    return [
        n.id
        for n in definition.nodes.values()
        if n.type is NodeType.SERVICE and n.service and (among is None or n.id in among)
    ]
