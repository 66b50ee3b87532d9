"""docs/metrics.md is true: its example session (the review report, MTR-4) runs as written
through `oaflow` on a database holding the crafted history of the metrics tests (made in
this process, tests/contract/metrics_history.py) — the JSON, the Excel workbook written
beside it with the same numbers and its charts, a bad period and a missing folder refused
without a traceback."""

from __future__ import annotations

import io
import json
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest
from doc_session import check, steps
from openpyxl import load_workbook

from contract.metrics_history import crafted_history
from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services.app import App
from oaflow.storage.database import Database

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
PAGE = "docs/metrics.md"


def test_the_review_example_runs_as_written(cli, oaflow_run) -> None:  # type: ignore[no-untyped-def]
    app = App(
        db=Database(cli.url),
        clock=FixedClock(datetime(2024, 3, 1, 1, 0, tzinfo=UTC)),
        calendar=china_calendar(),
    )
    crafted_history(app, app.clock)
    app.db.dispose()
    session = steps(DOC.read_text(encoding="utf-8"), PAGE)
    assert [s.exit_code for s in session] == [0, 0, 1, 1]
    where = cli.db.parent
    results = []
    for step in session:
        result = oaflow_run(shlex.split(step.command)[1:], where, expect=None, columns=100)
        check(step, result, PAGE)
        results.append(result)
    assert results[0].out.startswith("已汇总 31 天")  # the roll-up the review then reads
    review = json.loads(results[1].out)
    book = load_workbook(io.BytesIO((where / "review-2024-03.xlsx").read_bytes()))
    (process,) = review["metrics"]["processes"]
    overview = list(book["概览"].values)[1]
    assert overview[:5] == (
        process["name"],
        process["key"],
        process["started"],
        process["running"],
        process["completed"],
    )
    day = review["day_hours"] * 3600
    assert overview[5] == pytest.approx(process["work"]["average"] / day)
    assert overview[11:15] == (
        process["first_pass_rate"],
        process["exception_rate"],
        process["on_time_rate"],
        process["satisfaction"],
    )
    assert len(book["趋势"]._charts) == 4 and len(book["异常原因"]._charts) == 1
    for refused in results[2:]:  # said on stderr (run_oaflow: never a traceback)
        assert refused.out == "" and refused.err.startswith("错误: ")
    assert not (where / "reports").exists()
