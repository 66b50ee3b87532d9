"""A definition laid out as a flowchart to draw as SVG (DEF-8, MON-1): the nodes in rows from
the start downwards (a node sits one row below the lowest of the nodes leading to it, so
parallel branches share a row), each box with its name, who is responsible and its time
limit; arrows between them, returns (loops back) dashed. Pure: the page draws it."""

from __future__ import annotations

from dataclasses import dataclass

from oaflow.domain.definition import NodeType, ProcessDefinition
from oaflow.domain.diagram import describe

BOX_W = 168
BOX_H = 64
GAP_X = 24
GAP_Y = 44
MARGIN = 16
RETURN_ROOM = 40  # right of the boxes: where arrows go back up
ROUND = {NodeType.INITIATE, NodeType.END}
DIAMOND = {NodeType.EXCLUSIVE, NodeType.PARALLEL, NodeType.JOIN}


@dataclass(frozen=True)
class Box:
    id: str
    type: str
    x: int
    y: int
    lines: tuple[str, ...]  # name, who, limit
    shape: str  # "round", "diamond" or "box"

    @property
    def cx(self) -> int:
        return self.x + BOX_W // 2


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    path: str  # SVG path data
    label: str
    back: bool  # a return to an earlier row (dashed)
    label_x: int = 0
    label_y: int = 0


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]


def rows_of(d: ProcessDefinition) -> dict[str, int]:
    """Each reachable node's row: one below the lowest row of the nodes leading to it,
    ignoring arrows that go back (found by a depth-first walk from the start)."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1: on the walk, 2: done
    order: list[str] = []

    def walk(node_id: str) -> None:
        state[node_id] = 1
        for target in d.successors(node_id):
            if target not in d.nodes:
                continue
            if state.get(target) == 1:
                back.add((node_id, target))
            elif target not in state:
                walk(target)
        state[node_id] = 2
        order.append(node_id)

    walk(d.start.id)
    rows = {node_id: 0 for node_id in order}
    for node_id in reversed(order):  # topological order without the back arrows
        for target in d.successors(node_id):
            if target in rows and (node_id, target) not in back:
                rows[target] = max(rows[target], rows[node_id] + 1)
    return rows


def layout(d: ProcessDefinition, lang: str = "zh") -> Chart:
    rows = rows_of(d)
    by_row: dict[int, list[str]] = {}
    for node_id in d.nodes:  # file order within a row
        if node_id in rows:
            by_row.setdefault(rows[node_id], []).append(node_id)
    widest = max((len(ids) for ids in by_row.values()), default=1)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X + RETURN_ROOM
    boxes: dict[str, Box] = {}
    for row, ids in sorted(by_row.items()):
        used = len(ids) * BOX_W + (len(ids) - 1) * GAP_X
        left = (width - RETURN_ROOM - used) // 2
        for i, node_id in enumerate(ids):
            node = d.node(node_id)
            x = left + i * (BOX_W + GAP_X)
            y = MARGIN + row * (BOX_H + GAP_Y)
            shape = "round" if node.type in ROUND else "diamond" if node.type in DIAMOND else "box"
            boxes[node_id] = Box(node_id, node.type.value, x, y, _lines(d, node_id, lang), shape)
    height = MARGIN * 2 + (max(by_row, default=0) + 1) * (BOX_H + GAP_Y) - GAP_Y
    arrows = [a for node_id in boxes for a in _arrows(d, node_id, boxes, lang)]
    return Chart(width, height, tuple(boxes.values()), tuple(arrows))


def _lines(d: ProcessDefinition, node_id: str, lang: str) -> tuple[str, ...]:
    node = d.node(node_id)
    who = describe(node.assignee, lang) if node.assignee is not None else ""
    if node.type is NodeType.MULTI_INSTANCE and node.over is not None:
        who = "每个部门" if lang == "zh" else "each department"
    limit = ""
    if node.time_limit is not None:
        unit = "工时" if lang == "zh" else "working h"
        if node.time_limit.basis == "calendar":
            unit = "小时" if lang == "zh" else "h"
        limit = f"{node.time_limit.hours:g} {unit}"
    return tuple(_short(p) for p in (node.name.get(lang), who, limit) if p)


def _short(text: str, most: int = 18) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _arrows(d: ProcessDefinition, node_id: str, boxes: dict[str, Box], lang: str) -> list[Arrow]:
    node = d.node(node_id)
    source = boxes[node_id]
    labels = {r.to: (r.when.text if r.when is not None else ("默认" if lang == "zh" else "default"))
              for r in node.routes}  # fmt: skip
    found = []
    targets = list(d.successors(node_id))
    if node.on_reject not in ("end", "") and node.on_reject in boxes:
        targets.append(node.on_reject)
    for target_id in dict.fromkeys(targets):
        target = boxes.get(target_id)
        if target is None:
            continue
        rejecting = target_id == node.on_reject and target_id not in d.successors(node_id)
        label = ("驳回" if lang == "zh" else "rejected") if rejecting else labels.get(target_id, "")
        if target.y > source.y:
            x1, y1 = source.cx, source.y + BOX_H
            x2, y2 = target.cx, target.y
            middle = (y1 + y2) // 2
            path = f"M{x1},{y1} C{x1},{middle} {x2},{middle} {x2},{y2 - 2}"
            found.append(
                Arrow(node_id, target_id, path, _short(label, 14), False, (x1 + x2) // 2, middle)
            )
        else:  # back to an earlier row: around the right side
            x1, y1 = source.x + BOX_W, source.y + BOX_H // 2
            x2, y2 = target.x + BOX_W, target.y + BOX_H // 2
            bend = max(x1, x2) + GAP_X
            path = f"M{x1},{y1} C{bend},{y1} {bend},{y2} {x2 + 2},{y2}"
            found.append(
                Arrow(node_id, target_id, path, _short(label, 14), True, bend, (y1 + y2) // 2)
            )
    return found
