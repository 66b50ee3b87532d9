"""Places in a definition that problems name (``node `a```, ```when`` of a route of …``),
as faults of the catalogue so that each says itself in Chinese or in English.

A place is a ``Fault`` of a ``definition.place.*`` code, or a plain text for what reads the
same in both languages (a key in backticks such as ```form```).
"""

from __future__ import annotations

from oaflow.domain.errors import Fault, fault

Place = Fault | str

TOP = fault("definition.place.top")
DEFINITION = fault("definition.place.definition")
A_NODE = fault("definition.place.a_node")


def node(node_id: str) -> Fault:
    return fault("definition.place.node", node=node_id)


def gateway(node_id: str) -> Fault:
    return fault("definition.place.gateway", node=node_id)


def table(name: str) -> Fault:
    return fault("definition.place.table", table=name)


def key_of(key: str, of: Place) -> Fault:
    """```key`` of …`` (the value under ``key``)."""
    return fault("definition.place.key_of", key=key, of=of)


def rule_of(of: Place) -> Fault:
    return fault("definition.place.rule_of", of=of)


def route_of(of: Place) -> Fault:
    return fault("definition.place.route_of", of=of)


def field_of(of: Place) -> Fault:
    return fault("definition.place.field_of", of=of)


def named_field_of(name: str, of: Place) -> Fault:
    return fault("definition.place.named_field_of", field=name, of=of)


def outputs_of(of: Place) -> Fault:
    return fault("definition.place.outputs_of", of=of)


def assignee_of(of: Place) -> Fault:
    return fault("definition.place.assignee_of", of=of)


def recipient_of(of: Place) -> Fault:
    return fault("definition.place.recipient_of", of=of)


def level_of(of: Place) -> Fault:
    return fault("definition.place.level_of", of=of)


def escalation_of(node_id: str) -> Fault:
    return fault("definition.place.escalation_of", node=node_id)
