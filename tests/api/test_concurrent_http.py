"""Two approvals of one task at the same moment through HTTP: one 2xx, one 409, and the
instance moves once (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import httpx
import pytest

from oaflow.domain.security import SYSTEM
from oaflow.services import queries

from .conftest import Server

ROUNDS = 15
#: the second approval finds the task decided, changed under it, or busy
LOSER_CODES = {"task.closed", "task.changed_meanwhile", "task.busy", "instance.busy"}
COMPLAINT = {
    "title": "投诉",
    "customer": "某公司",
    "complaint_type": "logistics",
    "description": "延迟",
}


def race(api: Server) -> None:
    first, second = api.signed_in("csd.head"), api.signed_in("csd.head")  # two browsers
    starter = api.signed_in("csd.staff")
    outcomes: list[tuple[int, int]] = []
    for _ in range(ROUNDS):
        made = starter.post(
            "/api/instances", json={"process": "customer-complaint", "form": COMPLAINT}
        )
        key = made.json()["summary"]["business_key"]
        [task] = [t for t in first.get("/api/tasks").json()["items"] if t["business_key"] == key]
        url = f"/api/tasks/{task['id']}/approve"
        gate = threading.Barrier(2)
        answers: list[httpx.Response] = []
        threads = [
            threading.Thread(target=_approve, args=(s.http, url, gate, answers))
            for s in (first, second)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(a.status_code for a in answers)
        outcomes.append((codes[0], codes[1]))
        loser = next(a for a in answers if a.status_code != 200)
        assert loser.json()["code"] in LOSER_CODES, loser.text
        view = queries.instance_detail(api.app, SYSTEM, key)
        decided = [e for e in view.timeline if e.kind == "task_approved"]
        assert len(decided) == 1
    assert outcomes == [(200, 409)] * ROUNDS, outcomes


def _approve(
    http: httpx.Client, url: str, gate: threading.Barrier, answers: list[httpx.Response]
) -> None:
    gate.wait()
    answers.append(http.post(url, json={"note": "同意"}))


def test_two_approvals_at_once_on_sqlite(api: Server) -> None:
    race(api)


@pytest.mark.postgres
def test_two_approvals_at_once_on_postgresql(api_pg: Server) -> None:
    race(api_pg)
