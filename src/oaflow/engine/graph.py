"""Graph facts about a definition, computed once per definition."""

from __future__ import annotations

from functools import cache

from oaflow.domain.definition import ProcessDefinition


@cache
def predecessors(definition: ProcessDefinition, node_id: str) -> frozenset[str]:
    return frozenset(n for n in definition.nodes if node_id in definition.successors(n))


@cache
def downstream(definition: ProcessDefinition, node_id: str) -> frozenset[str]:
    """Every node reachable from ``node_id``, itself included."""
    seen = {node_id}
    stack = [node_id]
    while stack:
        for nxt in definition.successors(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return frozenset(seen)


@cache
def upstream(definition: ProcessDefinition, node_id: str) -> frozenset[str]:
    """Every node from which ``node_id`` can be reached (not itself unless on a loop)."""
    return frozenset(
        n for n in definition.nodes if node_id in downstream(definition, n) and n != node_id
    )
