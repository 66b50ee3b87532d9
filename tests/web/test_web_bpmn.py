"""The BPMN import page (/admin/bpmn, DEF-1) in a browser: an administrator picks a file with
unsupported elements and sees every one listed, picks a file drawn in another modeler and
sees the defaults taken and the definition it becomes, publishes it and lands on the
process's page; the same on a phone in English; a process downloads as .bpmn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from browsing import PHONE, Visit

SAMPLES = Path(__file__).parents[1] / "unit" / "bpmn"


def pick(visit: Visit, name: str) -> None:
    """Choose a sample file; the page's script reads it into the XML box."""
    visit.page.set_input_files("#bpmn-file", str(SAMPLES / name))
    visit.page.wait_for_function("document.getElementById('bpmn-xml').value.length > 100")


def test_an_administrator_checks_and_publishes_a_bpmn_file(visit: Callable[..., Visit]) -> None:
    admin = visit("admin")
    admin.go("/admin/bpmn")
    page = admin.page
    assert page.locator("nav.admin-tabs a[aria-current=page]").inner_text() == "BPMN 导入"
    pick(admin, "unsupported.bpmn")
    page.click("#btn-bpmn-publish")
    listed = page.locator("#bpmn-problems li")
    assert listed.count() == 10
    assert "子流程" in page.locator("#bpmn-result").inner_text()
    assert "未发布任何内容" in page.locator("#bpmn-result").inner_text()
    admin.shot("bpmn-import-problems-desktop")

    drawn = (SAMPLES / "purchase-request.bpmn").read_text(encoding="utf-8")
    page.fill("#bpmn-xml", drawn.replace("10000}", "10000 &amp;&amp; urgent}"))
    page.click("#btn-bpmn-check")  # a condition in another engine's syntax
    problem = page.locator("#bpmn-problems li").first.inner_text()
    assert problem.startswith("upload.yaml:") and "Gateway_amount" in problem
    line = int(problem.split(":")[1])
    assert "&& urgent" in page.locator("#bpmn-yaml li").nth(line - 1).inner_text()
    admin.shot("bpmn-import-yaml-problem-desktop")

    pick(admin, "purchase-request.bpmn")
    page.click("#btn-bpmn-check")
    assert "校验通过：purchase-request（7 个节点）" in page.locator("#bpmn-result").inner_text()
    assert page.locator("#bpmn-notes li").count() == 5
    assert "department: mkt" in page.locator("#bpmn-yaml").inner_text()
    admin.shot("bpmn-import-preview-desktop")
    page.click("#btn-bpmn-publish")
    page.wait_for_url("**/processes/purchase-request?flash=*")
    assert "采购申请" in page.content()

    answer = page.request.get(admin.base + "/processes/purchase-request/bpmn")
    assert answer.ok and b"<bpmndi:BPMNShape" in answer.body()
    assert 'filename="purchase-request-v1.bpmn"' in answer.headers["content-disposition"]


def test_the_import_page_on_a_phone_in_english(visit: Callable[..., Visit]) -> None:
    phone = visit("admin", viewport=PHONE, lang="en")
    phone.go("/admin/bpmn")
    pick(phone, "purchase-request.bpmn")
    phone.page.click("#btn-bpmn-check")
    assert "Valid: purchase-request (7 nodes)" in phone.page.locator("#bpmn-result").inner_text()
    assert "working hours taken" in phone.page.locator("#bpmn-notes").inner_text()
    phone.shot("bpmn-import-preview-phone")
    assert phone.scroll_width() <= PHONE["width"]
    pick(phone, "unsupported.bpmn")
    phone.page.click("#btn-bpmn-check")
    assert phone.page.locator("#bpmn-problems li").count() == 10
    phone.shot("bpmn-import-problems-phone")
    assert phone.scroll_width() <= PHONE["width"]


def test_a_member_may_not_import(visit: Callable[..., Visit]) -> None:
    member = visit("csd.staff")
    answer = member.go("/admin/bpmn")
    assert answer is not None and answer.status == 403


def test_a_process_is_drawn_by_the_vendored_bpmn_viewer(visit: Callable[..., Visit]) -> None:
    member = visit("fin.staff")
    member.go("/processes/annual-budget")  # the process page leads to its BPMN and Template 2
    links = member.page.locator("#process-files a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "/processes/annual-budget/bpmn/view?version=1",
        "/processes/annual-budget/bpmn?version=1",
        "/templates/2/file?process=annual-budget&version=1",
    ]
    links.first.click()
    page = member.page
    page.wait_for_selector("#bpmn-canvas[data-shown=true]")
    shapes = page.locator("#bpmn-canvas .djs-element.djs-shape")
    assert shapes.count() >= 12  # the budget's 12 nodes (and the labels of its gateways)
    assert "分管领导审批" in page.locator("#bpmn-canvas").inner_text()
    assert page.locator("#bpmn-status").is_hidden()
    assert page.locator("#bpmn-download").get_attribute("href") == (
        "/processes/annual-budget/bpmn?version=1"
    )
    member.shot("bpmn-view-desktop")
    phone = visit("fin.staff", viewport=PHONE, lang="en")
    phone.go("/processes/annual-budget/bpmn/view")
    phone.page.wait_for_selector("#bpmn-canvas[data-shown=true]")
    assert "Download BPMN" in phone.page.locator("#bpmn-download").inner_text()
    phone.shot("bpmn-view-phone")
    assert phone.scroll_width() <= PHONE["width"]
