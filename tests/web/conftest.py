"""Browser tests: Chromium (Debian's package, driven by Playwright — never `playwright
install`) against a real `oaflow serve --demo` on 127.0.0.1.

Every page a test opens is guarded: a request to any host but 127.0.0.1 is refused and
recorded, and the test fails if there was one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browsing import DESKTOP, Visit, sign_in
from playwright.sync_api import Browser, BrowserContext, Route, sync_playwright

from served import OAFLOW, Served, run_in, start_server

CHROMIUM = os.environ.get("OAFLOW_CHROMIUM", "/usr/lib/chromium/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ON_CI = os.environ.get("CI", "").lower() == "true"


def _chromium() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        reason = f"Chromium is not installed ({CHROMIUM}): apt-get install -y chromium"
        if ON_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def demo_site_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the demo database and its files after `oaflow init --demo
    --with-history` (its six simulated weeks end when this test worker began): made once,
    copied for every module's server."""
    folder = tmp_path_factory.mktemp("demo-site")
    run_in(folder, [*OAFLOW, "init", "--demo", "--with-history"], timeout=300)
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demo_site_files: Path) -> Iterator[Served]:
    """`oaflow serve --demo` on a copy of the demo database with its simulated weeks (the
    server says so and serves it as it is), for a module."""
    folder = tmp_path_factory.mktemp("site")
    shutil.copytree(demo_site_files, folder, dirs_exist_ok=True)
    served = start_server(folder, "--demo")
    yield served
    served.stop()


@pytest.fixture
def visit(browser: Browser, site: Served) -> Iterator[Callable[..., Visit]]:
    """``visit(login, viewport=DESKTOP, lang="zh")``: a new browser context signed in as
    ``login`` through the sign-in page."""
    opened: list[tuple[BrowserContext, Visit]] = []

    def open_as(login: str | None, viewport: dict[str, int] = DESKTOP, lang: str = "zh") -> Visit:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        visit = Visit(context.new_page(), login or "", site.url)

        def guard(route: Route) -> None:
            url = route.request.url
            if urlparse(url).hostname == "127.0.0.1":
                route.continue_()
            else:
                visit.outside.append(url)
                route.abort()

        context.route("**/*", guard)
        opened.append((context, visit))
        if lang == "en":
            visit.go("/lang/en?back=/login")
        if login is not None:
            sign_in(visit, login)
        return visit

    yield open_as
    for context, visit in opened:
        context.close()
        assert not visit.outside, f"requests left 127.0.0.1: {visit.outside}"
