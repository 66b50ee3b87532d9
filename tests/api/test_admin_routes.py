"""Administration through HTTP: what the CLI's operators do, now as administrators over the
API — moving someone's open tasks, importing company days, testing a channel and
subscribing a system to events by a signed webhook, previewing a template, cancelling an
instance, listing a process's versions — and what everyone else is told."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from oaflow.bootstrap import build_channels
from oaflow.notify.channels.webhook import verify_webhook_signature
from oaflow.services import delivery

from .conftest import Server

COMPLAINT = {
    "title": "投诉",
    "customer": "某公司",
    "complaint_type": "quality",
    "description": "坏",
}


class Received(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/oaflow/events"


class _Handler(BaseHTTPRequestHandler):
    server: Received

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Received]:
    httpd = Received()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_a_system_subscribes_to_events_by_a_signed_webhook(api: Server, receiver: Received) -> None:
    admin = api.signed_in("admin")
    channel = {
        "name": "crm-hook",
        "kind": "webhook",
        "settings": {"url": receiver.url, "secret": "whsec_test_only"},
        "events": ["task_assigned", "instance_completed"],
    }
    assert admin.post("/api/channels", json=channel).status_code == 201
    tested = admin.post("/api/channels/crm-hook/test")
    assert tested.json()["outcome"] == "sent", tested.text
    receiver.requests.clear()

    api.signed_in("csd.staff").post(
        "/api/instances", json={"process": "customer-complaint", "form": COMPLAINT}
    )
    with build_channels() as channels:
        assert delivery.deliver_due(api.app, channels, api.app.now()) >= 1
    [(headers, body)] = receiver.requests  # one event it subscribed to: the new task
    assert verify_webhook_signature(
        "whsec_test_only",
        headers["x-oaflow-message-id"],
        headers["x-oaflow-timestamp"],
        body,
        headers["x-oaflow-signature"],
    )
    event = json.loads(body)
    assert event["event"] == "task_assigned"
    assert event["data"]["business_key"].startswith("TS") and event["data"]["task_id"] == 1

    head = api.signed_in("csd.head")
    assert head.post("/api/channels/crm-hook/test").status_code == 403
    assert head.post("/api/channels", json={**channel, "name": "x"}).status_code == 403


def test_moving_open_tasks_is_for_administrators(api: Server) -> None:
    api.signed_in("csd.staff").post(
        "/api/instances", json={"process": "customer-complaint", "form": COMPLAINT}
    )
    head = api.signed_in("csd.head")
    [task] = head.get("/api/tasks").json()["items"]
    refused = head.post("/api/users/csd.head/move-tasks", json={"to": "csd.staff"})
    assert refused.status_code == 403
    moved = api.signed_in("admin").post("/api/users/csd.head/move-tasks", json={"to": "csd.staff"})
    assert moved.json() == [task["id"]]
    assert head.get("/api/tasks").json()["total"] == 0
    assert api.signed_in("csd.staff").get("/api/tasks").json()["items"][0]["id"] == task["id"]


def test_company_days_are_imported_from_a_file(api: Server) -> None:
    admin = api.signed_in("admin")
    good = "date,kind,name\n2030-06-03,off,公司年会\n2030-06-08,work,年会调休\n".encode()
    imported = admin.post("/api/calendar/days", files={"file": ("days.csv", good, "text/csv")})
    assert imported.status_code == 200, imported.text
    days = {d["day"]: d for d in imported.json()["days"]}
    assert days["2030-06-03"]["kind"] == "off" and days["2030-06-08"]["kind"] == "work"
    bad = b"date,kind,name\n2030-13-01,off,x\n2030-06-04,holiday,y\n"
    refused = admin.post("/api/calendar/days", files={"file": ("days.csv", bad, "text/csv")})
    assert refused.status_code == 422 and len(refused.json()["problems"]) == 2
    head = api.signed_in("csd.head")
    denied = head.post("/api/calendar/days", files={"file": ("days.csv", good, "text/csv")})
    assert denied.status_code == 403


def test_templates_preview_and_instances_cancel_and_versions(api: Server) -> None:
    admin = api.signed_in("admin")
    shown = admin.get("/api/templates/task_assigned/preview", params={"locale": "en"}).json()
    assert shown["subject"] and "<" in shown["html"]
    assert admin.get("/api/templates/nothing/preview").status_code in (404, 422)

    made = api.signed_in("csd.staff").post(
        "/api/instances", json={"process": "customer-complaint", "form": COMPLAINT}
    )
    key = made.json()["summary"]["business_key"]
    not_admin = api.signed_in("csd.staff").post(
        f"/api/instances/{key}/cancel", json={"reason": "客户撤诉"}
    )
    assert not_admin.status_code == 403
    blank = admin.post(f"/api/instances/{key}/cancel", json={"reason": ""})
    assert blank.status_code == 422
    cancelled = admin.post(f"/api/instances/{key}/cancel", json={"reason": "客户撤诉"})
    assert cancelled.json()["summary"]["state"] == "cancelled"
    again = admin.post(f"/api/instances/{key}/cancel", json={"reason": "again"})
    assert again.status_code == 422 and again.json()["code"] == "instance.cancel_not_running"

    versions = admin.get("/api/processes/customer-complaint/versions").json()
    assert [v["version"] for v in versions] == [1] and versions[0]["source"] == ""
    assert admin.get("/api/processes/nope/versions").status_code == 404
