"""Evaluate gateways and decision tables over an instance's data (DEF-5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oaflow.domain.definition import DecisionTable, Node
from oaflow.domain.errors import InputError


def decide_table(table: DecisionTable, context: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """First-hit gives at most one row's ``then``; collect gives every matching row's."""
    hits: list[Mapping[str, Any]] = []
    for rule in table.rules:
        if rule.when.evaluate(context):
            hits.append(rule.then)
            if table.hit == "first":
                return hits
    if not hits and table.default is not None:
        hits.append(table.default)
    return hits


def choose_route(
    node: Node, tables: Mapping[str, DecisionTable], context: Mapping[str, Any]
) -> str:
    """The node an exclusive gateway leads to."""
    if node.decision:
        hits = decide_table(tables[node.decision], context)
        target = hits[0].get("to") if hits else None
        if isinstance(target, str):
            return target
    for route in node.routes:
        if route.when is not None and route.when.evaluate(context):
            return route.to
    default = next((r.to for r in node.routes if r.when is None), None)
    if default is None:
        raise InputError("flow.no_route", node=node.id)
    return default
