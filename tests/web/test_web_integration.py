"""The incidents page and the ledgers in Chromium on `serve --demo` (INT-2, ARC-2): the
demo's budget three weeks back ran to its end through the demo finance system, so
/ledgers shows its department rows with totals — all of them for finance, only their own
for a department head; the budget waiting for the general manager meets a finance service
without an endpoint once approved: an incident at once, which an administrator sees and
skips with a reason on /admin/services. Desktop and phone screenshots."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from browsing import PHONE, Visit

from served import OAFLOW, Served, run_in


def oaflow(site: Served, *args: str) -> str:
    return run_in(site.cwd, [*OAFLOW, *args])


def test_ledgers_by_department_with_totals_in_scope(visit: Callable[..., Visit]) -> None:
    finance = visit("fin.head")
    finance.go("/ledgers")
    page = finance.page
    assert page.locator("#ledger").get_attribute("data-ledger") == "dept_budget"
    departments = page.locator("#ledger-rows tbody tr[data-department]")
    assert sorted(departments.evaluate_all("rs => rs.map(r => r.dataset.department)")) == [
        "mkt",
        "prd",
        "rnd",
    ]
    total = page.locator("#ledger-rows tr.total td.amount").inner_text()
    assert total == "2,400,000.00"  # 800,000 + 900,000 + 700,000
    finance.shot("ledgers-desktop")
    book = page.request.get(finance.base + "/ledgers/dept_budget/export.csv")
    assert book.status == 200 and book.body().startswith(b"\xef\xbb\xbf")

    head = visit("rnd.head", viewport=PHONE, lang="en")
    head.go("/ledgers")
    rows = head.page.locator("#ledger-rows tbody tr[data-department]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.department)") == ["rnd"]
    assert "Department budget ledger" in head.page.locator("main").inner_text()
    assert head.scroll_width() <= PHONE["width"]
    head.shot("ledgers-phone")


def test_an_incident_seen_and_skipped_by_an_administrator(
    visit: Callable[..., Visit], site: Served
) -> None:
    oaflow(site, "service", "remove", "finance.sync_budget", "--as", "admin")
    waiting = [t for t in json.loads(oaflow(site, "tasks", "--as", "gm", "--json"))
               if t["node_id"] == "gm_approval"]  # fmt: skip
    oaflow(site, "task", "approve", str(waiting[0]["id"]), "--as", "gm")
    admin = visit("admin")
    page = admin.page
    for _ in range(100):  # the server's worker opens the incident within its poll
        admin.go("/admin/services")
        if page.locator("article.incident").count():
            break
        time.sleep(0.1)
    incident = page.locator("article.incident")
    assert incident.count() == 1
    text = incident.inner_text()
    assert "同步财务系统" in text and "no endpoint is configured for finance.sync_budget" in text
    admin.shot("incidents-desktop")

    phone = visit("admin", viewport=PHONE)
    phone.go("/admin/services")
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("incidents-phone")

    call = incident.get_attribute("data-call")
    page.fill(f"#reason-{call}", "财务系统接口迁移中，已手工录入")
    page.click(f"#btn-skip-{call}")
    page.wait_for_url("**/admin/services?flash=*")
    assert page.locator("#flash").inner_text() == f"已跳过调用 {call}"
    assert page.locator("#no-incidents").count() == 1
    row = page.locator(f"#resolved tr[data-call='{call}']").inner_text()
    assert "已跳过" in row and "财务系统接口迁移中，已手工录入" in row
    admin.shot("incidents-skipped-desktop")
