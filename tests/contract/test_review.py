"""The review report (月度/季度复盘, MTR-4) of the crafted history of test_metrics.py (its
right answers worked out there): the parts assembled — totals, trend, exception causes of a
month and a quarter, the heat of the nodes, the forecasts — the JSON the API sends, and the
Excel workbook with its charts and numbers. On SQLite only: every figure comes from
services/metrics.py, whose SQL test_metrics.py runs on both databases."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from pydantic import TypeAdapter

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import InputError, NotFoundError
from oaflow.present.json_view import jsonable
from oaflow.present.review_xlsx import review_workbook
from oaflow.services import review
from oaflow.services.app import App
from oaflow.services.review import PARTS, Review

from .driver import who
from .metrics_history import COMPLAINT_KEY, crafted_history

HOUR = 3600
DAY_HOURS = 7.5
#: the completed complaints' working hours (A, D, B, C) and calendar hours
WORK = (4, 5, 5.5, 61)
SPAN = (5.5, 6.5, 7, 241)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_review_of_a_crafted_history(demo_app: App, clock: FixedClock) -> None:
    keys = crafted_history(demo_app, clock)  # the clock ends on Mon 2024-04-01 11:00
    steps: list[tuple[int, int]] = []
    march = review.review(
        demo_app, who(demo_app, "admin"), "2024-03", None, lambda *s: steps.append(s)
    )
    assert steps == [(n, len(PARTS)) for n in range(len(PARTS) + 1)]
    assembled(march, keys)
    as_json(march, demo_app.calendar.tz)
    as_workbook(march, demo_app.calendar.tz)
    quarter_and_bad_input(demo_app)


def assembled(march: Review, keys: dict[str, str]) -> None:
    t = march.totals  # one process: its own figures
    assert (t.started, t.completed, t.answered) == (6, 4, 3)
    assert t.average_work == pytest.approx(sum(WORK) / 4 * HOUR)
    assert (t.first_pass_rate, t.exception_rate, t.on_time_rate, t.satisfaction) == (
        0.5,
        0.25,
        0.75,
        4.0,
    )
    assert [p.month.label for p in march.trend] == [
        "2023-10",
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
    ]
    assert [len(p.processes) for p in march.trend] == [0, 0, 0, 0, 0, 1]
    # C's exception, found in March, not yet given a cause
    assert march.causes.month == "2024-03" and march.causes.total == 1
    (cause,) = march.causes.groups[0].causes
    assert cause.cause is None and cause.label.en == "Not yet explained"
    (heat,) = march.heatmaps
    nodes = {n.node: n for n in heat.nodes}
    handle = nodes["handle"]  # median 1 working hour of 48
    assert (handle.median_hours, handle.limit_hours, handle.level) == (1, 48, "quick")
    assert handle.ratio == pytest.approx(1 / 48) and handle.tasks == 6
    # E, still at handle since Wed 03-20 (over its 48 working hours): its p90 runs past the
    # deadline of its path's time limits (services/forecast.py works the numbers out)
    (late,) = march.at_risk
    assert late.business_key == keys["E"] and late.state.value == "at_risk"


def as_json(march: Review, tz: str) -> None:
    """What the API sends (its response model) and what --json prints."""
    sent = json.loads(TypeAdapter(Review).dump_json(march))
    assert sent["period"]["label"] == "2024-03" and sent["totals"]["first_pass_rate"] == 0.5
    (first,) = sent["metrics"]["bottlenecks"]
    assert first["sentence"]["zh"] == "原因分析与处理 平均超时 1.0 天（1 个实例）"
    assert sent["heatmaps"][0]["process"] == COMPLAINT_KEY
    printed = jsonable(march, "en", tz)
    assert printed["metrics"]["processes"][0]["name"] == "Customer complaint"
    assert printed["causes"]["groups"][0]["causes"][0]["label"] == "Not yet explained"
    assert printed["at_risk"][0]["state"] == "at_risk"


def as_workbook(march: Review, tz: str) -> None:
    book = load_workbook(io.BytesIO(review_workbook(march, "zh", tz)))
    assert book.sheetnames == ["概览", "趋势", "节点", "部门", "瓶颈", "异常原因", "预测"]
    rows = list(book["概览"].values)
    assert rows[0][:5] == ("流程", "流程键", "发起", "进行中", "完成")
    row = rows[1]
    assert row[:5] == ("客户投诉", COMPLAINT_KEY, 6, 1, 4)
    days = [v * HOUR / (DAY_HOURS * HOUR) for v in (sum(WORK) / 4, 5, 61)]
    assert row[5:8] == pytest.approx(days)  # average, median (2nd of 4), p90 (4th)
    assert row[8:11] == pytest.approx((sum(SPAN) / 4, 6.5, 241))
    assert row[11:16] == (0.5, 0.25, 0.75, 4, "3/4")
    assert [type(c).__name__ for c in book["趋势"]._charts] == ["LineChart"] * 4
    assert [type(c).__name__ for c in book["异常原因"]._charts] == ["BarChart"]
    assert [type(c).__name__ for c in book["部门"]._charts] == ["BarChart"]
    nodes = {r[2]: r for r in list(book["节点"].values)[1:]}
    assert nodes["handle"][3:6] == (48, "工作时间", 6) and nodes["handle"][13] == 1  # late
    assert len(book["节点"].conditional_formatting) == 1  # the late rows in red
    assert list(book["瓶颈"].values)[1][7] == "原因分析与处理 平均超时 1.0 天（1 个实例）"
    assert list(book["异常原因"].values)[1][:2] == ("未归因", 1)
    assert list(book["预测"].values)[1][10] == "有延期风险"


def quarter_and_bad_input(app: App) -> None:
    quarter = review.review(app, who(app, "prd.head"), "2024-Q1", COMPLAINT_KEY)
    assert quarter.causes.month == "2024-Q1" and quarter.causes.total == 1
    assert quarter.metrics.processes[0].completed == 4
    for period, process, code in (
        ("2024-13", None, "report.bad_period"),
        ("2024-Q1", "no-such-process", "analysis.unknown_process"),
    ):
        with pytest.raises((InputError, NotFoundError)) as bad:
            review.review(app, who(app, "admin"), period, process)
        assert bad.value.code == code
