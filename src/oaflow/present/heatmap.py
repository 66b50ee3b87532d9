"""The review's heat map (MTR-4): the process diagram (present/flowchart.py) with each task
node coloured by how much of its time limit its median duration took in the period, and
saying it in words inside the box (median, share of the limit, the limit) — the colour is
never alone. Pure: the page draws it with the diagram's own template."""

from __future__ import annotations

from dataclasses import dataclass, replace

from oaflow.domain.definition import ProcessDefinition
from oaflow.present import flowchart
from oaflow.services.review import HEAT_BOUNDS, HEAT_OVER, NO_DATA, NO_LIMIT, Heatmap, NodeHeat

#: the levels from cool to hot, then the two without a share
LEVELS = (*(name for name, _ in HEAT_BOUNDS), HEAT_OVER, NO_LIMIT, NO_DATA)


@dataclass(frozen=True)
class HeatChart:
    chart: flowchart.Chart
    node_states: dict[str, str]  # node id → heat-<level> (the diagram's state classes)
    legend: tuple[tuple[str, str, str], ...]  # (state, mark, word) rows of the legend


def heat_chart(definition: ProcessDefinition, heat: Heatmap, lang: str) -> HeatChart:
    """``definition``'s diagram with the heat of ``heat``'s nodes."""
    drawn = flowchart.layout(definition, lang)
    found = {n.node: n for n in heat.nodes}
    boxes, states = [], {}
    for box in drawn.boxes:
        node = found.get(box.id)
        if node is None and box.shape != "box":  # start, end, a gateway: no work of its own
            boxes.append(box)
            continue
        level = node.level if node else NO_DATA
        states[box.id] = f"heat-{level}"
        boxes.append(replace(box, lines=(box.lines[0], *lines_of(node, lang))))
    legend = tuple((f"heat-{level}", "■", f"rv_heat_{level}") for level in LEVELS)
    return HeatChart(replace(drawn, boxes=tuple(boxes)), states, legend)


def lines_of(node: NodeHeat | None, lang: str) -> tuple[str, ...]:
    """The two lines under a node's name: its median (and its share of the limit), and
    its limit; or that nothing finished."""
    zh = lang == "zh"
    if node is None or node.median_hours is None:
        return ("本期无完成的任务" if zh else "nothing finished",)
    calendar = node.basis == "calendar" and node.limit_hours is not None
    unit = ("小时" if calendar else "工时") if zh else "h"  # English: the legend says which
    median = f"{'中位' if zh else 'median'} {hours(node.median_hours)} {unit}"
    if node.ratio is not None:
        median += f" · {node.ratio:.0%}"
    limit = (
        f"{'时限' if zh else 'limit'} {hours(node.limit_hours)} {unit}"
        if node.limit_hours is not None
        else ("无时限" if zh else "no limit")
    )
    return (median, f"{limit} · {node.tasks} {'个任务' if zh else 'tasks'}")


def hours(value: float) -> str:
    """Hours as few digits as say them: 4, 3.5, 0.25."""
    return f"{round(value, 2):g}"
