"""The completion forecast (domain/forecast.py) on a crafted graph whose answers are worked
out by hand: a gateway decided and not, parallel branches, an open node half done and one
past its median, limits as the fallback, the deadline with and without planned dates."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.definition import Node, NodeType, ProcessDefinition, Route, TimeLimit
from oaflow.domain.expressions import compile_expression
from oaflow.domain.forecast import (
    Estimate,
    ForecastState,
    OpenNode,
    Source,
    completion,
    deadline,
    estimate_for,
    remaining,
    remaining_after,
    state_of,
)
from oaflow.domain.text import Text

H = 3600.0
# 8 working hours a day (09-13, 14-18), Monday to Friday, no holidays; Shanghai is UTC+8
CAL = WorkingCalendar(periods=((time(9), time(13)), (time(14), time(18))))
LN5 = math.log(5)


def _node(node_id: str, kind: NodeType, limit: float | None = None, **kw: object) -> Node:
    limited = TimeLimit(limit) if limit is not None else None
    return Node(node_id, kind, Text(node_id), time_limit=limited, **kw)  # type: ignore[arg-type]


# start → a → g ─(amount > 1000)→ x ─┐
#               ├─(default)──────→ y ─┼→ fork ─→ p1 ──────→ join → end
#               └─(rework)─→ a        │        └→ p2 → p3 ─┘
GRAPH = ProcessDefinition(
    key="crafted",
    name=Text("测试", "crafted"),
    business_key="T{seq}",
    nodes={
        n.id: n
        for n in (
            _node("start", NodeType.INITIATE, next=("a",)),
            _node("a", NodeType.HANDLE, 8, next=("g",)),
            _node(
                "g",
                NodeType.EXCLUSIVE,
                routes=(
                    Route("x", compile_expression("amount > 1000")),
                    Route("a", compile_expression("rework")),
                    Route("y"),
                ),
            ),
            _node("x", NodeType.APPROVAL, 16, next=("fork",)),
            _node("y", NodeType.APPROVAL, 4, next=("fork",)),
            _node("fork", NodeType.PARALLEL, next=("p1", "p2")),
            _node("p1", NodeType.HANDLE, 16, next=("join",)),
            _node("p2", NodeType.HANDLE, 4, next=("p3",)),
            _node("p3", NodeType.HANDLE, 4, next=("join",)),
            _node("join", NodeType.JOIN, next=("end",)),
            _node("end", NodeType.END),
        )
    },
)
# node: (median, p90) in hours
HOURS = {"a": (2, 4), "x": (5, 8), "y": (1, 2), "p1": (3, 7), "p2": (1, 2), "p3": (1, 3)}
ESTIMATES = {k: Estimate(m * H, p * H, Source.HISTORY, 10) for k, (m, p) in HOURS.items()}


def to_y(node: Node) -> str | None:
    return "y"


def undecided(node: Node) -> str | None:
    return None


def hours(left: tuple[float, float]) -> tuple[float, float]:
    return left[0] / H, left[1] / H


def test_an_open_node_half_way_to_its_median_then_the_routed_path_and_the_longer_branch() -> None:
    # a: median 2 h, p90 4 h; its tail scale is (4 - 2) / ln 5. After 1 h, 3/4 of the
    # tasks are still open (half finish evenly in the first 2 h); the remaining median is
    # where 3/8 are still open (on the tail: 2 + tail·ln(0.5/0.375)), the p90 where 3/40 are
    tail = 2 / LN5
    a_median = 2 + tail * math.log(0.5 / 0.375) - 1
    a_p90 = 2 + tail * math.log(0.5 / 0.075) - 1
    assert hours(remaining_after(ESTIMATES["a"], 1 * H)) == pytest.approx((a_median, a_p90))

    left = remaining(GRAPH, [OpenNode("a", elapsed=1 * H)], ESTIMATES, to_y)
    # then y (1, spread 1), then the longer of p1 (3, spread 4) and p2+p3 (2, spread √5):
    # median max(3, 2) = 3, p90 max(7, 2 + √5) = 7
    median = a_median + 1 + 3
    spread = math.sqrt((a_p90 - a_median) ** 2 + 1**2 + 4**2)
    assert (left.median / H, left.p90 / H) == pytest.approx((median, median + spread))
    assert set(left.nodes) == {"a", "y", "p1", "p2", "p3"}  # x is not on the way


def test_an_undecided_gateway_counts_its_longer_branch_and_no_rework() -> None:
    left = remaining(GRAPH, [OpenNode("a")], ESTIMATES, undecided)
    # after g: x then the fork: median 5 + 3 = 8, spread² 3² + 4² = 25 (p90 13); y then the
    # fork: median 4, p90 4 + √17 ≈ 8.1; the way back to a counts nothing. The longer: 8 / 13
    assert left.median / H == pytest.approx(2 + 8)
    assert left.p90 / H == pytest.approx(10 + math.sqrt(2**2 + (13 - 8) ** 2))
    assert "x" in left.nodes and "y" in left.nodes
    # an instance waiting at a node without people's work (a service call): what follows it
    waiting = remaining(GRAPH, [OpenNode("g")], ESTIMATES, to_y)
    assert (waiting.median / H, waiting.p90 / H) == pytest.approx((1 + 3, 4 + math.sqrt(17)))


def test_open_parallel_branches_the_longest_counts_then_what_follows_the_join() -> None:
    # p1 not started (3 / 7); p3 half way to its median (1 h, p90 3 h, after 0.5 h)
    tail = 2 / LN5
    p3 = (1 + tail * math.log(0.5 / 0.375) - 0.5, 1 + tail * math.log(0.5 / 0.075) - 0.5)
    assert hours(remaining_after(ESTIMATES["p3"], 0.5 * H)) == pytest.approx(p3)
    left = remaining(GRAPH, [OpenNode("p1"), OpenNode("p3", 0.5 * H)], ESTIMATES, to_y)
    assert (left.median / H, left.p90 / H) == pytest.approx((3, 7))
    # a task waiting 2 working hours for its planned start adds them
    waited = remaining(GRAPH, [OpenNode("p1", wait=2 * H)], ESTIMATES, to_y)
    assert (waited.median / H, waited.p90 / H) == pytest.approx((5, 9))


def test_a_task_past_its_median_still_needs_the_tail_of_its_history() -> None:
    # memoryless past the median: the same remaining time after 3 h as after 5 h
    tail = 2 / LN5
    expected = (tail * math.log(2), tail * math.log(10))
    assert hours(remaining_after(ESTIMATES["a"], 3 * H)) == pytest.approx(expected)
    assert hours(remaining_after(ESTIMATES["a"], 5 * H)) == pytest.approx(expected)
    # a limit taken as median and p90 (no spread): a tenth of it as the tail's scale
    limit = Estimate(8 * H, 8 * H, Source.LIMIT)
    assert hours(remaining_after(limit, 2 * H)) == pytest.approx((6, 6))
    scale = 0.8 / LN5
    assert hours(remaining_after(limit, 9 * H)) == pytest.approx(
        (scale * math.log(2), scale * math.log(10))
    )


def test_too_little_history_falls_back_to_the_limit_then_to_a_working_day() -> None:
    a = GRAPH.node("a")
    assert estimate_for(a, 3, 100, 200, CAL) == Estimate(100, 200, Source.HISTORY, 3)
    assert estimate_for(a, 2, 100, 200, CAL) == Estimate(8 * H, 8 * H, Source.LIMIT, 2)
    weekly = Node("w", NodeType.HANDLE, Text("w"), time_limit=TimeLimit(84, "calendar"))
    # 84 calendar hours = half a week; 40 of a week's 168 hours are working hours
    assert estimate_for(weekly, 0, None, None, CAL).median == pytest.approx(84 * H * 40 / 168)
    bare = Node("b", NodeType.HANDLE, Text("b"))
    assert estimate_for(bare, 0, None, None, CAL) == Estimate(8 * H, 8 * H, Source.DEFAULT, 0)


def test_completion_instants_on_the_business_calendar() -> None:
    now = datetime(2024, 3, 8, 8, 0, tzinfo=UTC)  # Friday 16:00 in Shanghai
    left = remaining(GRAPH, [OpenNode("p1")], ESTIMATES, to_y)  # 3 h / 7 h
    median, p90 = completion(CAL, now, left)
    # 2 h on Friday to 18:00; Monday 09:00 + 1 h = 10:00 (02:00 UTC); + 5 h: 09-13 and 14-15
    assert median == datetime(2024, 3, 11, 2, 0, tzinfo=UTC)
    assert p90 == datetime(2024, 3, 11, 7, 0, tzinfo=UTC)


START = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def test_the_deadline_is_the_time_limits_along_the_path_from_the_start() -> None:
    # a 8 h, y 4 h, then the longer of p1 16 h and p2 + p3 8 h: 28 working hours from
    # Monday 09:00: Monday, Tuesday, Wednesday (24 h), then Thursday 09-13 → 13:00
    due = deadline(GRAPH, START, {}, CAL, to_y)
    assert due == datetime(2024, 3, 7, 5, 0, tzinfo=UTC)
    # undecided: the longer branch x (16 h): 40 h, Friday 18:00
    assert deadline(GRAPH, START, {}, CAL, undecided) == datetime(2024, 3, 8, 10, tzinfo=UTC)


def test_planned_dates_set_the_deadline_and_the_limits_after_them_add() -> None:
    friday = datetime(2024, 3, 8, 10, 0, tzinfo=UTC)  # Friday 18:00
    # p1 planned on Friday: the other branch (Thursday 13:00) ends before it
    assert deadline(GRAPH, START, {"p1": friday}, CAL, to_y) == friday
    # p2 planned on Friday: then p3 4 h after it, Monday 13:00
    monday = datetime(2024, 3, 11, 5, 0, tzinfo=UTC)
    assert deadline(GRAPH, START, {"p2": friday}, CAL, to_y) == monday
    # no limit nor plan on the way taken (y, p1, p2, p3 without limits): no deadline, even
    # if the branch not taken (x) has a limit
    nodes = {
        k: replace(n, time_limit=None) if k not in ("x", "g") else n for k, n in GRAPH.nodes.items()
    }
    bare = ProcessDefinition("bare", Text("b"), "B{seq}", nodes)
    assert deadline(bare, START, {}, CAL, to_y) is None
    assert deadline(bare, START, {}, CAL, undecided) == datetime(2024, 3, 5, 10, tzinfo=UTC)


def test_the_state_late_at_risk_or_on_track() -> None:
    due = datetime(2024, 3, 7, 10, 0, tzinfo=UTC)
    before = due - timedelta(hours=5)
    assert state_of(due + timedelta(hours=1), due, before) is ForecastState.AT_RISK
    assert state_of(due + timedelta(seconds=30), due, before) is ForecastState.ON_TRACK
    assert state_of(due, due, before) is ForecastState.ON_TRACK
    assert state_of(due, due, due + timedelta(seconds=1)) is ForecastState.LATE
    assert state_of(due, None, due) is ForecastState.ON_TRACK
