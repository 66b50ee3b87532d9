"""Assignment policies of a task node (APR-3): nobody to assign, the initiator as approver,
the same approver twice in a row. Each decision is a history entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oaflow.domain.definition import Node
from oaflow.engine.assign import NobodyError, Party, resolve

if TYPE_CHECKING:
    from oaflow.engine.flow import Flow


def party_for(flow: Flow, node: Node) -> Party | None:
    """Who gets ``node``'s task; None when a policy passes the node without a task."""
    assert node.assignee is not None
    instance, org = flow.instance, flow.world.org
    try:
        party = resolve(node.assignee, node, instance, flow.world.definition, org)
    except NobodyError as error:
        if node.on_empty == "fail":
            raise
        if node.on_empty == "pass":
            flow.record("node_auto_passed", node.id, reason="empty", detail=error.message)
            return None
        admins = org.users_with_role("administrator")
        if not admins:
            raise
        flow.record("assigned_to_administrator", node.id, detail=error.message)
        return Party(None, admins[0])
    if not node.is_decision:
        flow.tokens.last_approver = None  # "in a row" means consecutive approvals
        return party
    chosen = _initiator_policy(flow, node, party)
    if chosen is not None and node.dedupe and _same_as_before(flow, chosen):
        flow.record("node_auto_passed", node.id, reason="same_approver", approver=chosen.assignee)
        return None
    return chosen


def _initiator_policy(flow: Flow, node: Node, party: Party) -> Party | None:
    initiator = flow.instance.initiator
    if party.assignee != initiator or not node.if_initiator:
        return party
    if node.if_initiator == "pass":
        flow.record("node_auto_passed", node.id, reason="initiator", approver=initiator)
        return None
    org, department = flow.world.org, flow.instance.department
    head = org.head_of(department)
    person = head if head and head != initiator else org.leader_of(department)
    if not person:
        raise NobodyError("assign.initiator_without_head", login=initiator)
    flow.record("sent_to_initiator_head", node.id, instead_of=initiator, to=person)
    return Party(department, person)


def _same_as_before(flow: Flow, party: Party) -> bool:
    last = flow.tokens.last_approver
    return bool(last) and party.assignee == last
