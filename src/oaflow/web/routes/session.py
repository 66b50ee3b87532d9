"""Signing in and out in the browser, and the language switch. The session is the API's
(the same HttpOnly cookie, the same throttling of failed attempts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.api.deps import SESSION_COOKIE, address, set_session_cookie
from oaflow.domain.errors import OAFlowError
from oaflow.services import auth
from oaflow.web import render
from oaflow.web.viewer import LANG_COOKIE, Seen, TheApp, language

router = APIRouter()
YEAR = 365 * 24 * 3600


def local_path(value: str | None, default: str = "/") -> str:
    """Only a path of this site (never another host: ``//evil`` or ``https://…``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


@router.get("/login")
def sign_in_page(request: Request, app: TheApp, next: str = "/") -> Response:
    return render.page(request, app, None, "login.html", next=local_path(next), error="")


@router.post("/login")
def sign_in(
    request: Request,
    app: TheApp,
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    lang = language(request)
    try:
        signed = auth.sign_in(app, login.strip(), password, address(request))
    except OAFlowError as error:
        return render.page(
            request,
            app,
            None,
            "login.html",
            status=401 if error.kind == "unauthenticated" else 429,
            next=local_path(next),
            error=error.text(lang, app.calendar.tz),
            login=login,
        )
    answer = RedirectResponse(local_path(next), status_code=303)
    set_session_cookie(request, answer, signed.token)
    return answer


@router.post("/logout")
def sign_out(request: Request, app: TheApp, viewer: Seen) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.sign_out(app, token, viewer.principal.address)
    answer = RedirectResponse("/login?signed_out=1", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path="/")
    return answer


@router.get("/lang/{lang}")
def switch_language(lang: str, back: str = "/") -> Response:
    """Remember the language chosen (zh or en) and go back to the page."""
    answer = RedirectResponse(local_path(back), status_code=303)
    if lang in ("zh", "en"):
        answer.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="lax", path="/")
    return answer
