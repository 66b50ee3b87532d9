"""The knowledge base (VER-3) in Chromium on the demo site: the administrator publishes a
second version of the annual budget through the process page with a change note; the new
version's page lists the changes in words and colours them on the diagram (the removed
approval level listed and drawn on the version before); the version history and the
knowledge base list it; a member reads them on a phone; screenshots of each."""

from __future__ import annotations

from collections.abc import Callable

from browsing import PHONE, Visit

from version_scenario import budget_v2


def test_publish_a_version_and_read_its_changes(visit: Callable[..., Visit]) -> None:
    admin = visit("admin")
    page = admin.page
    admin.go("/processes")
    others = page.locator("#other-imports a")
    assert [others.nth(i).get_attribute("href") for i in range(others.count())] == [
        "/admin/bpmn",
        "/templates#tpl2",
    ]
    page.fill("#source", "key: annual-budget\n")  # not a definition: refused, the note kept
    page.fill("#note", "简化预算审批级次")
    page.click("button[value=publish]")
    assert page.locator("#validate-result[role=alert]").count() == 1
    assert page.locator("#note").input_value() == "简化预算审批级次"
    page.fill("#source", budget_v2())
    page.fill("#note", "简化预算审批级次")
    page.click("button[value=publish]")
    page.wait_for_url("**/knowledge/annual-budget/versions/2*")
    assert "V1.1-" in page.locator("h1").inner_text()
    assert "流程变更通知已发给" in page.locator(".flash").inner_text()
    assert "简化预算审批级次" in page.locator("#change-note").inner_text()
    changes = page.locator(".changes li").all_inner_texts()
    assert "节点「各部门提交预算」时限 40 → 24 工作小时" in changes
    assert "新增表单字段「预算说明」（text，必填）" in changes
    assert page.locator(".changes li[data-kind=removed]").count() == 3  # 2 nodes, 1 table
    chart = page.locator("figure.flowchart").first
    assert chart.locator("g.node-changed").count() == 2  # dept_budgets, leader_approval
    assert chart.locator("g[data-node=dept_budgets]").get_attribute("data-state") == "changed"
    assert "总经理审批" in page.locator("#removed-nodes").inner_text()
    page.click("details.removed-diagram summary")
    old = page.locator("details.removed-diagram figure.flowchart")
    assert old.locator("g.node-removed").count() == 2
    assert page.locator("#migrate-link").get_attribute("href") == (
        "/admin/processes/annual-budget/migrate"
    )
    admin.shot("knowledge-version-desktop")

    admin.go("/knowledge/annual-budget")
    history = page.locator("#kb-history > li")
    assert history.count() == 2
    assert "简化预算审批级次" in history.first.inner_text()
    assert "首个版本" in history.last.inner_text()
    admin.shot("knowledge-history-desktop")
    page.click("form.compare button[type=submit]")  # V1.0 → V1.1, as the form offers
    page.wait_for_url("**/knowledge/annual-budget/diff?from=1&to=2")
    assert page.locator(".changes li").count() == 6
    assert page.locator("figure.flowchart").first.locator("g.node-changed").count() == 2
    admin.go("/knowledge")
    budget = page.locator("#kb-processes li[data-process=annual-budget]")
    assert "V1.1-" in budget.inner_text() and "2 个版本" in budget.inner_text()
    admin.shot("knowledge-desktop")
    admin.go("/knowledge/annual-budget/versions/V9.9")
    assert "没有版本 V9.9" in page.locator("main").inner_text()

    phone = visit("fin.staff", viewport=PHONE, lang="en")
    phone.go("/knowledge/annual-budget/versions/V1.1")
    assert phone.page.locator("#migrate-link").count() == 0  # administrators only
    texts = phone.page.locator(".changes li").all_inner_texts()
    assert 'Node "Department budgets" time limit: 40 → 24 working h' in texts
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("knowledge-version-phone")
    phone.go("/knowledge")
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("knowledge-phone")
