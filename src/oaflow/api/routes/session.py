"""Signing in and out, and who one is (SEC-1)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response

from oaflow.api.deps import SESSION_COOKIE, TheApp, Who, address, set_session_cookie
from oaflow.api.problems import COMMON
from oaflow.api.schemas import SignIn
from oaflow.domain.security import Principal
from oaflow.services import auth
from oaflow.services.app import App
from oaflow.services.view_parts import Names
from oaflow.services.views import Dept, Person

router = APIRouter(tags=["session"], responses=COMMON)


@dataclass(frozen=True)
class Me:
    """The signed-in person: name, roles, departments, the unread count, and the session's
    form token (send it as X-CSRF-Token with every change)."""

    person: Person
    roles: tuple[str, ...]
    departments: tuple[Dept, ...]
    csrf: str | None = None


@router.post("/session", response_model=Me)
def sign_in(body: SignIn, request: Request, response: Response, app: TheApp) -> Me:
    """Sign in with a login and password; sets the session cookie (HttpOnly, SameSite)."""
    signed = auth.sign_in(app, body.login, body.password, address(request))
    set_session_cookie(request, response, signed.token)
    return _me(app, signed.principal, signed.csrf)


@router.delete("/session", status_code=204)
def sign_out(request: Request, response: Response, app: TheApp, who: Who) -> None:
    """Sign out: the session ends now."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.sign_out(app, token, who.address)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=Me)
def me(request: Request, app: TheApp, who: Who) -> Me:
    token = request.cookies.get(SESSION_COOKIE)
    csrf = auth.by_session(app, token).csrf if token else None
    return _me(app, who, csrf)


def _me(app: App, who: Principal, csrf: str | None) -> Me:
    with app.db.read() as conn:
        names = Names(app.org(conn))
    return Me(
        names.known(who.login),
        tuple(sorted(r.value for r in who.roles)),
        tuple(names.known_dept(d) for d in who.departments),
        csrf,
    )
