"""The review dashboard's drawings (MTR-4): the trend's line chart (gaps for months without
a value, its axes), the heat levels of a node's median against its limit, and the heat map
on a built-in process's diagram."""

from __future__ import annotations

from oaflow.domain.loader import load_definition
from oaflow.domain.text import Text
from oaflow.present import heatmap, line_chart
from oaflow.processes import builtin_source
from oaflow.services.review import Heatmap, NodeHeat, level_of


def test_a_line_leaves_a_gap_where_a_month_has_no_value() -> None:
    months = ["2024-01", "2024-02", "2024-03", "2024-04"]
    drawn = line_chart.chart(
        months, [line_chart.Series("客户投诉", (0.5, None, 1.0, 0.75))], "share"
    )
    (line,) = drawn.lines
    assert len(line.paths) == 2 and [p.value for p in line.points] == ["50.0%", "100.0%", "75.0%"]
    assert [label for _, label in drawn.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    top, bottom = drawn.top, drawn.bottom
    assert line.points[1].y == top and line.points[0].y == (top + bottom) // 2
    assert [label for _, label in drawn.months] == months
    counts = line_chart.chart(months, [line_chart.Series("a", (0, 3, 7, 1))], "count")
    assert counts.ticks[-1][1] == "8" and counts.lines[0].points[2].value == "7"
    days = line_chart.chart(months, [line_chart.Series("a", (0.26, None, None, None))], "days")
    assert days.ticks[-1][1] == "0.3" and days.lines[0].points[0].value == "0.26"


def test_the_heat_of_a_median_against_its_limit() -> None:
    assert [level_of(r, 1.0) for r in (0.2, 0.5, 0.8, 1.0, 1.49, 1.5)] == [
        "quick", "fair", "tight", "late", "late", "very_late",
    ]  # fmt: skip
    assert (level_of(None, 3.0), level_of(None, None)) == ("no_limit", "no_data")


def test_the_heat_map_colours_the_nodes_on_the_diagram_and_says_it_in_words() -> None:
    definition = load_definition(*builtin_source("customer-complaint"))
    handle = NodeHeat(
        "handle", Text("原因分析与处理"), 6, "working", 60.0, 70.0, 48.0, 1.25, "late"
    )
    drawn = heatmap.heat_chart(
        definition, Heatmap("customer-complaint", Text("客户投诉"), (handle,)), "zh"
    )
    assert drawn.node_states["handle"] == "heat-late"
    assert drawn.node_states["triage"] == "heat-no_data"  # nothing finished there
    box = next(b for b in drawn.chart.boxes if b.id == "handle")
    assert box.lines == ("原因分析与处理", "中位 60 工时 · 125%", "时限 48 工时 · 6 个任务")
    assert [row[0] for row in drawn.legend][:5] == [
        "heat-quick", "heat-fair", "heat-tight", "heat-late", "heat-very_late",
    ]  # fmt: skip
