"""The administration pages in Chromium on the demo database: every page answers an
administrator with the demo's real data and a label for every control; a deputy, a calendar
day, a token, a channel and a template changed through their forms and seen after; bad input
shows why and changes nothing; a dead letter (a webhook on 127.0.0.1 that answers 400) given
up and sent again; the auditor reads, a department head is refused; screenshots on desktop
and phone (no sideways scrolling)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest
from browsing import PHONE, Visit
from playwright.sync_api import expect

#: the administration pages, by the name of their screenshots
PAGES = {
    "overview": "/admin",
    "organisation": "/admin/organisation",
    "calendar": "/admin/calendar",
    "channels": "/admin/channels",
    "template": "/admin/templates/task_assigned?locale=zh",
    "deliveries": "/admin/deliveries",
    "tokens": "/admin/tokens",
    "audit": "/admin/audit",
}
#: every visible form control without a label (for, wrapping, aria-label or -labelledby)
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML.slice(0, 120))"""


def csrf_of(visit: Visit) -> str:
    """The session's form token, from a page's sign-out form."""
    return visit.page.locator("input[name=csrf]").first.get_attribute("value") or ""


def test_every_page_shows_the_demo_to_an_administrator(visit: Callable[..., Visit]) -> None:
    admin = visit("admin")
    admin.go("/")
    menu = admin.page.locator("header.top nav")
    expect(menu.get_by_role("link", name="管理")).to_have_attribute("href", "/admin")
    year = admin.page.request.get(admin.base + "/api/calendar").json()["year"]
    for name, path in PAGES.items():
        answer = admin.go(path)
        assert answer is not None and answer.status == 200, f"{path}: {answer}"
        assert admin.page.evaluate(UNLABELLED) == [], f"{path}: controls without a label"
        expect(admin.page.locator(".admin-tabs a[aria-current=page]")).to_have_count(1)
        admin.shot(f"admin-{name}-desktop")
        page = admin.page
        if name == "overview":
            expect(page.locator("#summary-org")).to_contain_text(re.compile(r"\d+ 个部门"))
            expect(page.locator("#summary-calendar")).to_contain_text(f"{year} 年")
        elif name == "organisation":
            csd = page.locator("#departments tr[data-code=csd]")
            expect(csd).to_contain_text("客户服务部")
            expect(csd).to_contain_text("马丽娟")  # its head
            expect(csd).to_contain_text("宋文博")  # its supervising leader
            head = page.locator("#people tr[data-login='csd.head']")
            expect(head).to_contain_text("马丽娟")
            expect(head).to_contain_text("部门负责人")
            expect(head).to_contain_text("客户服务部")
        elif name == "calendar":
            expect(page.locator("#h-year")).to_contain_text(str(year))
            expect(page.locator("#year-state")).to_contain_text("已确认")
            assert page.locator("#days tbody tr").count() > 5
            expect(page.locator("#days")).to_contain_text("春节")
            expect(page.locator("#days")).to_contain_text("调休上班")
        elif name == "channels":
            assert page.locator("#templates tbody tr").count() == 26  # events
            assert page.locator("#templates td[data-template]").count() == 52  # × zh, en
        elif name == "template":
            expect(page.locator("#tpl-subject")).not_to_have_value("")
            expect(page.locator("#preview-subject")).not_to_be_empty()
        elif name == "audit":
            expect(page.locator("#audit tr[data-action=sign_in]").first).to_contain_text("admin")
    admin.go("/admin/audit")
    admin.page.click("#btn-verify")
    expect(admin.page.locator("#verify-result")).to_contain_text("完好")
    admin.shot("admin-audit-verified-desktop")


def test_phone_pages_do_not_scroll_sideways(visit: Callable[..., Visit]) -> None:
    admin = visit("admin", viewport=PHONE)
    for name in ("overview", "organisation", "calendar", "channels", "tokens", "audit"):
        answer = admin.go(PAGES[name])
        assert answer is not None and answer.status == 200
        assert admin.scroll_width() <= PHONE["width"], f"{PAGES[name]} scrolls sideways"
        assert admin.page.evaluate(UNLABELLED) == []
        admin.shot(f"admin-{name}-phone")


def test_a_deputy_is_set_then_ended_and_a_bad_one_changes_nothing(
    visit: Callable[..., Visit],
) -> None:
    admin = visit("admin")
    admin.go("/admin/organisation")
    page = admin.page
    rows = page.locator("#delegations tbody tr")
    before = rows.count()
    # oneself as one's own deputy: refused, with why, and nothing added
    page.select_option("#dep-user", "csd.head")
    page.select_option("#dep-deputy", "csd.head")
    page.fill("#dep-starts", "2026-12-07T09:00")
    page.fill("#dep-ends", "2026-12-11T18:00")
    page.click("#btn-set-deputy")
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#dep-user")).to_have_value("csd.head")  # the form keeps what was sent
    expect(page.locator("#dep-starts")).to_have_value("2026-12-07T09:00")
    assert rows.count() == before
    # the period backwards: refused too
    page.select_option("#dep-deputy", "csd.staff")
    page.fill("#dep-ends", "2026-12-01T18:00")
    page.click("#btn-set-deputy")
    expect(page.locator("#form-error")).to_be_visible()
    assert rows.count() == before
    # a real one
    page.fill("#dep-ends", "2026-12-11T18:00")
    page.click("#btn-set-deputy")
    expect(page.locator(".flash")).to_contain_text("朱晨 代理 马丽娟")
    row = page.locator("#delegations tr[data-user='csd.head']")
    expect(row).to_contain_text("朱晨")
    expect(row).to_contain_text("2026-12-07 09:00")
    expect(row).to_contain_text("2026-12-11 18:00")
    listed = page.request.get(admin.base + "/api/deputies").json()
    assert any(
        d["user"]["login"] == "csd.head" and d["deputy"]["login"] == "csd.staff" for d in listed
    )
    admin.shot("admin-deputy-set-desktop")
    row.get_by_role("button").click()
    expect(page.locator(".flash")).to_contain_text("已结束")
    expect(page.locator("#delegations tr[data-user='csd.head']")).to_have_count(0)
    assert page.request.get(admin.base + "/api/deputies").json() == []


def test_a_calendar_day_is_set_then_reset_and_a_bad_date_changes_nothing(
    visit: Callable[..., Visit],
) -> None:
    admin = visit("admin")
    admin.go("/admin/calendar?year=2099")
    page = admin.page
    expect(page.locator("#days tr[data-day='2099-03-02']")).to_have_count(0)
    # a date that does not exist, typed past the date picker
    page.evaluate("document.querySelector('#day-date').type = 'text'")
    page.fill("#day-date", "2099-02-30")
    page.click("#btn-set-day")
    expect(page.locator("#form-error")).to_contain_text("日期无效")
    # a name longer than the calendar keeps (100 characters)
    page.evaluate("document.querySelector('#day-date').type = 'text'")
    page.fill("#day-date", "2099-03-02")
    page.fill("#day-name", "假" * 150)
    page.click("#btn-set-day")
    expect(page.locator("#form-error")).to_be_visible()
    calendar = page.request.get(admin.base + "/api/calendar?year=2099").json()
    assert all(d["day"] != "2099-03-02" for d in calendar["days"])
    # a company day off
    admin.go("/admin/calendar?year=2099")
    page.fill("#day-date", "2099-03-02")
    page.select_option("#day-kind", "off")
    page.fill("#day-name", "公司活动日")
    page.click("#btn-set-day")
    expect(page.locator(".flash")).to_contain_text("已保存：2099-03-02")
    row = page.locator("#days tr[data-day='2099-03-02']")
    expect(row).to_contain_text("休息日")
    expect(row).to_contain_text("公司活动日")
    expect(row).to_contain_text("公司设定")
    admin.shot("admin-calendar-day-desktop")
    # back to the national schedule
    page.fill("#day-date", "2099-03-02")
    page.select_option("#day-kind", "reset")
    page.click("#btn-set-day")
    expect(page.locator(".flash")).to_contain_text("恢复国家安排")
    expect(page.locator("#days tr[data-day='2099-03-02']")).to_have_count(0)


def test_a_token_is_created_once_shown_and_revoked(visit: Callable[..., Visit]) -> None:
    admin = visit("admin")
    admin.go("/admin/tokens")
    page = admin.page
    rows = page.locator("#tokens tbody tr")
    before = rows.count()
    # no scope: refused, nothing created
    page.fill("#tok-name", "报表同步")
    page.uncheck("#tok-scope-read")
    page.click("#btn-create-token")
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#tok-name")).to_have_value("报表同步")
    assert rows.count() == before
    # read only, for csd.head, 30 days
    page.check("#tok-scope-read")
    page.select_option("#tok-login", "csd.head")
    page.fill("#tok-days", "30")
    page.click("#btn-create-token")
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("oaf_")
    row = page.locator("#tokens tbody tr").first
    expect(row).to_contain_text("报表同步")
    expect(row).to_contain_text("马丽娟")
    expect(row).to_contain_text("有效")
    admin.shot("admin-token-created-desktop")
    token_id = row.get_attribute("data-token")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(admin.base + "/api/tasks", headers=bearer).status_code == 200
    # the secret is shown once: not on the list page again
    admin.go("/admin/tokens")
    expect(page.locator("#token-secret")).to_have_count(0)
    assert secret not in page.content()
    page.locator(f"#tokens tr[data-token='{token_id}']").get_by_role("button").click()
    expect(page.locator(".flash")).to_contain_text(f"#{token_id}")
    expect(page.locator(f"#tokens tr[data-token='{token_id}']")).to_contain_text("已吊销")
    assert httpx.get(admin.base + "/api/tasks", headers=bearer).status_code == 401


class Refusing(BaseHTTPRequestHandler):
    """A webhook receiver that refuses everything (400): each delivery is dead at once."""

    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        Refusing.received.append(self.headers.get("X-OAFlow-Message-Id") or "")
        body = b"refused by the test receiver"
        self.send_response(400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_channel_added_tested_and_its_dead_letters_given_up_or_sent_again(
    visit: Callable[..., Visit], receiver: str
) -> None:
    admin = visit("admin")
    admin.go("/admin/channels")
    page = admin.page
    channels = page.locator("#channels tbody tr")
    before = channels.count()
    # a webhook without an http(s) address: refused, nothing added
    page.fill("#ch-name", "测试回调")
    page.select_option("#ch-kind", "webhook")
    page.evaluate("document.querySelector('#ch-url').type = 'text'")
    page.fill("#ch-url", "ftp://127.0.0.1/hook")
    page.click("#btn-add-channel")
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#ch-name")).to_have_value("测试回调")
    assert channels.count() == before
    # a real one, on this machine
    page.fill("#ch-url", receiver)
    page.click("#btn-add-channel")
    expect(page.locator(".flash")).to_contain_text("已添加渠道：测试回调")
    row = page.locator("#channels tr[data-channel='测试回调']")
    expect(row).to_contain_text("启用中")
    expect(row).to_contain_text("127.0.0.1")
    # a test message: the receiver refuses it, and the page says so
    row.get_by_role("button", name="发送测试消息").click()
    expect(page.locator("#test-result")).to_contain_text("失败")
    expect(page.locator("#test-result")).to_contain_text("400")
    assert Refusing.received, "the test message reached the receiver"
    admin.shot("admin-channel-tested-desktop")
    # a complaint started: its messages go to the webhook and die there
    staff = visit("csd.staff")
    staff.go("/start/customer-complaint")
    staff.page.fill("#f-title", "死信测试投诉")
    staff.page.fill("#f-customer", "客户丙")
    staff.page.select_option("#f-complaint_type", "quality")
    staff.page.fill("#f-description", "死信测试")
    staff.page.click("#btn-start")
    staff.page.wait_for_url(re.compile(r"/instances/"))
    dead = page.locator("#dead tbody tr")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        admin.go("/admin/deliveries")
        if dead.count() >= 1:
            break
        time.sleep(1)
    assert dead.count() >= 1, "no dead letter after 30 s"
    expect(dead.first).to_contain_text("测试回调")
    expect(dead.first).to_contain_text("400")
    admin.shot("admin-deliveries-dead-desktop")
    # send it again: the receiver gets it a second time and refuses it again
    first = dead.first.get_attribute("data-delivery")
    mine = page.locator(f"#dead tr[data-delivery='{first}']")
    listed = page.request.get(admin.base + "/api/deliveries?status=dead").json()
    message = next(d["message_id"] for d in listed if str(d["id"]) == first)
    assert Refusing.received.count(message) == 1
    mine.get_by_role("button", name=f"重新发送 #{first}").click()
    expect(page.locator(".flash")).to_contain_text("已重新排队 1 条")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        Refusing.received.count(message) == 2 and mine.count() == 1
    ):
        time.sleep(1)
        admin.go("/admin/deliveries")
    assert Refusing.received.count(message) == 2
    expect(mine).to_have_attribute("data-attempts", "1")
    # switch the channel off: nothing new goes to it
    admin.go("/admin/channels")
    row.get_by_role("button", name="停用 测试回调").click()
    expect(page.locator(".flash")).to_contain_text("已停用：测试回调")
    expect(row).to_contain_text("已停用")
    # give it up
    admin.go("/admin/deliveries")
    mine.get_by_role("button", name=f"放弃 #{first}").click()
    expect(page.locator(".flash")).to_contain_text("已放弃 1 条")
    expect(mine).to_have_count(0)
    given_up = page.request.get(admin.base + "/api/deliveries?status=discarded").json()
    assert [d["id"] for d in given_up] == [int(first or 0)]
    # the audit log has both
    admin.go("/admin/audit")
    expect(page.locator("#audit tr[data-action='outbox.discard']")).to_have_count(1)
    expect(page.locator("#audit tr[data-action='channel.add']").first).to_contain_text("测试回调")


def test_a_template_saved_after_its_check_and_reset(visit: Callable[..., Visit]) -> None:
    admin = visit("admin")
    admin.go("/admin/templates/task_assigned?locale=zh")
    page = admin.page
    subject = page.locator("#tpl-subject").input_value()
    # a variable templates do not have: refused, the template unchanged
    page.fill("#tpl-subject", "{{ nobody_knows_this }}")
    page.click("#btn-save-template")
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#tpl-subject")).to_have_value("{{ nobody_knows_this }}")
    expect(page.locator("#preview-subject")).not_to_contain_text("nobody_knows_this")
    shown = page.request.get(admin.base + "/api/templates/task_assigned?locale=zh").json()
    assert shown["subject"] == subject and not shown["customised"]
    # a good one: saved, and the preview uses it
    page.fill("#tpl-subject", "【新任务】{{ title }}")
    page.click("#btn-save-template")
    expect(page.locator(".flash")).to_contain_text("模板已保存")
    expect(page.locator("#preview-subject")).to_contain_text("【新任务】")
    admin.shot("admin-template-saved-desktop")
    admin.go("/admin/channels")
    expect(page.locator("#templates td[data-template='task_assigned/zh']")).to_contain_text(
        "已自定义"
    )
    # back to the built-in one
    admin.go("/admin/templates/task_assigned?locale=zh")
    page.click("#btn-reset-template")
    expect(page.locator(".flash")).to_contain_text("已恢复默认模板")
    expect(page.locator("#tpl-subject")).to_have_value(subject)


def test_a_department_head_is_refused(visit: Callable[..., Visit]) -> None:
    head = visit("csd.head")
    head.go("/")
    expect(head.page.locator("header.top nav a[href='/admin']")).to_have_count(0)
    for path in PAGES.values():
        answer = head.go(path)
        assert answer is not None and answer.status == 403, f"{path}: {answer}"
        expect(head.page.locator("p.error")).to_be_visible()
    head.shot("admin-refused-desktop")
    head.go("/")
    csrf = csrf_of(head)
    posted = head.page.request.post(
        head.base + "/admin/calendar/days",
        form={"csrf": csrf, "day": "2099-03-03", "kind": "off", "name": "不该有"},
        max_redirects=0,
    )
    assert posted.status == 403
    admin = visit("admin")
    calendar = admin.page.request.get(admin.base + "/api/calendar?year=2099").json()
    assert all(d["day"] != "2099-03-03" for d in calendar["days"])
    # the refusals are in the audit log
    admin.go("/admin/audit")
    denied = admin.page.locator("#audit tr[data-action='access.denied']", has_text="csd.head")
    assert denied.count() >= len(PAGES)


def test_the_auditor_reads_and_changes_nothing(visit: Callable[..., Visit]) -> None:
    auditor = visit("auditor")
    auditor.go("/")
    expect(auditor.page.locator("header.top nav a[href='/admin']")).to_have_count(1)
    for name, path in PAGES.items():
        answer = auditor.go(path)
        assert answer is not None and answer.status == 200, f"{path}: {answer}"
        expect(auditor.page.locator(".read-only")).to_be_visible()
        assert auditor.page.locator("form[method=post]:not([action='/logout'])").count() == 0, name
    auditor.go("/admin/audit")
    assert auditor.page.locator("#audit tbody tr").count() > 10
    auditor.page.click("#btn-verify")
    expect(auditor.page.locator("#verify-result")).to_contain_text("完好")
    auditor.shot("admin-audit-auditor-desktop")
    posted = auditor.page.request.post(
        auditor.base + "/admin/calendar/days",
        form={"csrf": csrf_of(auditor), "day": "2099-03-04", "kind": "off"},
        max_redirects=0,
    )
    assert posted.status == 403
    calendar = auditor.page.request.get(auditor.base + "/api/calendar?year=2099").json()
    assert all(d["day"] != "2099-03-04" for d in calendar["days"])


def test_in_english(visit: Callable[..., Visit]) -> None:
    admin = visit("admin", lang="en")
    admin.go("/admin/organisation")
    expect(admin.page.locator("h1")).to_have_text("Organisation")
    expect(admin.page.locator("#h-departments")).to_contain_text("Departments")
    expect(admin.page.locator("header.top nav")).to_contain_text("Administration")
    admin.go("/admin/calendar")
    expect(admin.page.locator("#day-kind")).to_contain_text("working day")
    admin.shot("admin-calendar-en-desktop")
