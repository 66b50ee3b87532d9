"""Who calls: a session cookie (browsers; unsafe methods also need the session's CSRF
token) or a bearer API token (other systems; scoped). One principal per request, handed to
the services, which authorise it like any caller."""

from __future__ import annotations

import hmac
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request, Response

from oaflow.domain.errors import ForbiddenError, UnauthenticatedError
from oaflow.domain.security import Principal
from oaflow.services import auth
from oaflow.services.app import App

SESSION_COOKIE = "oaflow_session"
CSRF_HEADER = "x-csrf-token"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
#: where a caller already proven for this request (by the idempotency middleware) is kept
CALLER_STATE = "oaflow_caller"


def the_app(request: Request) -> App:
    app: App = request.app.state.oaflow
    return app


def caller(request: Request) -> auth.Caller:
    """The proven caller of this request, or 401."""
    proven: auth.Caller | None = request.scope.get("state", {}).get(CALLER_STATE)
    if proven is not None:
        return proven
    app = the_app(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = auth.by_token(app, header[7:].strip())
        needed = "read" if request.method in SAFE else "write"
        if needed not in found.scopes:
            raise ForbiddenError("auth.token_scope", scope=needed)
        return found
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise UnauthenticatedError("auth.not_signed_in")
    return from_session(app, token, request.method, request.headers.get(CSRF_HEADER, ""))


def from_session(app: App, token: str, method: str, sent_csrf: str) -> auth.Caller:
    """The caller of a browser session (API and pages alike); a change (an unsafe
    ``method``) must carry the session's CSRF token."""
    found = auth.by_session(app, token)
    if method not in SAFE and (not found.csrf or not hmac.compare_digest(sent_csrf, found.csrf)):
        raise ForbiddenError("auth.csrf")
    return found


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over https, as long as the session."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
        path="/",
    )


def principal(request: Request, found: Annotated[auth.Caller, Depends(caller)]) -> Principal:
    """The caller, with where the request comes from (for the audit log); kept on the
    request so that a refusal can be recorded as theirs (problems.py)."""
    who = replace(found.principal, address=address(request))
    request.state.oaflow_who = who
    return who


Who = Annotated[Principal, Depends(principal)]
TheApp = Annotated[App, Depends(the_app)]


def address(request: Request) -> str:
    return request.client.host if request.client else ""
