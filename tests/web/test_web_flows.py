"""The web UI in Chromium, as its users would use it: a complaint carried end to end by
three people who each sign in (with a return to an earlier step), a budget approved by the
supervising leader, an approval made with the keyboard only."""

from __future__ import annotations

import re
from collections.abc import Callable

from browsing import PHONE, Visit
from playwright.sync_api import expect


def start_complaint(staff: Visit, title: str) -> str:
    """csd.staff fills in the complaint form; the business key of the new instance."""
    staff.go("/start/customer-complaint")
    page = staff.page
    page.fill("#f-title", title)
    page.fill("#f-customer", "华东客户甲")
    page.fill("#f-phone", "13900001111")
    page.select_option("#f-complaint_type", "quality")
    page.fill("#f-description", "屏幕有划痕")
    page.click("#btn-start")
    page.wait_for_url(re.compile(r"/instances/TS\d+"))
    key = page.locator("h1 .key").inner_text()
    expect(page.locator("#instance-state")).to_have_text("进行中")
    return key


def open_task(visit: Visit, key: str, step: str) -> None:
    """From the inbox, the task at ``step`` of ``key``."""
    visit.go("/")
    card = visit.page.locator(".task-card", has_text=key).filter(has_text=step)
    expect(card).to_have_count(1)
    card.locator("a.title").click()
    expect(visit.page.locator("h1")).to_contain_text(step)


def acknowledge(visit: Visit) -> None:
    visit.page.click("#btn-ack")
    expect(visit.page.locator(".flash")).to_contain_text("确认接收")


def test_complaint_end_to_end_by_three_people(visit: Callable[..., Visit]) -> None:
    staff, head, production = visit("csd.staff"), visit("csd.head"), visit("prd.head")
    key = start_complaint(staff, "浏览器投诉-划痕")
    staff.shot("complaint-1-started-desktop")

    open_task(head, key, "投诉受理确认")
    acknowledge(head)
    head.page.fill("#decide-note", "受理")
    head.page.click("#btn-approve")
    expect(head.page.locator(".flash")).to_contain_text("同意")

    open_task(production, key, "原因分析与处理")
    acknowledge(production)
    report = {"name": "整改报告.txt", "mimeType": "text/plain", "buffer": "整改报告\n".encode()}
    production.page.set_input_files("#upload-file", files=[report])
    production.page.click("form.upload button")  # uploaded through the API, the page reloads
    expect(production.page.locator(".files li")).to_contain_text("整改报告.txt")
    production.shot("complaint-2-task-desktop")
    production.page.click("#btn-complete")  # nothing filled: the browser stops it first
    assert production.page.locator("#f-out-cause").evaluate("e => !e.validity.valid")
    expect(production.page.locator(".flash")).not_to_contain_text("提交完成")
    production.page.fill("#f-out-cause", "来料检验漏检")
    production.page.fill("#f-out-solution", "更换屏幕并加严检验")
    production.page.click("#btn-complete")
    expect(production.page.locator(".flash")).to_contain_text("提交完成")

    # the review returns it to the earlier step; production answers again
    open_task(head, key, "处理结果审核")
    expect(head.page.locator("h2", has_text="前序环节成果")).to_be_visible()
    earlier = head.page.locator(".earlier", has_text="原因分析与处理")
    expect(earlier).to_contain_text("来料检验漏检")
    acknowledge(head)
    head.page.click("details.more summary")
    head.page.select_option("#r-to", "handle")
    head.page.fill("#r-note", "请补充整改证据")
    head.page.click("#btn-return")
    expect(head.page.locator(".flash")).to_contain_text("退回")

    open_task(production, key, "原因分析与处理")
    acknowledge(production)
    production.page.fill("#f-out-cause", "来料检验漏检，已追溯批次")
    production.page.fill("#f-out-solution", "更换屏幕，供应商整改报告已附")
    production.page.click("#btn-complete")
    expect(production.page.locator(".flash")).to_contain_text("提交完成")

    open_task(head, key, "处理结果审核")
    acknowledge(head)
    head.page.click("#btn-approve")

    open_task(staff, key, "回复客户并关闭")
    acknowledge(staff)
    staff.page.fill("#f-out-reply", "已更换屏幕，致歉")
    staff.page.fill("#f-out-satisfaction", "5")
    staff.page.click("#btn-complete")
    staff.go(f"/instances/{key}")
    expect(staff.page.locator("#instance-state")).to_have_text("已完成")
    table = staff.page.locator("#progress-table")
    expect(table).to_contain_text("已退回")  # the returned round stays on record
    expect(staff.page.locator(".timeline")).to_contain_text("请补充整改证据")
    expect(staff.page.locator(".files-list")).to_contain_text("整改报告.txt")
    staff.shot("complaint-3-finished-desktop")
    # the phone number: the initiator and the task holders read it; the supervising leader,
    # who sees the instance, sees it masked
    leader = visit("vp.market")
    leader.go(f"/instances/{key}")
    expect(leader.page.locator(".values")).to_contain_text("敏感信息，已隐藏")
    expect(leader.page.locator("body")).not_to_contain_text("13900001111")
    expect(staff.page.locator(".values")).to_contain_text("13900001111")


def test_budget_approved_by_the_supervising_leader(visit: Callable[..., Visit]) -> None:
    finance, leader = visit("fin.head"), visit("vp.admin")
    finance.go("/start/annual-budget")
    page = finance.page
    page.fill("#f-title", "浏览器预算-2031")
    page.fill("#f-fiscal_year", "2031")
    page.check("#f-departments input[value=fin]")
    page.fill("#f-total_cap", "abc")  # not a number: said next to the field, nothing started
    page.click("#btn-start")
    expect(page.locator("#f-total_cap-error")).to_be_visible()
    expect(page.locator("#form-error")).to_contain_text("请修改")
    page.fill("#f-total_cap", "2,000,000")
    page.click("#btn-start")
    page.wait_for_url(re.compile(r"/instances/"))
    key = page.locator("h1 .key").inner_text()

    open_task(finance, key, "各部门提交预算")
    acknowledge(finance)
    finance.page.fill("#f-out-budget_amount", "800000")
    finance.page.fill("#f-out-last_year_amount", "760000")
    finance.page.fill("#f-out-budget_items", "人员、系统维护")
    finance.page.click("#btn-complete")
    expect(finance.page.locator(".flash")).to_contain_text("提交完成")

    open_task(leader, key, "分管领导审批")
    leader.shot("budget-leader-task-desktop")
    acknowledge(leader)
    leader.page.fill("#decide-note", "同意，控制差旅")
    leader.page.click("#btn-approve")
    leader.go(f"/instances/{key}")
    # approved, it waits for 同步财务系统: the server's worker calls the demo's finance system
    # (polling each second), then the ledger step and the archive pass and it completes
    state = leader.page.locator("#instance-state")
    for _ in range(60):
        if state.inner_text().strip() == "已完成":
            break
        leader.page.wait_for_timeout(500)
        leader.page.reload()
    expect(state).to_have_text("已完成")
    expect(leader.page.locator("body")).to_contain_text("外部系统已受理")
    expect(leader.page.locator("#progress-table")).to_contain_text("已通过")


def test_keyboard_only_approval(visit: Callable[..., Visit]) -> None:
    staff, head = visit("csd.staff"), visit("csd.head")
    key = start_complaint(staff, "键盘投诉")
    open_task(head, key, "投诉受理确认")
    page = head.page

    def tab_to(element_id: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    page.evaluate("document.activeElement && document.activeElement.blur()")
    tab_to("btn-ack")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("确认接收")
    tab_to("decide-note")
    page.keyboard.type("键盘审批")
    tab_to("btn-approve")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("同意")
    head.go(f"/instances/{key}")
    expect(page.locator(".timeline")).to_contain_text("键盘审批")


def test_phone_task_page_has_no_horizontal_scrolling(visit: Callable[..., Visit]) -> None:
    staff = visit("csd.staff")
    key = start_complaint(staff, "手机投诉")
    head = visit("csd.head", viewport=PHONE)
    open_task(head, key, "投诉受理确认")
    assert head.scroll_width() <= PHONE["width"]
    head.shot("task-phone")
    acknowledge(head)
    head.page.click("#btn-approve")
    expect(head.page.locator(".flash")).to_contain_text("同意")


def more(visit: Visit) -> None:
    """Open 更多操作 (the less frequent actions) on the task page."""
    details = visit.page.locator("details.more")
    if details.get_attribute("open") is None:
        visit.page.click("details.more summary")


def test_every_other_task_action_from_the_task_page(visit: Callable[..., Visit]) -> None:
    """Progress, comment, copy, urge, transfer, add a signer and reject, each through its
    form on the task page, each on the instance's record afterwards."""
    staff, head, production = visit("csd.staff"), visit("csd.head"), visit("prd.head")
    key = start_complaint(staff, "操作投诉")
    open_task(head, key, "投诉受理确认")
    acknowledge(head)
    head.page.click("#btn-approve")

    open_task(production, key, "原因分析与处理")
    acknowledge(production)
    page = production.page
    page.fill("#p-percent", "150")  # out of range: the browser refuses it first
    page.click("#progress-form button[type=submit]")
    assert page.locator("#p-percent").evaluate("e => !e.validity.valid")
    page.fill("#p-percent", "60")
    page.fill("#p-note", "已联系供应商")
    page.click("#progress-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("更新进度")
    expect(page.locator(".facts")).to_contain_text("处理中 · 60%")
    more(production)
    page.fill("#cm-note", "明天给出结论")
    page.click("form[action$='/comment'] button")
    expect(page.locator(".flash")).to_contain_text("评论")
    more(production)
    page.select_option("#cc-to", ["fin.staff"])
    page.fill("#cc-note", "请财务知悉")
    page.click("form[action$='/copy'] button")
    expect(page.locator(".flash")).to_contain_text("抄送")
    task_url = page.url.split("?")[0]

    # the initiator urges the step from the same page
    staff.page.goto(task_url)
    more(staff)
    staff.page.fill("#u-note", "客户在催")
    staff.page.click("form[action$='/urge'] button")
    expect(staff.page.locator(".flash")).to_contain_text("催办")

    # production hands it to a colleague, who finishes it
    production.page.goto(task_url)
    more(production)
    production.page.select_option("#tr-to", "prd.staff")
    production.page.click("form[action$='/transfer'] button")
    expect(production.page.locator(".flash")).to_contain_text("转交")
    colleague = visit("prd.staff")
    open_task(colleague, key, "原因分析与处理")
    colleague.page.fill("#f-out-cause", "运输震动")
    colleague.page.fill("#f-out-solution", "加固包装")
    colleague.page.click("#btn-complete")
    expect(colleague.page.locator(".flash")).to_contain_text("提交完成")

    # the review: a signer added after csd.head, then a rejection sends it back
    open_task(head, key, "处理结果审核")
    acknowledge(head)
    more(head)
    head.page.select_option("#as-to", "vp.market")
    head.page.click("form[action$='/add-signer'] button")
    expect(head.page.locator(".flash")).to_contain_text("加签")
    head.page.fill("#decide-note", "原因不充分")
    head.page.click("#btn-reject")
    expect(head.page.locator(".flash")).to_contain_text("驳回")

    fin = visit("fin.staff")
    fin.go("/copied")
    expect(fin.page.locator(".task-card", has_text=key)).to_contain_text("请财务知悉")
    staff.go(f"/instances/{key}")
    timeline = staff.page.locator(".timeline")
    for said in ("已联系供应商", "明天给出结论", "请财务知悉", "客户在催", "原因不充分"):
        expect(timeline).to_contain_text(said)
    expect(timeline).to_contain_text("转交")
    staff.shot("instance-after-every-action-desktop")


def test_search_and_batch_approval_from_the_inbox(visit: Callable[..., Visit]) -> None:
    staff, head = visit("csd.staff"), visit("csd.head")
    keys = [start_complaint(staff, f"批量投诉{n}") for n in range(2)]
    head.go("/")
    page = head.page
    page.fill("#f-q", "批量投诉")
    page.keyboard.press("Enter")  # the list narrows in place (htmx), the address keeps it
    expect(page.locator(".task-card")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"q=%E6%89%B9"))
    # typing searches too (htmx, after a pause): let every swap land before ticking the
    # boxes, or a late one replaces the list under them (seen once under a loaded suite)
    page.wait_for_load_state("networkidle")
    for key in keys:
        page.locator(".task-card", has_text=key).locator("input[name=tasks]").check()
    expect(page.locator(".task-card input[name=tasks]:checked")).to_have_count(2)
    page.fill("#batch-note", "批量受理")
    page.click(".batch-bar button")
    expect(page.locator(".flash")).to_contain_text("已同意 2 项")
    for key in keys:
        head.go(f"/instances/{key}")
        expect(page.locator("#progress-table")).to_contain_text("已通过")
        expect(page.locator(".timeline")).to_contain_text("批量受理")
