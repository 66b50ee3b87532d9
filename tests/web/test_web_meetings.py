"""The meeting pages (MTG-1/2) in Chromium on the demo database: customer service's head
prepares the report now, reads it (desktop and phone, no sideways scrolling), enters two
resolutions through the form (a row without an owner is refused first, nothing saved, the
rows kept), a member marks their item done on "my action items", and a weekly schedule is
added; screenshots of each page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from browsing import PHONE, Visit


def test_prepare_read_resolve_and_finish_a_meeting(visit: Callable[..., Visit]) -> None:
    head = visit("csd.head")
    head.go("/meetings")
    page = head.page
    page.click("#btn-prepare")
    page.wait_for_url("**/meetings/MTG*")
    code = page.url.split("/meetings/")[1].split("?")[0]
    assert code in page.locator(".flash").inner_text()
    assert page.locator("#progress-table tbody tr").count() >= 1  # the demo's complaints
    assert "客户服务部" in page.locator("h1").inner_text()

    due = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%dT18:00")
    page.fill("#i-title-1", "补充返工产能数据")
    page.select_option("#i-owner-1", "prd.head")
    page.fill("#i-due-1", due)
    page.fill("#i-title-2", "电话回访客户并记录")
    page.fill("#i-due-2", due)
    page.click("#btn-save-items")
    assert "没有负责人" in page.locator("#meeting-error").inner_text()
    assert page.locator("#i-title-2").input_value() == "电话回访客户并记录"
    assert page.locator("#action-table").count() == 0  # nothing saved
    page.select_option("#i-owner-2", "csd.staff")
    page.click("#btn-save-items")
    assert "已保存 2 条行动项" in page.locator(".flash").inner_text()
    rows = page.locator("#action-table tbody tr").all_inner_texts()
    assert len(rows) == 2 and "陈志强" in rows[0] and "朱晨" in rows[1]
    assert page.locator("#excel-link").count() == 1
    head.shot("meeting-desktop")
    excel = page.request.get(head.base + str(page.locator("#excel-link").get_attribute("href")))
    assert excel.status == 200 and excel.body()[:2] == b"PK"

    phone = visit("csd.head", viewport=PHONE, lang="en")
    phone.go(f"/meetings/{code}")
    assert "Resolutions" in phone.page.locator("#h-resolutions").inner_text()
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("meeting-phone")

    staff = visit("csd.staff", viewport=PHONE)
    staff.go("/actions")
    mine = staff.page.locator("#my-items li")
    assert mine.count() == 1 and "电话回访客户并记录" in mine.inner_text()
    item = mine.get_attribute("data-item")
    staff.page.fill(f"#note-{item}", "已回访，客户认可补发方案")
    staff.page.click(f"#btn-done-{item}")
    assert "已完成" in staff.page.locator(".flash").inner_text()
    assert "已回访" in staff.page.locator("#my-items").inner_text()
    assert staff.scroll_width() <= PHONE["width"]
    staff.shot("actions-phone")

    head.go("/meetings")
    page.click("#schedule-form summary, details.more summary")
    page.select_option("#s-day", "mon")
    page.fill("#s-at", "10:00")
    page.fill("#s-people", "fin.head, nobody")
    page.click("#btn-add-schedule")
    assert "nobody" in page.locator("#meeting-error").inner_text()
    page.fill("#s-people", "fin.head")
    page.click("#btn-add-schedule")
    assert "每周一 10:00" in page.locator("#schedule-table").inner_text()
    assert code in page.locator("#meeting-table").inner_text()
    head.shot("meetings-desktop")
