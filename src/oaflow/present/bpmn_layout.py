"""Where each node and arrow of a definition goes in its BPMN diagram (DEF-1): left to right,
one column per step of the flow (the rows of the SVG flowchart, ``flowchart.rows_of``, turned
on their side), the nodes of a column centred on each other; arrows leave a node on its
right and enter the next on its left, a gateway's branches leave from its top or bottom
corner, and arrows going back run below the whole diagram."""

from __future__ import annotations

from dataclasses import dataclass

from oaflow.domain.definition import NodeType, ProcessDefinition
from oaflow.present.flowchart import rows_of

TASK_W, TASK_H = 120, 80
EVENT = 36
GATEWAY = 50
COLUMN = 180  # from one column's left edge to the next
ROW = 120  # from one node's centre to the next below it
MARGIN = 40
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
    placed: dict[str, Bounds] = {}
    for column, ids in columns.items():
        top = MARGIN + (tallest - len(ids)) * ROW // 2
        for index, node_id in enumerate(ids):
            node_type = d.node(node_id).type
            width, height = size_of(node_type)
            cx = MARGIN + column * COLUMN + TASK_W // 2
            cy = top + index * ROW + TASK_H // 2
            gateway = node_type in _GATEWAYS
            placed[node_id] = Bounds(cx - width // 2, cy - height // 2, width, height, gateway)
    return placed


class Router:
    """The waypoints of arrows; arrows going back each get their own track below."""

    def __init__(self, placed: dict[str, Bounds]) -> None:
        self.floor = max((b.bottom for b in placed.values()), default=0) + 30
        self.back = 0

    def waypoints(self, source: Bounds, target: Bounds) -> list[Point]:
        if target.x <= source.x:
            return self._back(source, target)
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

    def _back(self, source: Bounds, target: Bounds) -> list[Point]:
        track = self.floor + self.back * 16
        self.back += 1
        return [
            (source.cx, source.bottom),
            (source.cx, track),
            (target.cx, track),
            (target.cx, target.bottom),
        ]
