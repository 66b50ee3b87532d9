"""The task routes answer with the service's dataclass serialised as it is (api/answers.py):
the bytes FastAPI's own way (copy into dicts, validate against the response model,
serialise) makes of the same value, for an inbox page and a task's page."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from fastapi import FastAPI

from oaflow.api.answers import typed
from oaflow.services import authz, queries
from oaflow.services.views import InboxFilter, TaskDetail, TaskPage

from .conftest import Server
from .test_admin_routes import COMPLAINT


def fastapis_own(model: Any, value: Any) -> bytes:
    """What FastAPI answers for a route with ``response_model=model`` returning ``value``."""
    site = FastAPI()
    site.add_api_route("/", lambda: value, response_model=model)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "headers": []}
    scope.update(query_string=b"", http_version="1.1", scheme="http", root_path="")
    # a thread of its own: the worker's main thread may already run a loop (Playwright's)
    runner = threading.Thread(target=lambda: asyncio.run(site(scope, receive, send)))
    runner.start()
    runner.join(30)
    assert sent[0]["status"] == 200
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_the_inbox_and_a_task_are_the_bytes_fastapi_would_send(api: Server) -> None:
    started = api.signed_in("csd.staff").post(
        "/api/instances", json={"process": "customer-complaint", "form": COMPLAINT}
    )
    assert started.status_code == 201, started.text
    head = authz.principal(api.app, "csd.head")
    page = queries.inbox(api.app, head, InboxFilter())
    assert page.items  # the complaint's triage
    detail = queries.task_detail(api.app, head, page.items[0].id)
    for model, value in ((TaskPage, page), (TaskDetail, detail)):
        assert bytes(typed(value).body) == fastapis_own(model, value)
    served = api.signed_in("csd.head").get("/api/tasks")
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/json"
    assert [t["id"] for t in served.json()["items"]] == [t.id for t in page.items]
