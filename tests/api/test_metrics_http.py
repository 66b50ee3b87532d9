"""GET /metrics: this process's counters and the database's backlog in Prometheus's text
format, parsed as Prometheus parses it; and who may read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from starlette.requests import Request

from oaflow.api.metrics import allowed
from oaflow.services import delivery

from .conftest import Server

COMPLAINT = {
    "title": "投诉",
    "customer": "某公司",
    "complaint_type": "logistics",
    "description": "延迟",
}


def scrape(api: Server) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample by (name, labels)."""
    answer = api.client().get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def one(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_an_approval_through_the_api_counts_once_and_times_its_route(api: Server) -> None:
    starter, head = api.signed_in("csd.staff"), api.signed_in("csd.head")
    made = starter.post("/api/instances", json={"process": "customer-complaint", "form": COMPLAINT})
    assert made.status_code in (200, 201), made.text
    key = made.json()["summary"]["business_key"]
    [task] = [t for t in head.get("/api/tasks").json()["items"] if t["business_key"] == key]
    route = "/api/tasks/{task_id}/approve"
    before = scrape(api)
    assert head.post(f"/api/tasks/{task['id']}/approve", json={"note": "同意"}).status_code == 200
    after = scrape(api)

    counted = "oaflow_task_actions_total"
    assert one(after, counted, action="approve") - one(before, counted, action="approve") == 1
    timed = "oaflow_http_request_duration_seconds_count"
    assert (
        one(after, timed, method="POST", route=route)
        - one(before, timed, method="POST", route=route)
        == 1
    )
    # the path's ids never become labels: one series per route, one for paths none takes
    assert head.get("/api/no-such-thing/42").status_code == 404
    assert one(scrape(api), timed, method="GET", route="unmatched") >= 1
    paths = (f"/tasks/{task['id']}/", "/no-such-thing/42")
    with_id = [labels for _, labels in scrape(api) if paths_in(labels, paths)]
    assert with_id == [], with_id


def paths_in(labels: tuple[tuple[str, str], ...], paths: tuple[str, ...]) -> bool:
    """Whether a label holds one of the paths requested (a route's own literal segments,
    such as the 1 of /api/sheets/1/…, are not ids: the test asked for these paths)."""
    return any(path in value for _, value in labels for path in paths)


def test_the_backlog_is_read_from_the_database(api: Server) -> None:
    starter = api.signed_in("csd.staff")
    made = starter.post("/api/instances", json={"process": "customer-complaint", "form": COMPLAINT})
    assert made.status_code in (200, 201), made.text
    with api.app.db.read() as conn:
        unrouted = conn.execute(
            text("SELECT count(*) FROM outbox WHERE status = 'pending'")
        ).scalar()
    assert unrouted  # the triage task's assignment waits to be routed
    assert one(scrape(api), "oaflow_outbox_unrouted") == unrouted

    delivery.route_pending(api.app, api.app.now())
    samples = scrape(api)
    assert one(samples, "oaflow_outbox_unrouted") == 0
    assert one(samples, "oaflow_timers_due") == 0  # the first reminder is hours away
    assert one(samples, "oaflow_timers_due_oldest_seconds") == 0

    an_hour_ago = api.app.now() - timedelta(hours=1)
    with api.app.db.write() as conn:  # as if every worker had stopped an hour ago
        conn.execute(
            text("UPDATE tasks SET check_at = :at WHERE check_at IS NOT NULL"), {"at": an_hour_ago}
        )
        waiting = conn.execute(
            text("SELECT count(*) FROM tasks WHERE check_at IS NOT NULL")
        ).scalar()
    samples = scrape(api)
    assert waiting and one(samples, "oaflow_timers_due") == waiting
    assert 3600 <= one(samples, "oaflow_timers_due_oldest_seconds") < 3600 + 60
    for state in ("pending", "sending", "dead"):
        assert ("oaflow_deliveries_open", (("state", state),)) in samples


def request_from(host: str, authorization: str | None = None) -> Request:
    headers = [] if authorization is None else [(b"authorization", authorization.encode())]
    scope = {"type": "http", "method": "GET", "path": "/metrics", "headers": headers}
    return Request({**scope, "client": (host, 50000), "query_string": b""})


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_callers_on_this_machine_may_read_it(host: str) -> None:
    assert allowed(request_from(host), token="")


def test_callers_from_elsewhere_need_the_token() -> None:
    assert not allowed(request_from("10.1.2.3"), token="")
    assert not allowed(request_from("10.1.2.3", "Bearer "), token="")  # no token set: nobody
    assert not allowed(request_from("10.1.2.3", "Bearer wrong"), token="s3cret-metrics")
    assert not allowed(request_from("10.1.2.3", "s3cret-metrics"), token="s3cret-metrics")
    assert allowed(request_from("10.1.2.3", "Bearer s3cret-metrics"), token="s3cret-metrics")


def test_docs_deploy_lists_every_metric_the_endpoint_exposes(api: Server) -> None:
    import re
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(oaflow_\w+)", page, re.MULTILINE))
    answer = api.client().get("/metrics")
    exposed = {
        family.name + ("_total" if family.type == "counter" else "")
        for family in text_string_to_metric_families(answer.text)
        if family.name.startswith("oaflow_")
    }
    assert documented == exposed
