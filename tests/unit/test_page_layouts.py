"""The Gantt and flowchart layouts the pages draw, and form texts made into typed values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from oaflow.domain.definition import FormField
from oaflow.domain.forms import check_values, from_form_text
from oaflow.domain.loader import load_definition
from oaflow.domain.text import Text
from oaflow.present import flowchart, gantt
from oaflow.processes import builtin_source

NOW = datetime(2024, 3, 20, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def load_builtin(key: str):  # type: ignore[no-untyped-def]
    return load_definition(*builtin_source(key))


def span(label: str, start: int, planned: int, ended: int | None, **kw: object) -> gantt.Span:
    return gantt.Span(label, "", NOW + start * DAY, NOW + planned * DAY,
                      None if ended is None else NOW + ended * DAY, ended is None, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_gantt_kinds_and_positions() -> None:
    chart = gantt.chart(
        [
            span("on time", -10, -6, -7),
            span("late", -8, -5, -3),
            span("open", -2, 3, None),
            span("open, past due", -6, -1, None),
            gantt.Span(
                "not reached", "", None, NOW + 5 * DAY, None, False, reached=False, milestone=True
            ),
        ],
        NOW,
        "Asia/Shanghai",
    )
    kinds = [b.kind for b in chart.bars]
    assert kinds == ["done", "late", "current", "overdue", "pending"]
    on_time, late, current, _, pending = chart.bars
    assert on_time.real_x is not None and late.real_x is not None
    assert on_time.real_x < late.real_x < chart.today_x  # type: ignore[operator]
    assert current.real_x + current.real_w == chart.today_x  # type: ignore[operator]
    assert pending.real_x is None and pending.milestone_x is not None
    assert pending.milestone_x > chart.today_x  # type: ignore[operator]
    assert all(gantt.LABEL_W <= x <= gantt.LABEL_W + gantt.CHART_W for x, _ in chart.ticks)
    assert [b.y for b in chart.bars] == sorted(b.y for b in chart.bars)


def test_gantt_ticks_by_day_week_or_month() -> None:
    short = gantt.chart([span("a", -3, 3, None)], NOW, "Asia/Shanghai")
    long = gantt.chart([span("a", -200, 30, None)], NOW, "Asia/Shanghai")
    assert len(short.ticks) >= 5 and all("-" in t for _, t in short.ticks)
    assert all(len(t) == 7 for _, t in long.ticks)  # 2024-01: months


def test_flowchart_rows_follow_the_flow_and_returns_go_back() -> None:
    complaint = load_builtin("customer-complaint")
    rows = flowchart.rows_of(complaint)
    assert rows["register"] < rows["triage"] < rows["handle"] < rows["review"] < rows["end"]
    chart = flowchart.layout(complaint, "zh")
    back = [a for a in chart.arrows if a.back]
    assert [(a.source, a.target) for a in back] == [("review", "handle")]
    assert back[0].label == "驳回"
    boxes = {b.id: b for b in chart.boxes}
    assert boxes["triage"].lines[0] == "投诉受理确认"
    assert all(b.x >= 0 and b.x + flowchart.BOX_W <= chart.width for b in chart.boxes)


def test_parallel_branches_share_a_row() -> None:
    launch = load_builtin("new-product-launch")
    rows = flowchart.rows_of(launch)
    assert rows["legal_review"] == rows["sales_training"]
    assert rows["join"] == rows["legal_review"] + 1


def field(name: str, kind: str, **kw: object) -> FormField:
    return FormField(name, kind, Text(name), **kw)  # type: ignore[arg-type]


def test_form_texts_become_typed_values() -> None:
    assert from_form_text(field("n", "number"), ["2,000,000"]) == 2_000_000
    assert from_form_text(field("n", "number"), ["0.25"]) == 0.25
    assert from_form_text(field("n", "integer"), ["2.5"]) == "2.5"  # stays a text: refused
    assert from_form_text(field("b", "boolean"), []) is False
    assert from_form_text(field("b", "boolean"), ["true"]) is True
    assert from_form_text(field("d", "departments"), ["fin", " ", "itd"]) == ["fin", "itd"]
    assert from_form_text(field("d", "datetime"), ["2031-03-01 18:00"]) == "2031-03-01T18:00"
    assert from_form_text(field("s", "string"), ["  "]) is None
    nodes = from_form_text(
        field("key_nodes", "list"), ["需求确认, 2024-03-15, mkt\n评审，2024-04-01，rnd"]
    )
    assert nodes == [
        {"name": "需求确认", "date": "2024-03-15", "owner": "mkt"},
        {"name": "评审", "date": "2024-04-01", "owner": "rnd"},
    ]
    problems = check_values(
        [field("n", "integer")], {"n": from_form_text(field("n", "integer"), ["x"])}
    )
    assert [p.code for p in problems] == ["form.value.wrong_type"]
