"""The review dashboard (/reports/review, 月度/季度复盘, MTR-4) in Chromium on `oaflow serve
--demo` (six weeks of simulated work up to now): its charts drawn with data — trend lines,
the Pareto bars, the heat map on the process diagram — and its numbers the same as the JSON
report's (GET /api/reports/review); the Excel download with its Chinese file name; a bad
period said on the page; desktop and phone screenshots (no sideways scrolling on the phone)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from browsing import PHONE, Visit


def last_six_weeks() -> str:
    """A range of days that holds all of the demo's history (in the demo's time zone)."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return f"{today - timedelta(days=45)}..{today}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def shown(review: dict[str, Any]) -> dict[str, str]:
    """What the cards must say, worked out from the JSON report."""
    totals, day = review["totals"], review["day_hours"] * 3600
    average = totals["average_work"]
    return {
        "average_work": "—" if average is None else f"{average / day:.2f}",
        "first_pass_rate": percent(totals["first_pass_rate"]),
        "exception_rate": percent(totals["exception_rate"]),
        "on_time_rate": percent(totals["on_time_rate"]),
        "satisfaction": "—" if totals["satisfaction"] is None else f"{totals['satisfaction']:.2f}",
    }


def test_the_review_dashboard(visit: Callable[..., Visit]) -> None:
    gm = visit("gm")
    period = last_six_weeks()
    answer = gm.go(f"/reports/review?period={period}")
    assert answer is not None and answer.status == 200
    page = gm.page
    assert page.locator("h1").inner_text().startswith("月度/季度复盘")
    api = page.request.get(gm.base + "/api/reports/review", params={"period": period})
    assert api.status == 200
    review = api.json()
    assert review["totals"]["completed"] > 0, "the demo completes instances in six weeks"

    cards = {
        kpi: page.locator(f'[data-kpi="{kpi}"] .k-value').inner_text().split()[0]
        for kpi in ("average_work", "first_pass_rate", "exception_rate", "on_time_rate")
    }
    cards["satisfaction"] = page.locator('[data-kpi="satisfaction"] .k-value').inner_text()
    cards["satisfaction"] = cards["satisfaction"].split()[0]
    assert cards == shown(review)
    rows = page.locator("#rv-processes tbody tr")
    assert rows.count() == len(review["metrics"]["processes"])
    for process in review["metrics"]["processes"]:
        row = page.locator(f'#rv-processes tr[data-process="{process["key"]}"] td').first
        assert row.inner_text() == f"{process['completed']}/{process['started']}"
    departments = page.locator("#rv-departments tbody tr")
    assert departments.count() == len(review["metrics"]["departments"])

    # the charts are drawn with data: a point per process and month, a bar per cause, a
    # coloured box per node that finished work
    keys = {p["key"] for month in review["trend"] for p in month["processes"]}
    completed = page.locator('[data-chart="rv-trend-1"] circle')  # every month, 0 or more
    assert completed.count() == len(keys) * len(review["trend"]) > 0
    causes = review["causes"]["groups"][0]["causes"] if review["causes"]["groups"] else []
    assert page.locator("#rv-causes .pareto-bar").count() == len(causes)
    heated = [n for h in review["heatmaps"] for n in h["nodes"] if n["level"] != "no_data"]
    assert heated, "nodes finished work in six weeks"
    drawn = page.locator('#rv-heat g.node[data-state^="heat-"]:not([data-state="heat-no_data"])')
    assert drawn.count() == len(heated)
    assert page.locator("#rv-heat details[open]").count() == 1
    sentences = page.locator("#rv-bottlenecks li")
    assert sentences.count() == len(review["metrics"]["bottlenecks"])
    assert page.locator("#rv-forecasts tbody tr").count() == min(len(review["at_risk"]), 50)
    gm.shot("review-desktop")

    excel = page.request.get(gm.base + str(page.locator("#rv-xlsx").get_attribute("href")))
    assert excel.status == 200 and excel.body()[:2] == b"PK"  # a zip: the .xlsx
    disposition = excel.headers["content-disposition"]
    assert "filename*=UTF-8''%E5%A4%8D%E7%9B%98-" in disposition  # 复盘-…

    phone = visit("gm", viewport=PHONE, lang="en")
    phone.go(f"/reports/review?period={period}")
    assert phone.page.locator("h1").inner_text().startswith("Monthly and quarterly review")
    assert (
        phone.page.locator('[data-kpi="on_time_rate"] .k-value').inner_text()
        == (shown(review)["on_time_rate"])
    )
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("review-phone")

    bad = gm.go("/reports/review?period=2024-13")
    assert bad is not None and bad.status == 422
    assert "2024-13" in page.locator("#rv-error").inner_text()
