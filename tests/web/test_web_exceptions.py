"""The exception loop's pages in Chromium on the demo company (EXC-1..4): the manual's worked
example (b) entered by hand on a running complaint by the people who own each step — the
initiating department (客户服务部) reports it, the responsible department (生产部) submits its
report, the initiating department coordinates, the handler resolves, someone without the
right is refused the verification (nothing changed), the initiating department verifies and
the Template 4 row on /exceptions prints the texts; then it is reopened. Phone screenshots
of the record and the list. Bad input through the forms' addresses: each refusal shows its
coded error in the viewer's language and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from browsing import PHONE, Visit
from playwright.sync_api import expect

from served import Served

ZONE = ZoneInfo("Asia/Shanghai")  # the demo's business calendar
DESCRIPTION = "未在72小时内提交方案"
PLAN = "客户需求确认后延迟24小时提交"
#: the running complaint returned to 生产部, whose step 原因分析与处理 has no exception yet
COMPLAINT = "客户投诉-同批次多台屏幕划痕"
#: the loop's steps on a record's timeline
STEPS = {
    f"exception_{s}" for s in ("report", "coordinate", "resolve", "verify", "reject", "reopen")
}
#: every visible form control without a label
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length)
               && !e.getAttribute('aria-label'))
  .map(e => e.outerHTML.slice(0, 120))"""


def running(visit: Visit, title: str) -> str:
    """The business key of the running complaint ``title`` (the demo's keys follow today's
    date)."""
    answer = visit.page.request.get(
        visit.base + "/api/instances?process=customer-complaint&state=running"
    )
    return str(next(i["business_key"] for i in answer.json()["items"] if i["title"] == title))


def ahead(days: int, at: str = "10:00") -> str:
    """A datetime-local value ``days`` ahead of today, in the business calendar's zone."""
    day = datetime.now(ZONE).date() + timedelta(days=days)
    return f"{day.isoformat()}T{at}"


def today() -> set[str]:
    now = datetime.now(ZONE)
    return {now.date().isoformat(), (now - timedelta(minutes=10)).date().isoformat()}


def state_of(visit: Visit) -> str:
    return visit.page.locator("#exc-state").inner_text()


def test_the_worked_example_through_the_pages(visit: Callable[..., Visit]) -> None:
    service, production, handler = visit("csd.head"), visit("prd.head"), visit("prd.staff")
    key = running(service, COMPLAINT)

    # 发现: the initiating department reports it by hand on the instance page
    service.go(f"/instances/{key}")
    service.page.click("#exc-new summary")
    service.page.select_option("#xn-node", label="原因分析与处理")
    service.page.fill("#xn-description", DESCRIPTION)
    service.page.click("#btn-exc-new")
    service.page.wait_for_url(re.compile(r"/exceptions/ABN\d+"))
    code = service.page.locator("h1 .key").inner_text()
    expect(service.page.locator(".flash")).to_contain_text(code)
    assert state_of(service) == "发现"
    expect(service.page.locator(".facts")).to_contain_text("责任部门: 生产部")
    expect(service.page.locator("#exc-due")).to_contain_text("说明截止")
    expect(service.page.locator("#exc-may form")).to_have_count(0)  # the report is 生产部's
    service.go(f"/instances/{key}")
    expect(service.page.locator("#exception-table a", has_text=code)).to_have_attribute(
        "href", f"/exceptions/{code}"
    )

    # 已上报: the responsible department's report (异常处理说明)
    production.go(f"/exceptions/{code}")
    expect(production.page.locator("#exc-may form")).to_have_count(1)
    assert production.page.evaluate(UNLABELLED) == []
    production.page.select_option("#x-category", "需求变更")
    production.page.fill("#x-cause", "客户需求临时变更，需额外确认")
    production.page.fill("#x-expected", ahead(2, "12:00"))
    production.page.fill("#x-resources", "市场部协助确认客户需求")
    production.page.click("#btn-report")
    expect(production.page.locator(".flash")).to_contain_text("提交异常处理说明")
    assert state_of(production) == "已上报"
    expect(production.page.locator("#exc-report")).to_contain_text("客户需求临时变更，需额外确认")
    expect(production.page.locator("#exc-report")).to_contain_text("市场部协助确认客户需求")

    # 处理中: the initiating department records the coordination
    service.go(f"/exceptions/{code}")
    expect(service.page.locator("#x-handler optgroup[label=生产部] option")).not_to_have_count(0)
    assert service.page.evaluate(UNLABELLED) == []
    service.page.fill("#x-plan", PLAN)
    service.page.select_option("#x-handler", "prd.staff")
    service.page.fill("#x-deadline", ahead(3, "12:00"))
    service.page.click("#btn-coordinate")
    expect(service.page.locator(".flash")).to_contain_text("协调决议")
    assert state_of(service) == "处理中"
    expect(service.page.locator("#exc-coordination")).to_contain_text("杨丽（生产部）")

    # 待验证: the handler marks it resolved
    handler.go(f"/exceptions/{code}")
    handler.page.fill("#x-note", "方案已按新的截止时间提交")
    handler.page.click("#btn-resolve")
    expect(handler.page.locator(".flash")).to_contain_text("处理完成")
    assert state_of(handler) == "待验证"

    # a verification by someone without the right: no form, and the address refuses it
    production.go(f"/exceptions/{code}")
    expect(production.page.locator("#verify-form")).to_have_count(0)
    token = production.page.locator("input[name=csrf]").first.get_attribute("value") or ""
    refused = production.page.request.post(
        production.base + f"/exceptions/{code}/verify",
        form={"csrf": token, "result": "通过", "passed": "yes"},
    )
    assert refused.status == 403
    assert "不属于发起部门" in refused.text() and "exception.not_initiating" in refused.text()
    production.go(f"/exceptions/{code}")
    assert state_of(production) == "待验证"

    # 已关闭: verified by the initiating department; the Template 4 row as printed
    service.go(f"/exceptions/{code}")
    service.page.fill("#x-result", "方案通过评审")
    service.page.click("#btn-verify")
    expect(service.page.locator(".flash")).to_contain_text("结果验证")
    assert state_of(service) == "已关闭"
    service.go("/exceptions?state=all")
    row = service.page.locator(f"#exc-table tr[data-code={code}]")
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    assert cells[:5] == [code, key, "原因分析与处理", DESCRIPTION, "客户服务部"]
    assert cells[6:8] == [PLAN, "杨丽（生产部）"]
    assert cells[9:] == ["方案通过评审", "已关闭"]
    for at in (cells[5], cells[8]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", at) and at[:10] in today(), at
    service.go("/exceptions")  # the open ones: a closed record is not among them
    expect(service.page.locator(f"#exc-table tr[data-code={code}]")).to_have_count(0)

    # 已重开: reopened with a reason, coordinated again from there
    service.go(f"/exceptions/{code}")
    service.page.fill("#x-reason", "客户再次变更需求")
    service.page.click("#btn-reopen")
    assert state_of(service) == "已重开"
    expect(service.page.locator("#exc-reopen-reason")).to_have_text("客户再次变更需求")
    kinds = service.page.locator("#exc-history li").evaluate_all("l => l.map(e => e.dataset.kind)")
    # opened by hand (or, had a timer found the task overdue meanwhile, that record taken over)
    assert {"exception_opened", "exception_confirmed"} & set(kinds), kinds
    assert [k for k in kinds if k in STEPS] == [
        "exception_report",
        "exception_coordinate",
        "exception_resolve",
        "exception_verify",
        "exception_reopen",
    ], kinds
    expect(service.page.locator("#coordinate-form")).to_have_count(1)

    # on a phone: the record with its forms, the list as cards; nothing wider than the screen
    phone = visit("csd.head", viewport=PHONE)
    for path, name in ((f"/exceptions/{code}", "record"), ("/exceptions?state=all", "list")):
        phone.go(path)
        assert phone.scroll_width() <= PHONE["width"], name
        phone.shot(f"exception-{name}-phone")
    card = phone.page.locator(f"#exc-table tr[data-code={code}]")
    box = card.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    service.go(f"/exceptions/{code}")
    service.shot("exception-record-desktop")


@pytest.fixture
def signed_in(site: Served) -> Iterator[Callable[[str], httpx.Client]]:
    """``signed_in(login)``: an HTTP client with that person's session."""
    clients: list[httpx.Client] = []

    def sign_in(login: str) -> httpx.Client:
        client = httpx.Client(base_url=site.url, timeout=30)
        clients.append(client)
        answer = client.post("/login", data={"login": login, "password": "demo"})
        assert answer.status_code == 303, answer.text
        return client

    yield sign_in
    for client in clients:
        client.close()


def csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/exceptions").text)
    assert found
    return found.group(1)


def test_bad_input_shows_why_and_changes_nothing(
    signed_in: Callable[[str], httpx.Client],
) -> None:
    service, logistics, finance = (
        signed_in("csd.head"),
        signed_in("log.head"),
        signed_in("fin.head"),
    )
    # the complaint 物流部 never acknowledged: the timer found its exception
    found = service.get("/api/exceptions", params={"state": "found"}).json()
    record = next(r for r in found if (r["department"] or {}).get("code") == "log")
    code, key = record["code"], record["business_key"]

    def post(client: httpx.Client, path: str, **form: str) -> httpx.Response:
        return client.post(path, data={"csrf": csrf(client), **form})

    def state() -> str:
        return str(service.get(f"/api/exceptions/{code}").json()["record"]["state"])

    # its report is overdue: said in red, in words
    page = service.get(f"/exceptions/{code}").text
    assert 'id="exc-due" class="late-due"' in page and "已超时，尚未提交说明" in page

    # reporting on the instance: no description; a node that is not there
    answer = post(service, f"/instances/{key}/exceptions", node="handle", description=" ")
    assert answer.status_code == 422
    assert "上报异常需要填写说明" in answer.text and "exception.no_description" in answer.text
    answer = post(service, f"/instances/{key}/exceptions", node="nowhere", description="试试")
    assert answer.status_code == 404 and "没有节点“nowhere”" in answer.text
    assert "试试</textarea>" in answer.text  # what was typed stays

    # the report: not the initiating department's; a time past; an unknown category
    report = {"category": "需求变更", "cause": "车辆故障", "expected": ahead(1), "resources": ""}
    answer = post(service, f"/exceptions/{code}/report", **report)
    assert answer.status_code == 403 and "exception.not_responsible" in answer.text
    answer = post(logistics, f"/exceptions/{code}/report", **{**report, "expected": ahead(-1)})
    assert answer.status_code == 422 and "已经过去" in answer.text
    assert "车辆故障</textarea>" in answer.text
    answer = post(logistics, f"/exceptions/{code}/report", **{**report, "category": "天气"})
    assert answer.status_code == 422 and "没有原因分类“天气”" in answer.text
    # coordinating before the report: the wrong state
    answer = post(
        service,
        f"/exceptions/{code}/coordinate",
        plan="改期",
        handler="log.staff",
        deadline=ahead(2),
    )
    assert answer.status_code == 409 and "exception.wrong_state" in answer.text
    assert state() == "found"

    # reported properly; then an unknown handler and a past deadline are refused
    answer = post(logistics, f"/exceptions/{code}/report", **report)
    assert answer.status_code == 303 and state() == "reported"
    coordination = {"plan": "改期", "handler": "nobody", "deadline": ahead(2)}
    answer = post(service, f"/exceptions/{code}/coordinate", **coordination)
    assert answer.status_code == 422 and "exception.unknown_handler" in answer.text
    answer = post(
        service,
        f"/exceptions/{code}/coordinate",
        **{**coordination, "handler": "log.staff", "deadline": ahead(-2)},
    )
    assert answer.status_code == 422 and "exception.time_past" in answer.text
    answer = post(service, f"/exceptions/{code}/coordinate", **{**coordination, "plan": " "})
    assert answer.status_code == 422 and "协调决议需要填写处理方案" in answer.text
    assert state() == "reported"

    # in English: the same refusal in the viewer's language
    service.cookies.set("oaflow_lang", "en")
    answer = post(service, f"/exceptions/{code}/coordinate", **coordination)
    assert "the handler nobody is not an active user" in answer.text
    listed = service.get("/exceptions").text
    assert "linked task" in listed and ">Open<" in listed and "reported" in listed
    # without the form token nothing happens; outside one's scope a record does not exist
    answer = service.post(f"/exceptions/{code}/reopen", data={"reason": "x"})
    assert answer.status_code == 403
    assert finance.get(f"/exceptions/{code}").status_code == 404
    assert service.get("/exceptions/ABN19990101").status_code == 404
    assert service.get("/exceptions?state=nonsense").status_code == 200
    assert state() == "reported"
