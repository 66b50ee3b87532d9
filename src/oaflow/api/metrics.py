"""GET /metrics (Prometheus text format) and the request-latency histogram behind it.

/metrics answers callers on this machine (127.0.0.1, ::1) and, when OAFLOW_METRICS_TOKEN is
set, any caller that sends it as `Authorization: Bearer …`; everyone else gets 404, as for
a path that does not exist. Behind a reverse proxy every caller looks local: the proxy must
not pass /metrics on (docs/deploy.md)."""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount
from starlette.types import Scope

from oaflow.services import telemetry
from oaflow.services.app import App

LOOPBACK = frozenset({"127.0.0.1", "::1"})
#: the methods the histogram names; anything else is "other" (labels from clients stay few)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def install(api: FastAPI, app: App) -> None:
    api.middleware("http")(timed)

    async def metrics(request: Request) -> Response:
        if not allowed(request, app.metrics_token):
            return Response(status_code=404)
        body = await run_in_threadpool(telemetry.exposition, app)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    api.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)


def allowed(request: Request, token: str) -> bool:
    if request.client is not None and request.client.host in LOOPBACK:
        return True
    sent = request.headers.get("authorization", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def route_label(scope: Scope) -> str:
    """The pattern of the route that answered (``/api/tasks/{task_id}/approve``), never the
    path with its ids; "unmatched" for a path no route takes.

    The route knows its pattern below the routers it was included in; the segments above it
    (``/api``, never a parameter) are taken from the path."""
    route = scope.get("route")
    pattern = getattr(route, "path", None)
    if not pattern:
        return "unmatched"
    if isinstance(route, Mount):  # static files: one series for the mount
        return str(pattern)
    own = [s for s in str(pattern).split("/") if s]
    path = [s for s in str(scope["path"]).split("/") if s]
    return "/" + "/".join([*path[: max(0, len(path) - len(own))], *own])


async def timed(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    begin = time.perf_counter()
    try:
        return await call_next(request)
    finally:
        route = route_label(request.scope)
        method = request.method if request.method in METHODS else "other"
        telemetry.REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - begin)
