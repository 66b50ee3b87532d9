"""The archive pages (ARC-1) in Chromium on `serve --demo`: 市场部's head finds the launch's
archive in the list and from its instance page, sees every file with its size and SHA-256,
verifies it (intact), then a file of the folder is changed and verify names it; the
customer service head does not see the launch's archive. Desktop and phone screenshots."""

from __future__ import annotations

from collections.abc import Callable

from browsing import PHONE, Visit

from served import Served


def test_list_open_verify_and_catch_a_changed_file(
    visit: Callable[..., Visit], site: Served
) -> None:
    head = visit("mkt.head")
    head.go("/archives")
    page = head.page
    links = page.locator("#archive-table a", has_text="新产品A")
    assert links.count() == 1
    name = links.inner_text()
    assert name.startswith("项目归档-") and name.endswith("-新产品A")
    head.shot("archives-desktop")

    links.click()
    page.wait_for_url("**/archives/*")
    assert page.locator("#archive-name").inner_text() == name
    assert page.locator("#archive-state").inner_text() == "已生成"
    files = page.locator("#file-table tbody tr").all_inner_texts()
    assert any("progress-template3.csv" in f for f in files)
    assert any("manifest.json" in f for f in files)
    page.click("#btn-verify")
    assert "完好" in page.locator("#verify-result").inner_text()
    head.shot("archive-desktop")
    zipped = page.request.get(head.base + str(page.locator("#zip-link").get_attribute("href")))
    assert zipped.status == 200 and zipped.body()[:2] == b"PK"

    business_key = page.locator("header a.key").inner_text()
    head.go(f"/instances/{business_key}")
    assert page.locator("a.archive-link").inner_text() == name

    changed = site.cwd / "oaflow-files" / "archives" / name / "history.csv"
    changed.write_bytes(changed.read_bytes() + b"\r\nforged,row\r\n")
    phone = visit("mkt.head", viewport=PHONE, lang="en")
    phone.go("/archives")
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("archives-phone")
    phone.page.locator("#archive-table a", has_text="新产品A").click()
    phone.page.wait_for_url("**/archives/*")
    phone.page.click("#btn-verify")
    result = phone.page.locator("#verify-result").inner_text()
    assert "Tampered with: 1 problem(s)" in result and "folder history.csv: changed" in result
    phone.shot("archive-phone")
    assert phone.scroll_width() <= PHONE["width"]

    outsider = visit("csd.head")
    outsider.go("/archives")
    assert "新产品A" not in outsider.page.locator("main").inner_text()
