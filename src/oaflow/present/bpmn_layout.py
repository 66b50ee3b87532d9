"""Where each node and arrow of a definition goes in its BPMN diagram (DEF-1): left to right,
one column per step of the flow (the rows of the SVG flowchart, ``flowchart.rows_of``, turned
on their side), the nodes of a column centred on each other; arrows leave a node on its
right and enter the next on its left, a gateway's branches leave from its top or bottom
corner, and arrows going back run below the whole diagram."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from oaflow.domain.definition import NodeType, ProcessDefinition
from oaflow.present.flowchart import rows_of

TASK_W, TASK_H = 120, 80
EVENT = 36
GATEWAY = 50
COLUMN = 180  # from one column's left edge to the next
ROW = 120  # from one node's centre to the next below it
MARGIN = 40
TRACK = 16  # between two arrows running above or below the diagram
_EVENTS = {NodeType.INITIATE, NodeType.END}
_GATEWAYS = {NodeType.EXCLUSIVE, NodeType.PARALLEL, NodeType.JOIN}

Point = tuple[int, int]


@dataclass(frozen=True)
class Bounds:
    x: int
    y: int
    width: int
    height: int
    gateway: bool = False

    @property
    def cx(self) -> int:
        return self.x + self.width // 2

    @property
    def cy(self) -> int:
        return self.y + self.height // 2

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height


def size_of(node_type: NodeType) -> tuple[int, int]:
    if node_type in _EVENTS:
        return EVENT, EVENT
    if node_type in _GATEWAYS:
        return GATEWAY, GATEWAY
    return TASK_W, TASK_H


def place_nodes(d: ProcessDefinition) -> dict[str, Bounds]:
    """The bounds of every node (those the start does not reach in a last column)."""
    rows = rows_of(d)
    last = max(rows.values(), default=-1) + 1
    columns: dict[int, list[str]] = {}
    for node_id in d.nodes:  # file order within a column
        columns.setdefault(rows.get(node_id, last), []).append(node_id)
    tallest = max((len(ids) for ids in columns.values()), default=1)
    skips = sum(
        1 for n in d.nodes for t in d.successors(n) if rows.get(t, last) - rows.get(n, last) > 1
    )
    placed: dict[str, Bounds] = {}
    for column, ids in columns.items():
        top = MARGIN + TRACK * skips + (tallest - len(ids)) * ROW // 2
        for index, node_id in enumerate(ids):
            node_type = d.node(node_id).type
            width, height = size_of(node_type)
            cx = MARGIN + column * COLUMN + TASK_W // 2
            cy = top + index * ROW + TASK_H // 2
            gateway = node_type in _GATEWAYS
            placed[node_id] = Bounds(cx - width // 2, cy - height // 2, width, height, gateway)
    return placed


class Router:
    """The waypoints of arrows. An arrow that would cross other nodes on its way forward
    runs above the diagram, an arrow going back below it, each on a track of its own."""

    def __init__(self, placed: dict[str, Bounds]) -> None:
        self.placed = list(placed.values())
        self.ceiling = min((b.y for b in self.placed), default=MARGIN) - 24
        self.floor = max((b.bottom for b in self.placed), default=0) + 40
        self.above = 0
        self.below = 0

    def waypoints(self, source: Bounds, target: Bounds) -> list[Point]:
        if target.x <= source.x:
            track = self.floor + self.below * TRACK
            self.below += 1
            return _around(source, target, track, source.bottom, target.bottom)
        if self._blocked(source, target):
            track = self.ceiling - self.above * TRACK
            self.above += 1
            return _around(source, target, track, source.y, target.y)
        if source.cy == target.cy:
            return [(source.right, source.cy), (target.x, target.cy)]
        if source.gateway:  # a branch leaves from the corner facing its target
            corner = source.y if target.cy < source.cy else source.bottom
            return [(source.cx, corner), (source.cx, target.cy), (target.x, target.cy)]
        if target.gateway:  # a branch enters a join from its top or bottom corner
            corner = target.y if source.cy < target.cy else target.bottom
            return [(source.right, source.cy), (target.cx, source.cy), (target.cx, corner)]
        middle = (source.right + target.x) // 2
        return [
            (source.right, source.cy),
            (middle, source.cy),
            (middle, target.cy),
            (target.x, target.cy),
        ]

    def _blocked(self, source: Bounds, target: Bounds) -> bool:
        """Whether a node lies between the two, in the band the arrow would run through."""
        low, high = min(source.cy, target.cy), max(source.cy, target.cy)
        return any(
            source.right < b.x and b.right < target.x and b.y <= high and b.bottom >= low
            for b in self.placed
        )


def _around(source: Bounds, target: Bounds, track: int, leave: int, enter: int) -> list[Point]:
    return [(source.cx, leave), (source.cx, track), (target.cx, track), (target.cx, enter)]


def label_of(points: list[Point], width: int = 96, height: int = 28) -> Bounds:
    """Where a flow's label goes: by the middle of its longest level stretch — above it,
    or below a track that runs under the diagram."""
    stretches = [(a, b) for a, b in itertools.pairwise(points) if a[1] == b[1]]
    if not stretches:
        x, y = points[0]
        return Bounds(x + 4, y, width, height)
    a, b = max(stretches, key=lambda s: abs(s[1][0] - s[0][0]))
    below = a[1] > points[0][1] and a[1] > points[-1][1]  # a track under the diagram
    y = a[1] + 2 if below else a[1] - height - 2
    return Bounds((a[0] + b[0]) // 2 - width // 2, y, width, height)
