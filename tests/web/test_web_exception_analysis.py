"""The cause analysis page (/exceptions/analysis, EXC-5) and the cause list's administration
page in Chromium: the Pareto chart and table of a month on desktop and phone (screenshots, no
sideways scrolling on the phone), its Excel file, a bad month said on the page.

The site is `oaflow serve` on a demo database (without the six weeks of history: quicker)
where six exceptions were found in March 2024 and explained through the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browsing import PHONE, Visit
from sqlalchemy import text

from contract.driver import COMPLAINT, Driver, who
from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services import exceptions, setup
from oaflow.services.app import App
from oaflow.storage.database import Database
from served import Served, start_server

T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
#: (complaint, node, the responsible department's head, cause) of each exception
FOUND = [
    ("A", "handle", "prd.head", "需求变更"),
    ("A", "handle", "prd.head", "需求变更"),
    ("A", "handle", "prd.head", "需求变更"),
    ("B", "handle", "log.head", "外部供应商延迟"),
    ("A", "triage", "csd.head", "资源不足"),
    ("B", "handle", "log.head", None),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    where = tmp_path_factory.mktemp("analysis-site")
    explained(where / "oaflow.db")
    served = start_server(where)
    yield served
    served.stop()


def explained(path: Path) -> None:
    """The demo database with the exceptions of FOUND, in March 2024."""
    app = App(db=Database(f"sqlite:///{path}"), clock=FixedClock(T0), calendar=china_calendar())
    setup.init(app, demo=True)
    d = Driver(app)
    keys = {"A": d.start("customer-complaint", "csd.head", COMPLAINT)}
    d.approve("csd.head", "triage")
    keys["B"] = d.start(
        "customer-complaint", "csd.head", {**COMPLAINT, "complaint_type": "logistics"}
    )
    d.approve("csd.head", "triage")
    for complaint, node, head, cause in FOUND:
        code = exceptions.open_exception(app, who(app, "csd.head"), keys[complaint], node, "延误")
        if cause:
            expected = app.now() + timedelta(days=1)
            exceptions.report(app, who(app, head), code, cause, "原因", expected)
        with app.db.write() as conn:  # closed at once: the next one may open on the task
            conn.execute(
                text("UPDATE exceptions SET state = 'closed' WHERE code = :c"), {"c": code}
            )
    app.db.dispose()


def test_the_cause_analysis_page(visit: Callable[..., Visit]) -> None:
    gm = visit("gm")
    answer = gm.go("/exceptions/analysis?month=2024-03")
    assert answer is not None and answer.status == 200
    page = gm.page
    assert page.locator("h1").inner_text().startswith("异常原因分析")
    assert page.locator("svg.scales rect").count() == 4
    rows = page.locator("table.pareto-table tbody tr").all_inner_texts()
    assert [[" ".join(cell.split()) for cell in r.split("\t")] for r in rows] == [
        ["★ 关键少数: 需求变更", "3", "50.0%", "50.0%"],
        ["★ 关键少数: 外部供应商延迟", "1", "16.7%", "66.7%"],
        ["★ 关键少数: 资源不足", "1", "16.7%", "83.3%"],
        ["未归因", "1", "16.7%", "100.0%"],
    ]
    gm.shot("exception-analysis-desktop")

    excel = page.request.get(gm.base + str(page.locator("#xa-xlsx").get_attribute("href")))
    assert excel.status == 200 and excel.body()[:2] == b"PK"  # a zip: the .xlsx

    gm.go("/exceptions/analysis?month=2024-03&by=department")
    assert page.locator("section.card h2").all_inner_texts()[0].startswith("生产部")

    phone = visit("gm", viewport=PHONE, lang="en")
    phone.go("/exceptions/analysis?month=2024-03")
    assert phone.page.locator("h1").inner_text().startswith("Exception cause analysis")
    assert "Requirement change" in phone.page.locator("table.pareto-table").inner_text()
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("exception-analysis-phone")

    bad = gm.go("/exceptions/analysis?month=2024-13")
    assert bad is not None and bad.status == 422
    assert "2024-13" in page.locator("#xa-error").inner_text()


def test_administrators_keep_the_cause_list_on_its_page(visit: Callable[..., Visit]) -> None:
    admin = visit("admin")
    admin.go("/admin/causes")
    page = admin.page
    assert page.locator("#causes tbody tr").count() == 6
    assert page.locator("#causes-default").is_visible()
    page.fill("#cause-names", "需求变更\n需求变更")
    page.click("#btn-save-causes")
    assert "重复" in page.locator("#form-error").inner_text()  # nothing saved
    assert page.locator("#cause-names").input_value() == "需求变更\n需求变更"
    page.fill("#cause-names", "需求变更\n设备故障\n\n其他")
    page.click("#btn-save-causes")
    assert "已保存 3 个原因分类" in page.locator(".flash").inner_text()
    rows = page.locator("#causes tbody tr").all_inner_texts()
    assert [r.split("\t")[1:] for r in rows] == [
        ["需求变更", "Requirement change"],
        ["设备故障", "设备故障"],
        ["其他", "Other"],
    ]
    admin.shot("admin-causes-desktop")
    staff = visit("csd.staff")
    answer = staff.go("/admin/causes")
    assert answer is not None and answer.status == 403
