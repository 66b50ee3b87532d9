"""The cause analysis page (/exceptions/analysis, EXC-5) in Chromium on the demo database:
the Pareto chart and table of a month on desktop and phone (screenshots, no sideways
scrolling on the phone), its Excel file, and a bad month said on the page."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import cycle

from browsing import PHONE, Visit

from served import Served

#: the causes given to the demo's exceptions (the explanation service gives them in use)
CAUSES = ["需求变更", "需求变更", "资源不足", "外部供应商延迟", "需求变更", None]


def explained_month(site: Served) -> str:
    """Give the demo's exceptions of the latest month cause categories; that month, in
    Shanghai time."""
    with sqlite3.connect(site.cwd / "oaflow.db") as conn:
        found = conn.execute("SELECT id, found_at FROM exceptions ORDER BY found_at DESC")
        rows = [(i, datetime.fromisoformat(at) + timedelta(hours=8)) for i, at in found]
        month = rows[0][1].strftime("%Y-%m")
        same = [i for i, at in rows if at.strftime("%Y-%m") == month]
        for record, cause in zip(same, cycle(CAUSES)):
            conn.execute("UPDATE exceptions SET cause_category = ? WHERE id = ?", (cause, record))
    return month


def test_the_cause_analysis_page(visit: Callable[..., Visit], site: Served) -> None:
    month = explained_month(site)
    gm = visit("gm")
    answer = gm.go(f"/exceptions/analysis?month={month}")
    assert answer is not None and answer.status == 200
    page = gm.page
    assert page.locator("h1").inner_text().startswith("异常原因分析")
    assert page.locator("svg.scales rect").count() >= 2
    first_row = page.locator("table.pareto-table tbody tr").first.inner_text()
    assert "需求变更" in first_row and "★" in first_row
    gm.shot("exception-analysis-desktop")

    excel = page.request.get(gm.base + page.locator("#xa-xlsx").get_attribute("href"))
    assert excel.status == 200 and excel.body()[:2] == b"PK"  # a zip: the .xlsx

    gm.go(f"/exceptions/analysis?month={month}&by=process")
    assert page.locator("section.card h2").count() >= 1

    phone = visit("gm", viewport=PHONE, lang="en")
    phone.go(f"/exceptions/analysis?month={month}")
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
