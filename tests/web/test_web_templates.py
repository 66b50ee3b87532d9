"""The templates page (/templates, TPL-1..4) in a browser: the four templates with their
blank downloads and exports; an administrator uploads a bad Template 2 sheet and sees every
problem with its sheet, row and column (nothing published), then the manual's rows publish;
on a phone a marketing head checks and starts a Template 1 row and sees a bad one's
problems; the instance page and the exception list link their templates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from browsing import PHONE, Visit

from oaflow.domain.template1 import COLUMNS as T1_COLUMNS
from oaflow.domain.template1 import EXAMPLE as T1_ROW
from oaflow.domain.template2_words import COLUMNS as T2_COLUMNS
from oaflow.domain.template2_words import EXAMPLE as T2_ROWS
from oaflow.present import sheets

T2_HEADERS = tuple(c.zh for c in T2_COLUMNS[:7])


def upload(visit: Visit, form: str, path: Path) -> None:
    page = visit.page
    page.set_input_files(f"#{form}-file", str(path))
    page.eval_on_selector(f"#{form}-result", "el => { el.innerHTML = '' }")  # the last answer
    with page.expect_response(f"**/templates/{form[1]}/import") as answered:
        page.click(f"#{form}-submit")
    assert answered.value.status in (200, 422), answered.value.text()
    page.wait_for_selector(f"#{form}-result > *")


def test_an_administrator_imports_template_2(visit: Callable[..., Visit], tmp_path: Path) -> None:
    admin = visit("admin")
    admin.go("/templates")
    page = admin.page
    assert page.locator(".tpl-card").count() == 4
    assert "流程节点配置表" in page.locator("#tpl2").inner_text()
    admin.shot("templates-desktop")

    bad_rows = [
        T2_ROWS[0],
        (
            "002",
            "需求审核",
            "采购部负责人",
            "",
            "审批结果(通过/驳回)",
            "两天",
            "001节点完成后自动触发",
        ),
        ("003", "研发方案输出", "研发部负责人", "", "", "72", "005节点通过后自动触发"),
    ]
    bad = tmp_path / "nodes.xlsx"
    bad.write_bytes(sheets.to_xlsx([sheets.Sheet("流程节点配置表", T2_HEADERS, bad_rows)]))
    page.fill("#t2-key", "demand-review")
    page.fill("#t2-name", "需求评审流程")
    upload(admin, "t2", bad)
    problems = page.locator("#sheet-problems tbody tr")
    assert problems.count() == 3
    cells = [problems.nth(i).locator("td").all_inner_texts()[:3] for i in range(3)]
    assert cells == [
        ["流程节点配置表", "3", "负责部门/人"],
        ["流程节点配置表", "3", "时限(小时)"],
        ["流程节点配置表", "4", "系统触发条件"],
    ]
    assert "未做任何更改" in page.locator("#sheet-problems").inner_text()
    page.locator("#t2-result").scroll_into_view_if_needed()
    admin.shot("templates-problems-desktop")

    good = tmp_path / "good.csv"
    good.write_bytes(sheets.to_csv(T2_HEADERS, T2_ROWS))
    upload(admin, "t2", good)
    assert "已发布 V1.0-" in page.locator("#sheet-definition").inner_text()
    answer = page.request.get(admin.base + "/templates/2/file?process=demand-review&format=csv")
    assert answer.ok and answer.body().startswith(b"\xef\xbb\xbf")
    assert answer.body().decode("utf-8-sig").splitlines()[1:] == [",".join(r) for r in T2_ROWS]


def test_template_1_on_a_phone(visit: Callable[..., Visit], tmp_path: Path) -> None:
    phone = visit("mkt.head", viewport=PHONE, lang="en")
    phone.go("/templates")
    page = phone.page
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("templates-phone")
    headers = tuple(c.zh for c in T1_COLUMNS)
    evil = (*T1_ROW[:2], "研发部、采购部", *T1_ROW[3:7], '=HYPERLINK("http://x")')
    bad = tmp_path / "forms.csv"
    bad.write_bytes(sheets.to_csv(headers, [T1_ROW]) + (",".join(evil) + "\r\n").encode())
    page.select_option("#t1-process", "new-product-launch")
    upload(phone, "t1", bad)
    listed = page.locator("#sheet-problems tbody tr")
    assert listed.count() == 2
    assert "Collaborating" not in listed.nth(0).inner_text()  # the manual's column titles
    assert listed.nth(0).locator("td").all_inner_texts()[:3] == ["forms", "3", "备注"]
    assert listed.nth(1).locator("td").all_inner_texts()[:3] == ["forms", "3", "协同部门"]
    page.locator("#t1-result").scroll_into_view_if_needed()
    phone.shot("templates-problems-phone")
    assert phone.scroll_width() <= PHONE["width"]

    good = tmp_path / "form.csv"
    good.write_bytes(sheets.to_csv(headers, [T1_ROW]))
    page.check("#t1-dry")
    upload(phone, "t1", good)
    assert "Checked (1 rows); nothing started." in page.locator("#sheet-started").inner_text()
    page.uncheck("#t1-dry")
    upload(phone, "t1", good)
    started = page.locator("#sheet-started a.key")
    key = started.inner_text()
    started.click()
    page.wait_for_url(f"**/instances/{key}")
    links = page.locator("#instance-templates a")
    assert links.count() == 4
    answer = page.request.get(phone.base + f"/templates/1/file?business_key={key}&format=csv")
    row = answer.body().decode("utf-8-sig").splitlines()[1]  # in the page's language
    assert row.startswith('新产品A上市推进,Marketing,"R&D, Production, Sales",')
    assert "3.15前研发输出方案(R&D head)4.1前生产确认产能(Production head)" in row


def test_the_exception_list_links_template_4(visit: Callable[..., Visit]) -> None:
    head = visit("mkt.head")
    head.go("/exceptions")
    link = head.page.locator("#exc-template4")
    answer = head.page.request.get(head.base + str(link.get_attribute("href")))
    assert answer.ok and answer.headers["content-type"].startswith("application/vnd.openxml")
