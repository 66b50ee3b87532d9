"""OPS-2: two `oaflow serve --no-worker` and two `oaflow worker` processes on one PostgreSQL
database, as docs/deploy.md lays them out. People act through either API process; the
workers share the due reminders and the deliveries; every reminder fires once, every
message reaches the webhook once, and each process's /metrics counts what it did."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services import authz, runtime, setup
from oaflow.services.app import App
from oaflow.storage.database import Database
from pg_databases import drop_pg_database, fresh_pg_database
from served import FRESH_CONNECTIONS, OAFLOW, Served, clean_env, free_port, start_server

pytestmark = [pytest.mark.acceptance, pytest.mark.postgres]

INSTANCES = 6
COMPLAINT = {
    "title": "投诉",
    "customer": "某公司",
    "complaint_type": "quality",
    "description": "破损",
}
WAIT = 90.0


class Receiver(ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1 that notes every message id it is sent."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.ids.append(json.loads(body)["id"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/oaflow"


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    url, name = fresh_pg_database(pg_admin_url)
    try:
        yield url
    finally:
        drop_pg_database(pg_admin_url, name)


def oaflow(url: str, cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [*OAFLOW, *args],
        cwd=cwd,
        env={**clean_env(), "OAFLOW_DATABASE_URL": url},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(f"{url}/metrics", timeout=10)
    assert answer.status_code == 200, answer.text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def signed_in(base: str, login: str) -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=30, limits=FRESH_CONNECTIONS)
    answer = http.post("/api/session", json={"login": login, "password": "demo"})
    assert answer.status_code == 200, answer.text
    http.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return http


def start_worker(url: str, cwd: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*OAFLOW, "worker", "--poll", "0.2", "--metrics-port", str(port)],
        cwd=cwd,
        env={**clean_env(), "OAFLOW_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )


def drained(base: str) -> bool:
    """No reminder due, nothing unrouted, no delivery waiting (a 5xx would keep one)."""
    seen = scrape(base)
    waiting = sum(value(seen, "oaflow_deliveries_open", state=s) for s in ("pending", "sending"))
    return (
        value(seen, "oaflow_timers_due") == 0
        and value(seen, "oaflow_outbox_unrouted") == 0
        and waiting == 0
    )


def wait_for(check: object, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_api_processes_and_two_workers_share_one_postgresql(
    pg_url: str, tmp_path: Path
) -> None:
    # the demo, with complaints registered two weeks ago: their reminders are long due
    app = App(
        Database(pg_url), FixedClock(datetime.now(UTC) - timedelta(days=14)), china_calendar()
    )
    setup.init(app, demo=True)
    for _ in range(INSTANCES):
        runtime.start(app, authz.principal(app, "csd.staff"), "customer-complaint", COMPLAINT)
    app.db.dispose()
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    oaflow(
        pg_url,
        tmp_path,
        "notify",
        "channel",
        "add",
        "hook",
        "--kind",
        "webhook",
        "--as",
        "admin",
        "--set",
        f"url={receiver.url}",
    )

    env = {"OAFLOW_DATABASE_URL": pg_url}
    servers: list[Served] = []
    workers: list[subprocess.Popen[str]] = []
    metrics_ports = [free_port(), free_port()]
    clients: list[httpx.Client] = []
    try:
        servers = [start_server(tmp_path, "--no-worker", env=env) for _ in range(2)]
        workers = [start_worker(pg_url, tmp_path, port) for port in metrics_ports]
        first, second = servers[0].url, servers[1].url
        wait_for(lambda: drained(first), "the workers to fire the reminders due meanwhile")

        # the triage of each complaint, approved through one process or the other
        heads = [signed_in(first, "csd.head"), signed_in(second, "csd.head")]
        clients.extend(heads)
        triage = [
            t for t in heads[0].get("/api/tasks").json()["items"] if t["node"]["id"] == "triage"
        ]
        assert len(triage) == INSTANCES
        for n, task in enumerate(triage):
            answer = heads[n % 2].post(f"/api/tasks/{task['id']}/approve", json={"note": "同意"})
            assert answer.status_code == 200, answer.text
        # each handling task is open on either process, and completed through the other
        handler = [signed_in(second, "prd.head"), signed_in(first, "prd.head")]
        clients.extend(handler)
        handling = [
            t for t in handler[1].get("/api/tasks").json()["items"] if t["node"]["id"] == "handle"
        ]
        assert len(handling) == INSTANCES
        done = {"cause": "包装", "solution": "补发"}
        for n, task in enumerate(handling):
            answer = handler[n % 2].post(f"/api/tasks/{task['id']}/complete", json={"fields": done})
            assert answer.status_code == 200, answer.text

        wait_for(lambda: drained(first), "the workers to deliver what the actions wrote")
        both = [scrape(first), scrape(second)]
        by_worker = [scrape(f"http://127.0.0.1:{port}") for port in metrics_ports]
    finally:
        for http in clients:
            http.close()
        for served in servers:
            code, out = served.stop()
            assert code == 0, out
        for worker in workers:
            worker.terminate()
            out, _ = worker.communicate(timeout=30)
            assert worker.returncode == 0, out
        receiver.shutdown()
        receiver.server_close()

    engine = create_engine(pg_url)
    with engine.connect() as conn:
        reminders = conn.execute(
            text(
                "SELECT task_id, data->>'key', count(*) FROM history WHERE kind LIKE 'sla_%' "
                "GROUP BY task_id, data->>'key'"
            )
        ).all()
        sent = conn.execute(text("SELECT message_id, status FROM deliveries")).all()
    engine.dispose()
    # every reminder of the fortnight fired once, by one worker or the other
    assert reminders and all(n == 1 for _, _, n in reminders), reminders
    assert {key for _, key, _ in reminders} >= {"ack1", "ack2"}
    # every message went to the webhook once, by one worker or the other
    assert sent and {status for _, status in sent} == {"sent"}
    assert Counter(receiver.ids) == Counter(m for m, _ in sent)

    # each process counted what it did; together what happened
    approvals = [value(s, "oaflow_task_actions_total", action="approve") for s in both]
    completions = [value(s, "oaflow_task_actions_total", action="complete") for s in both]
    assert approvals == [INSTANCES / 2, INSTANCES / 2], approvals
    assert completions == [INSTANCES / 2, INSTANCES / 2], completions
    assert sum(value(w, "oaflow_deliveries_total", outcome="sent") for w in by_worker) == len(sent)
    fired = sum(value(w, "oaflow_timers_fired_total") for w in by_worker)
    assert fired >= len({task for task, _, _ in reminders})  # one check sends all that is due
    route = "/api/tasks/{task_id}/approve"
    timed = [
        value(s, "oaflow_http_request_duration_seconds_count", method="POST", route=route)
        for s in both
    ]
    assert timed == approvals
