"""The migration page (/admin/processes/{key}/migrate, VER-4) in a browser: from the
administration overview to the process, the mapping row for the renamed node, a dry run
that lists every outcome and changes nothing, then the migration; on a phone and in English;
a department head is refused. Screenshots on desktop and phone.

The server runs on a database made here: the demo organisation and the migration scenario
(tests/migration_scenario.py), started now by the real clock like the server's."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from browsing import DESKTOP, PHONE, Visit, sign_in
from playwright.sync_api import Browser, expect

from migration_scenario import KEY, Instances, prepare
from oaflow.domain.clock import SystemClock
from oaflow.services import setup
from oaflow.services.app import App
from oaflow.storage.database import Database
from served import Served, start_server

PAGE = f"/admin/processes/{KEY}/migrate"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Instances]]:
    where = tmp_path_factory.mktemp("migrate-site")
    app = App(db=Database(f"sqlite:///{where / 'oaflow.db'}"), clock=SystemClock())
    try:
        setup.init(app, demo=True)
        found = prepare(app)
    finally:
        app.db.dispose()
    served = start_server(where)
    yield served, found
    served.stop()


@pytest.fixture
def open_as(browser: Browser, prepared: tuple[Served, Instances]) -> Iterator[Callable[..., Visit]]:
    served, _ = prepared
    contexts = []

    def open_(login: str, viewport: dict[str, int] = DESKTOP, lang: str = "zh") -> Visit:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        visit = Visit(context.new_page(), login, served.url)
        if lang == "en":
            visit.go("/lang/en?back=/login")
        sign_in(visit, login)
        return visit

    yield open_
    for context in contexts:
        context.close()


def rows(visit: Visit) -> dict[str, str]:
    found = visit.page.locator("#report tbody tr")
    return {
        str(found.nth(i).get_attribute("data-key")): str(found.nth(i).get_attribute("data-outcome"))
        for i in range(found.count())
    }


def open_tasks(visit: Visit, key: str) -> list[str]:
    shown = visit.page.request.get(f"{visit.base}/api/instances/{key}").json()
    return [r["node"]["id"] for r in shown["progress"] if r["is_open"]]


def test_a_dry_run_then_the_migration(
    open_as: Callable[..., Visit], prepared: tuple[Served, Instances]
) -> None:
    _, found = prepared
    admin = open_as("admin")
    admin.go("/admin")
    admin.page.click("a[href='/admin/processes/migrate'] >> nth=-1")
    expect(admin.page.locator(f"#mig-processes tr[data-process='{KEY}']")).to_contain_text("2")
    admin.shot("admin-migrate-processes-desktop")
    admin.page.click(f"a[href='{PAGE}']")
    expect(admin.page.locator("#mig-from")).to_have_value("1")
    expect(admin.page.locator("#mig-to")).to_have_value("2")
    expect(admin.page.locator("#mapping tr[data-node]")).to_have_count(2)  # review, receive
    admin.page.select_option("#map-review", "head_review")
    admin.page.click("#btn-dry-run")
    expect(admin.page.locator("#mig-said")).to_contain_text("未做任何修改")
    assert rows(admin) == {
        found.at_review: "would_migrate",
        found.at_receive: "refused",
        found.at_sign: "refused",
    }
    refused = admin.page.locator(f"#report tr[data-key='{found.at_receive}'] li")
    expect(refused).to_have_count(2)
    expect(refused.first).to_contain_text("receive（收货确认）")
    assert open_tasks(admin, found.at_review) == ["review"]  # nothing changed
    admin.shot("admin-migrate-dry-run-desktop")

    admin.page.click("#btn-migrate")
    expect(admin.page.locator("#mig-said")).to_contain_text("已迁移 1 个实例")
    assert rows(admin)[found.at_review] == "migrated"
    assert open_tasks(admin, found.at_review) == ["head_review"]
    admin.shot("admin-migrate-done-desktop")


def test_on_a_phone_in_english_and_refused_to_a_head(
    open_as: Callable[..., Visit], prepared: tuple[Served, Instances]
) -> None:
    _, found = prepared
    phone = open_as("admin", PHONE, "en")
    phone.go(PAGE)
    expect(phone.page.locator("h1")).to_contain_text("Migrate instances")
    phone.page.click("#btn-dry-run")  # no mapping: the renamed node lands nowhere
    expect(phone.page.locator("#mig-said")).to_contain_text("nothing changed")
    assert found.at_sign in rows(phone)
    assert phone.scroll_width() <= PHONE["width"]
    phone.shot("admin-migrate-dry-run-phone")
    phone.go("/admin/processes/customer-complaint/migrate")
    expect(phone.page.locator("#mig-one-version")).to_contain_text("publish another one")
    head = open_as("mkt.head")
    answer = head.go(PAGE)
    assert answer is not None and answer.status == 403
    posted = head.page.request.post(
        head.base + PAGE, form={"from": "1", "to": "2", "action": "migrate"}, max_redirects=0
    )
    assert posted.status == 403
