"""The review dashboard when more instances are late than it lists (MTR-4): its forecasts
table shows the 50 most urgent and says in words how many more there are, the same count as
the JSON report's and the forecasts list's — in Chromium on `oaflow serve --demo` whose demo
got 56 more complaints, started a month ago and left untouched (so all of them are late)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from browsing import Visit

from served import Served, run_in, start_server

LISTED = 50  # services/review.py AT_RISK_LISTED
LEFT_UNTOUCHED = 56

#: run in the site's folder before its server starts: the complaints, started through the
#: services on the site's own settings (its database and key file) a month ago
SEED = """
import sys
from datetime import timedelta
from oaflow.bootstrap import build_app
from oaflow.config import Settings
from oaflow.domain.clock import FixedClock, SystemClock
from oaflow.services import authz, runtime

app = build_app(Settings(), clock=FixedClock(SystemClock().now() - timedelta(days=30)))
staff = authz.principal(app, "csd.staff")
for n in range(int(sys.argv[1])):
    form = {"title": f"积压投诉 {n + 1}", "customer": "某客户", "phone": "13900000000",
            "complaint_type": "quality", "description": "无人处理"}
    runtime.start(app, staff, "customer-complaint", form)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demo_site_files: Path) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("site-many-late")
    shutil.copytree(demo_site_files, folder, dirs_exist_ok=True)
    run_in(folder, [sys.executable, "-c", SEED, str(LEFT_UNTOUCHED)], timeout=120)
    served = start_server(folder, "--demo")
    yield served
    served.stop()


def test_the_review_lists_the_most_urgent_and_says_how_many_more(
    visit: Callable[..., Visit],
) -> None:
    gm = visit("gm")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    period = f"{today - timedelta(days=45)}..{today}"
    answer = gm.go(f"/reports/review?period={period}")
    assert answer is not None and answer.status == 200
    page = gm.page
    review = page.request.get(gm.base + "/api/reports/review", params={"period": period}).json()
    every = page.request.get(gm.base + "/api/forecasts", params={"at_risk": "true"}).json()
    total = review["at_risk_total"]
    assert total > LISTED and total >= LEFT_UNTOUCHED
    assert len(every) == total  # the review's count is the forecasts list's
    assert len(review["at_risk"]) == LISTED
    rows = page.locator("#rv-forecasts tbody tr")
    assert rows.count() == LISTED
    shown = [rows.nth(n).get_attribute("data-instance") for n in range(LISTED)]
    assert shown == [f["business_key"] for f in review["at_risk"]]  # the most urgent first
    more = page.locator("#rv-forecasts p.muted").inner_text()
    assert more == f"另有 {total - LISTED} 个未列出（共 {total} 个，上表是最紧急的）。"
    page.locator("#rv-forecasts").scroll_into_view_if_needed()
    gm.shot("review-many-late")

    english = visit("gm", lang="en")
    english.go(f"/reports/review?period={period}")
    said = english.page.locator("#rv-forecasts p.muted").inner_text()
    assert said == f"{total - LISTED} more not listed ({total} in all; the most urgent are above)."
