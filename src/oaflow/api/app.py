"""The API application: the routers under /api, problem+json errors, health and readiness,
security headers. Built once per server process around one App."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi

from oaflow import __version__
from oaflow.api import metrics, problems
from oaflow.api.deps import SAFE
from oaflow.api.idempotency import Idempotency
from oaflow.api.routes import (
    archives,
    bpmn,
    exception_analysis,
    files,
    forecasts,
    instances,
    integration,
    links,
    meetings,
    migrations,
    notices,
    people,
    processes,
    reports,
    session,
    settings,
    surveys,
    tasks,
    templates,
)
from oaflow.api.schemas import storable_parameters
from oaflow.bootstrap import database_ready, driver_errors, explain_failure
from oaflow.services.app import App

#: exception_analysis before notices: /exceptions/pareto is not the exception record "pareto"
ROUTERS = (
    session,
    tasks,
    files,
    instances,
    processes,
    people,
    exception_analysis,
    notices,
    settings,
    meetings,
    bpmn,
    integration,
    archives,
    templates,
    migrations,
    reports,
    surveys,
    forecasts,
)


def create_api(app: App) -> FastAPI:
    api = FastAPI(
        title="OA-Flow",
        version=__version__,
        description="Cross-department process automation (多部门协同作业流程自动化). Sign in "
        "with POST /api/session (a cookie session; send its csrf as X-CSRF-Token with every "
        "change) or send an API token as `Authorization: Bearer …`.",
        openapi_url="/api/openapi.json",
        dependencies=[Depends(storable_parameters)],
        docs_url="/api/docs",
        redoc_url=None,
    )
    api.state.oaflow = app
    problems.install(api, app.calendar.tz, driver_errors(), lambda exc: explain_failure(app, exc))
    root = APIRouter(prefix="/api")
    for module in ROUTERS:
        root.include_router(module.router)
    api.include_router(root)
    api.include_router(links.router)
    api.add_api_route("/healthz", health, methods=["GET"], include_in_schema=False)
    api.add_api_route("/readyz", ready, methods=["GET"], include_in_schema=False)
    api.middleware("http")(security_headers)
    api.add_middleware(Idempotency, app=app)
    metrics.install(api, app)
    api.openapi = lambda: _described(api)  # type: ignore[method-assign]
    return api


def _described(api: FastAPI) -> dict[str, Any]:
    """The OpenAPI description, with the Idempotency-Key header on every change."""
    if api.openapi_schema is None:
        schema = get_openapi(
            title=api.title,
            version=api.version,
            description=api.description,
            routes=api.routes,
        )
        for path in schema["paths"].values():
            for method, operation in path.items():
                if method.upper() not in SAFE:
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        api.openapi_schema = problems.document(schema)
    return api.openapi_schema


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: a retry with the same key and request gets the first "
    "answer again (Idempotent-Replayed: true); the same key with another request is refused "
    "(422). Kept 24 hours per caller. Not for multipart uploads.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
}


def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


def ready(request: Request) -> Response:
    """The database answers and has the schema."""
    ok = database_ready(request.app.state.oaflow)
    return Response(
        '{"status": "ready"}' if ok else '{"status": "not ready"}',
        200 if ok else 503,
        media_type="application/json",
    )


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.url.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
