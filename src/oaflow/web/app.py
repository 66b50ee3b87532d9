"""The web UI beside the API: server-rendered pages (Jinja2, htmx for the parts that change
in place), vendored static assets, the same services and the same authorisation as every
caller. Errors on pages are pages in the viewer's language, never problem+json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from oaflow.api.problems import STATUS
from oaflow.domain.errors import OAFlowError
from oaflow.services import audit
from oaflow.services.app import App
from oaflow.web import render
from oaflow.web.routes import (
    admin,
    archives,
    board,
    bpmn,
    exception_analysis,
    exceptions,
    inbox,
    instances,
    integration,
    knowledge,
    meetings,
    notices,
    processes,
    reports,
    session,
    start,
    surveys,
    tasks,
    templates,
)
from oaflow.web.viewer import SignInNeeded, language, sign_in_path

STATIC = Path(__file__).parent / "static"
#: exception_analysis before any page under /exceptions/{code}: "analysis" is not a code
ROUTERS = (
    session,
    exception_analysis,
    exceptions,
    inbox,
    tasks,
    start,
    instances,
    board,
    notices,
    processes,
    knowledge,
    meetings,
    admin,
    bpmn,
    integration,
    archives,
    templates,
    reports,
    surveys,
)
#: paths the API answers (problem+json); everything else is a page
API_PREFIXES = ("/api/", "/a/", "/healthz", "/readyz")


def create_site(app: App) -> FastAPI:
    """What ``oaflow serve`` serves: the API under /api and the pages beside it."""
    from oaflow.api.app import create_api

    site = create_api(app)
    install(site, app)
    return site


def install(api: FastAPI, app: App) -> None:
    """Add the pages, the static assets and the pages' error handling to ``api``."""
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTERS:
        api.include_router(module.router, include_in_schema=False)
    api_errors = api.exception_handlers[OAFlowError]
    api_http_errors = api.exception_handlers[HTTPException]

    @api.exception_handler(SignInNeeded)
    def sign_in_first(request: Request, needed: SignInNeeded) -> Response:
        if request.headers.get("hx-request"):  # htmx: the whole page goes to the sign-in
            return Response(status_code=204, headers={"HX-Redirect": sign_in_path("/")})
        return RedirectResponse(sign_in_path(needed.next_path), status_code=303)

    @api.exception_handler(OAFlowError)
    def oaflow_error(request: Request, error: OAFlowError) -> Any:
        if _is_api(request):
            return api_errors(request, error)
        who = getattr(request.state, "oaflow_who", None)
        if who is not None:
            audit.record_denial(app, error, who)
        lang = language(request)
        status = STATUS.get(error.kind, 400)
        message = error.text(lang, app.calendar.tz)
        if error.kind == "unavailable":
            message = render.word("sensitive_unavailable", lang)
        return render.error_page(request, app, status, message)

    api_invalid = api.exception_handlers[RequestValidationError]

    @api.exception_handler(RequestValidationError)
    def invalid(request: Request, error: RequestValidationError) -> Any:
        if _is_api(request):
            return api_invalid(request, error)
        lang = language(request)
        return render.error_page(request, app, 422, render.word("invalid_request", lang))

    @api.exception_handler(HTTPException)
    def http_error(request: Request, error: HTTPException) -> Any:
        if _is_api(request):
            return api_http_errors(request, error)
        lang = language(request)
        message = render.word("not_found" if error.status_code == 404 else "failed", lang)
        return render.error_page(request, app, error.status_code, message)


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith(API_PREFIXES)
