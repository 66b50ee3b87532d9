"""Who looks at a page: the browser's session (the API's cookie), the language chosen and
the form token. Pages need a session; without one they send the browser to the sign-in
page. Every change (POST) must carry the session's CSRF token, as a form field or header."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from oaflow.api.deps import CSRF_HEADER, SAFE, SESSION_COOKIE, address, from_session
from oaflow.domain.errors import UnauthenticatedError
from oaflow.domain.security import Principal
from oaflow.services.app import App

LANG_COOKIE = "oaflow_lang"
CSRF_FIELD = "csrf"


class SignInNeeded(Exception):
    """No (valid) session: the page sends the browser to sign in, then back to ``next``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class Viewer:
    """A signed-in person looking at a page."""

    principal: Principal
    csrf: str
    lang: str

    @property
    def login(self) -> str:
        return self.principal.login


def the_app(request: Request) -> App:
    app: App = request.app.state.oaflow
    return app


def language(request: Request) -> str:
    """The language chosen with the switch (a cookie); Chinese until one switches."""
    chosen = request.cookies.get(LANG_COOKIE) or ""
    return chosen if chosen in ("zh", "en") else "zh"


def _where_to(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


async def viewer(request: Request) -> Viewer:
    """The signed-in person, or ``SignInNeeded``; a change also needs the CSRF token."""
    app = the_app(request)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInNeeded(_where_to(request) if request.method in SAFE else "/")
    sent = request.headers.get(CSRF_HEADER, "")
    posted = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    if request.method not in SAFE and not sent and posted:
        sent = str((await request.form()).get(CSRF_FIELD) or "")
    try:
        found = from_session(app, token, request.method, sent)
    except UnauthenticatedError:
        raise SignInNeeded(_where_to(request) if request.method in SAFE else "/") from None
    who = replace(found.principal, address=address(request))
    request.state.oaflow_who = who
    return Viewer(who, found.csrf or "", language(request))


Seen = Annotated[Viewer, Depends(viewer)]
TheApp = Annotated[App, Depends(the_app)]


def sign_in_path(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")
