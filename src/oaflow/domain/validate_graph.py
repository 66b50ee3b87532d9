"""Graph checks of a definition: reachability, dead ends, parallel/join balance, returns
(``on_reject``) and compliance policies (DEF-6, DEF-7)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from oaflow.domain.definition import DecisionTable, Node, NodeType, ProcessDefinition
from oaflow.domain.errors import Problem, problem
from oaflow.domain.wording import Either


@dataclass(frozen=True)
class Finding:
    """A problem and what it is about, so that follow-up problems can be left out.

    ``node``: the node it is about; ``absent``: the node key whose absence it reports;
    ``ref``: the unknown node it reports; ``graph``: it depends on every node and link
    having been read.
    """

    problem: Problem
    node: str = ""
    absent: str = ""
    ref: str = ""
    graph: bool = False


def table_results(table: DecisionTable) -> list[tuple[Mapping[str, Any], int | None]]:
    """Every `then` of a decision table (its default last), with its line."""
    found = [(r.then, r.line) for r in table.rules]
    return found + ([(table.default, table.line)] if table.default is not None else [])


def table_targets(d: ProcessDefinition, node: Node) -> list[tuple[str, int | None]]:
    """The `to` nodes of the decision table that routes gateway ``node``, with lines."""
    table = d.decision_tables.get(node.decision) if node.decision else None
    if table is None:
        return []
    found = [(then.get("to"), line) for then, line in table_results(table)]
    return [(to, line) for to, line in found if isinstance(to, str)]


@dataclass
class Graph:
    """Known links of a definition (links to unknown nodes are left out).

    ``edges`` are the ways forward (`next`, routes, decision tables); ``returns`` the way
    back a rejection takes (`on_reject`), which also reaches a node (a revise step).
    """

    d: ProcessDefinition
    edges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    returns: dict[str, str] = field(default_factory=dict)
    open_ends: set[str] = field(default_factory=set)  # nodes with a link to an unknown node

    @classmethod
    def of(cls, d: ProcessDefinition) -> Graph:
        graph = cls(d)
        for node in d.nodes.values():
            targets = (*d.successors(node.id), *(t for t, _ in table_targets(d, node)))
            graph.edges[node.id] = tuple(t for t in dict.fromkeys(targets) if t in d.nodes)
            if any(t not in d.nodes for t in targets):
                graph.open_ends.add(node.id)
            if node.on_reject in d.nodes:
                graph.returns[node.id] = node.on_reject
        return graph

    def reach(
        self, starts: Iterable[str], stop: Iterable[str] = (), returns: bool = False
    ) -> set[str]:
        """Nodes reachable from ``starts``, not walking past the nodes in ``stop``; with
        ``returns``, rejections (`on_reject`) are ways too."""
        stopped, seen, todo = set(stop), set(), list(starts)
        while todo:
            node_id = todo.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            if node_id not in stopped:
                todo.extend(self.edges.get(node_id, ()))
                if returns and node_id in self.returns:
                    todo.append(self.returns[node_id])
        return seen

    def predecessors(self, node_id: str) -> list[str]:
        return [source for source, targets in self.edges.items() if node_id in targets]


def graph_findings(d: ProcessDefinition, policies: Mapping[str, tuple[str, ...]]) -> list[Finding]:
    if not d.nodes:
        return []
    graph = Graph.of(d)
    found = [*_unreachable(graph), *_dead_ends(graph), *_returns(graph)]
    found += [*_balance(graph), *_policies(graph, policies)]
    return found


def _finding(d: ProcessDefinition, node: Node, code: str, **params: Any) -> Finding:
    found = problem(code, d.file, node.line, node=node.id, **params)
    return Finding(found, node=node.id, graph=True)


def _unreachable(graph: Graph) -> Iterator[Finding]:
    start = graph.d.start.id
    reached = graph.reach([start], returns=True)
    for node in graph.d.nodes.values():
        if node.id not in reached:
            yield _finding(graph.d, node, "definition.node.unreachable", start=start)


def _dead_ends(graph: Graph) -> Iterator[Finding]:
    d = graph.d
    ends = [n.id for n in d.nodes.values() if n.type is NodeType.END]
    if not ends:
        yield Finding(problem("definition.graph.no_end", d.file, d.start.line), graph=True)
    finishing = _can_finish(graph, ends)
    reached = graph.reach([d.start.id], returns=True)
    for node in d.nodes.values():
        if node.type is NodeType.END or node.id in graph.open_ends:
            continue
        if not graph.edges[node.id]:
            yield _finding(d, node, "definition.node.dead_end")
        elif ends and node.id in reached and node.id not in finishing:
            yield _finding(d, node, "definition.node.endless_loop")


def _can_finish(graph: Graph, ends: list[str]) -> set[str]:
    """Nodes from which some path reaches an end (or an unknown node, already reported)."""
    finishing, todo = set(), [*ends, *graph.open_ends]
    while todo:
        node_id = todo.pop()
        if node_id not in finishing:
            finishing.add(node_id)
            todo.extend(graph.predecessors(node_id))
    return finishing


def _returns(graph: Graph) -> Iterator[Finding]:
    """``on_reject`` must name a node before this one (from which this one is reached)."""
    d = graph.d
    for node in d.nodes.values():
        target = d.nodes.get(node.on_reject)
        if node.on_reject == "end" or target is None:
            continue
        upstream = target.id != node.id and node.id in graph.reach([target.id])
        if target.type is NodeType.END or not upstream:
            yield _finding(d, node, "definition.node.returns_forward", target=target.id)


# --- parallel / join ---------------------------------------------------------------------


@dataclass
class _Branch:
    joins: set[str] = field(default_factory=set)
    ends: set[str] = field(default_factory=set)
    inside: set[str] = field(default_factory=set)


def _walk_branch(graph: Graph, first: str) -> _Branch:
    """Follow a branch to the join that closes it, stepping over nested parallel/join pairs."""
    branch, seen, todo = _Branch(), set(), [(first, 0)]
    limit = len(graph.d.nodes)
    while todo:
        node_id, depth = todo.pop()
        if (node_id, depth) in seen or depth > limit:
            continue
        seen.add((node_id, depth))
        node_type = graph.d.nodes[node_id].type
        if node_type is NodeType.JOIN and depth == 0:
            branch.joins.add(node_id)
            continue
        if node_type is NodeType.END:
            branch.ends.add(node_id)
            continue
        depth += {NodeType.PARALLEL: 1, NodeType.JOIN: -1}.get(node_type, 0)
        branch.inside.add(node_id)
        todo.extend((target, depth) for target in graph.edges[node_id])
    return branch


def _balance(graph: Graph) -> Iterator[Finding]:
    d, closed_by = graph.d, dict[str, list[str]]()
    for node in d.nodes.values():
        if node.type is NodeType.PARALLEL and node.id not in graph.open_ends:
            branches = [_walk_branch(graph, first) for first in graph.edges[node.id]]
            yield from _parallel(graph, node, branches, closed_by)
    for node in d.nodes.values():
        openers = closed_by.get(node.id, [])
        if node.type is NodeType.JOIN and not openers:
            yield _finding(d, node, "definition.join.not_opened")
        elif len(openers) > 1:
            yield _finding(d, node, "definition.join.closes_several", openers=", ".join(openers))


def _parallel(
    graph: Graph, node: Node, branches: list[_Branch], closed_by: dict[str, list[str]]
) -> Iterator[Finding]:
    d, joins = graph.d, set().union(*(b.joins for b in branches)) if branches else set()
    if not joins:
        yield _finding(d, node, "definition.parallel.no_join")
        return
    if len(joins) > 1:
        yield _finding(d, node, "definition.parallel.several_joins", joins=", ".join(sorted(joins)))
        return
    join = joins.pop()
    closed_by.setdefault(join, []).append(node.id)
    yield from _leaks(graph, node, join, branches)


def _leaks(graph: Graph, node: Node, join: str, branches: list[_Branch]) -> Iterator[Finding]:
    d = graph.d
    for first, branch in zip(graph.edges[node.id], branches, strict=True):
        if branch.ends:
            yield _finding(
                d,
                node,
                "definition.parallel.branch_ends",
                branch=first,
                end=sorted(branch.ends)[0],
                join=join,
            )
        elif not branch.joins:
            yield _finding(
                d, node, "definition.parallel.branch_misses_join", branch=first, join=join
            )
    inside = set().union(*(b.inside for b in branches), {node.id})
    for source in graph.predecessors(join):
        if source not in inside:
            yield _finding(
                d, d.nodes[join], "definition.join.entered_outside", source=source, parallel=node.id
            )


# --- policies (DEF-7) --------------------------------------------------------------------


def _policies(graph: Graph, policies: Mapping[str, tuple[str, ...]]) -> Iterator[Finding]:
    for tag in graph.d.tags:
        if tag in policies:
            yield from _policy(graph, tag, policies[tag])


def _approves(node: Node, departments: tuple[str, ...]) -> bool:
    a = node.assignee
    if node.type is not NodeType.APPROVAL or a is None:
        return False
    if a.kind == "department":
        return a.department in departments
    return a.kind in ("head_of", "leader_of") and a.relative_to in departments


def _handles(node: Node) -> bool:
    if node.type is NodeType.MULTI_INSTANCE:
        return node.task is NodeType.HANDLE
    return node.type is NodeType.HANDLE


def _policy(graph: Graph, tag: str, departments: tuple[str, ...]) -> Iterator[Finding]:
    d = graph.d
    gates = [n.id for n in d.nodes.values() if _approves(n, departments)]
    reached = graph.reach([d.start.id], stop=gates, returns=True)
    for node_id in sorted(reached, key=list(d.nodes).index):
        node = d.nodes[node_id]
        if _handles(node) and node_id not in gates:
            yield _finding(
                d,
                node,
                "definition.policy.no_approval",
                departments=Either(departments),
                first=departments[0],
                tag=tag,
            )
