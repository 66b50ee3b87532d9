"""A signed-in person's browser tab in the browser tests, and where screenshots go:
``screenshots/`` at the repository root (or ``OAFLOW_SCREENSHOTS``), named by page and
viewport (desktop 1280 px, phone 375 px)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, Response

SCREENSHOTS = Path(
    os.environ.get("OAFLOW_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots")
)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@dataclass
class Visit:
    """A signed-in person's browser tab, with the requests that tried to leave 127.0.0.1."""

    page: Page
    login: str
    base: str
    outside: list[str] = field(default_factory=list)

    def go(self, path: str) -> Response | None:
        return self.page.goto(self.base + path)

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def scroll_width(self) -> int:
        return int(self.page.evaluate("document.documentElement.scrollWidth"))


def sign_in(visit: Visit, login: str, password: str = "demo") -> None:
    page = visit.page
    visit.go("/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("form button[type=submit]")
    page.wait_for_url(visit.base + "/")
