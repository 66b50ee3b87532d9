"""The Pareto's ranking and months (domain/pareto.py) and its chart's layout
(present/pareto.py): pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oaflow.domain.errors import InputError
from oaflow.domain.pareto import Ranked, month_window, ranked
from oaflow.present.pareto import PLOT_H, Column, chart, count_axis, fitted, width_of

ORDER = ("需求变更", "数据不完整", "外部供应商延迟")


def test_causes_rank_by_count_ties_by_the_list_and_the_unexplained_last() -> None:
    counts = [("数据不完整", 2), (None, 2), ("设备故障", 2), ("需求变更", 2), ("外部供应商延迟", 1)]
    assert [r.cause for r in ranked([*counts, ("外部供应商延迟", 3)], ORDER)] == [
        "外部供应商延迟",  # 1 + 3: the counts of a cause add up
        "需求变更",
        "数据不完整",
        "设备故障",  # not in the list: after those that are, by name
        None,
    ]


def test_shares_are_exact_and_the_vital_few_reach_80_percent() -> None:
    assert ranked([("a", 5), ("b", 3), ("c", 2)]) == (
        Ranked("a", 5, 0.5, 0.5, True),
        Ranked("b", 3, 0.3, 0.8, True),  # 5 of 10 before it: needed to reach 80 %
        Ranked("c", 2, 0.2, 1.0, False),  # 80 % reached before it
    )
    thirds = ranked([("a", 1), ("b", 1), ("c", 1)])
    assert [r.cumulative for r in thirds] == [1 / 3, 2 / 3, 1.0]
    assert [r.vital for r in thirds] == [True, True, True]
    assert ranked([]) == ()


def test_a_month_is_a_month_of_the_business_calendars_time_zone() -> None:
    assert month_window("2024-03", "Asia/Shanghai") == (
        datetime(2024, 2, 29, 16, tzinfo=UTC),
        datetime(2024, 3, 31, 16, tzinfo=UTC),
    )
    assert month_window("2024-12", "UTC")[1] == datetime(2025, 1, 1, tzinfo=UTC)
    for bad in ("2024-13", "2024-00", "march", "2024-3", "24-03", "0000-01", "2024-03-01", ""):
        with pytest.raises(InputError) as raised:
            month_window(bad, "UTC")
        assert raised.value.code == "analysis.bad_month"


def test_the_chart_draws_counts_as_bars_and_the_cumulative_share_as_a_line() -> None:
    drawn = chart(
        [
            Column("需求变更", 6, 0.6, True),
            Column("数据不完整", 3, 0.9, True),
            Column("Other", 1, 1.0, False),
        ]
    )
    first, second, third = drawn.bars
    assert (first.height, second.height, third.height) == (PLOT_H, PLOT_H // 2, round(PLOT_H / 6))
    assert all(b.y + b.height == drawn.bottom for b in drawn.bars)
    assert first.x < second.x < third.x and first.center < second.center < third.center
    assert [b.percent for b in drawn.bars] == ["60%", "90%", "100%"]
    assert third.point_y == drawn.top and drawn.vital_y == drawn.bottom - PLOT_H * 8 // 10
    assert drawn.line == " ".join(f"{b.center},{b.point_y}" for b in drawn.bars)
    assert [label for _, label in drawn.count_ticks] == ["0", "2", "4", "6"]  # up to 6
    assert drawn.percent_ticks[-1] == (drawn.top, "100%")
    assert chart([]).bars == () and chart([]).line == ""


def test_axes_and_labels_fit() -> None:
    assert count_axis(0) == (1, 1) and count_axis(5) == (5, 1) and count_axis(7) == (8, 2)
    assert count_axis(23) == (25, 5) and count_axis(101) == (150, 50)
    assert fitted("需求变更", 100) == "需求变更"
    short = fitted("外部供应商延迟交付导致停工", 60)
    assert short.endswith("…") and width_of(short) <= 60
