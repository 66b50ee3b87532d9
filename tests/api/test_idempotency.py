"""Idempotency keys through HTTP (INT-3): a retry gets the first answer; the same key with
another request is refused; keys belong to their caller; a retry while the first request
runs is told to wait, and a claim its server never finished is taken over."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from oaflow.domain.security import SYSTEM
from oaflow.services import auth, idempotency
from oaflow.services.idempotency import fingerprint
from oaflow.storage.tables import idempotency_keys, instances

from .conftest import Server, Session

COMPLAINT = {
    "title": "投诉：包装破损",
    "customer": "上海某贸易公司",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "外包装破损",
}


def count_instances(api: Server) -> int:
    with api.app.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(instances)).scalar_one())


def start(who: Session, key: str | bytes | None, form: dict[str, Any] = COMPLAINT) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    body = {"process": "customer-complaint", "form": form}
    return who.post("/api/instances", json=body, headers=headers)


def test_a_retried_start_returns_the_first_answer_and_starts_once(api: Server) -> None:
    csd = api.signed_in("csd.staff")
    first = start(csd, "start-0001")
    assert first.status_code == 201, first.text
    again = start(csd, "start-0001")
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert count_instances(api) == 1
    other = start(csd, "start-0002")  # another key: another instance
    assert other.json()["summary"]["business_key"] != first.json()["summary"]["business_key"]
    assert count_instances(api) == 2


def test_a_retried_approval_is_answered_again_not_refused(api: Server) -> None:
    csd = api.signed_in("csd.staff")
    key = start(csd, None).json()["summary"]["business_key"]
    head = api.signed_in("csd.head")
    [task] = [t for t in head.get("/api/tasks").json()["items"] if t["business_key"] == key]
    url = f"/api/tasks/{task['id']}/approve"
    first = head.post(url, json={"note": "同意"}, headers={"Idempotency-Key": "approve-1"})
    assert first.status_code == 200, first.text
    retry = head.post(url, json={"note": "同意"}, headers={"Idempotency-Key": "approve-1"})
    assert retry.status_code == 200 and retry.json() == first.json()
    without = head.post(url, json={"note": "同意"})  # no key: the engine refuses a second one
    assert without.status_code == 409


def test_the_same_key_with_another_request_is_refused_and_changes_nothing(api: Server) -> None:
    csd = api.signed_in("csd.staff")
    assert start(csd, "k-1").status_code == 201
    reused = start(csd, "k-1", {**COMPLAINT, "customer": "另一家公司"})
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency.key_reused"
    assert reused.headers["content-type"] == "application/problem+json"
    assert count_instances(api) == 1


def test_keys_belong_to_their_caller(api: Server) -> None:
    mine = start(api.signed_in("csd.staff"), "shared-key")
    theirs = start(api.signed_in("csd.head"), "shared-key")
    assert theirs.status_code == 201 and "idempotent-replayed" not in theirs.headers
    assert mine.json()["summary"]["business_key"] != theirs.json()["summary"]["business_key"]


def test_a_refusal_is_kept_too_and_a_bad_key_is_refused(api: Server) -> None:
    csd = api.signed_in("csd.staff")
    bad = {k: v for k, v in COMPLAINT.items() if k != "customer"}
    first = start(csd, "bad-form", bad)
    assert first.status_code == 422
    retry = start(csd, "bad-form", bad)
    assert retry.status_code == 422 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    for key in ("含中文".encode(), "a b", "x" * 201):
        refused = start(csd, key)
        assert refused.status_code == 422 and refused.json()["code"] == "idempotency.key_invalid"
    assert count_instances(api) == 0


def test_api_tokens_use_keys_like_sessions(api: Server) -> None:
    secret, _ = auth.create_token(api.app, SYSTEM, "csd.staff", "crm", ["read", "write"], 30)
    crm = api.with_token(secret)
    body = {"process": "customer-complaint", "form": COMPLAINT}
    first = crm.post("/api/instances", json=body, headers={"Idempotency-Key": "crm-42"})
    retry = crm.post("/api/instances", json=body, headers={"Idempotency-Key": "crm-42"})
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and count_instances(api) == 1
    unsigned = api.client().post("/api/instances", json=body, headers={"Idempotency-Key": "x"})
    assert unsigned.status_code == 401  # not signed in: no key is claimed
    with api.app.db.read() as conn:
        logins = conn.execute(select(idempotency_keys.c.login)).scalars().all()
    assert logins == ["csd.staff"]


def test_a_retry_while_the_first_runs_waits_and_an_abandoned_claim_is_taken_over(
    api: Server,
) -> None:
    now = api.app.now()
    with api.app.db.write() as conn:  # a first request whose server stopped mid-way
        conn.execute(
            idempotency_keys.insert().values(
                login="csd.staff",
                key="k-running",
                fingerprint="",
                created_at=now,
            )
        )
    csd = api.signed_in("csd.staff")
    running = csd.post("/api/instances", json={}, headers={"Idempotency-Key": "k-running"})
    assert running.status_code == 422  # another request: refused before anything
    with api.app.db.write() as conn:
        conn.execute(update(idempotency_keys).values(fingerprint=_print_of_start(api)))
    waiting = start(csd, "k-running")
    assert waiting.status_code == 409 and waiting.json()["code"] == "idempotency.in_flight"
    with api.app.db.write() as conn:
        conn.execute(update(idempotency_keys).values(created_at=now - timedelta(minutes=3)))
    taken_over = start(csd, "k-running")
    assert taken_over.status_code == 201 and count_instances(api) == 1


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> Server:
    found: Server = request.getfixturevalue("api" if request.param == "sqlite" else "api_pg")
    return found


def test_a_retry_sent_while_the_first_commits_is_refused_and_starts_nothing(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim is written in the start's own transaction (docs/adr/0017): a retry that
    looked for it before that transaction committed finds none, and its own start is then
    rolled back with the claim it could not write."""
    first, retry = server.signed_in("csd.staff"), server.signed_in("csd.staff")
    paused, resume, retry_checked = threading.Event(), threading.Event(), threading.Event()
    checks: list[object] = []
    real_check = idempotency.check

    def check(*args: Any) -> Any:
        found = real_check(*args)
        checks.append(found)
        if len(checks) == 2:
            retry_checked.set()
        return found

    def hold_first_commit() -> None:
        if not paused.is_set():
            paused.set()
            assert resume.wait(30)

    monkeypatch.setattr(idempotency, "check", check)
    server.app.db.before_commit = hold_first_commit
    with ThreadPoolExecutor(2) as pool:
        started = pool.submit(start, first, "k-race")
        assert paused.wait(30)  # the first start's transaction, its claim in it, is open
        retried = pool.submit(start, retry, "k-race")
        assert retry_checked.wait(30)  # the retry found no claim: its commit is not yet
        assert isinstance(checks[1], idempotency.Claim)
        resume.set()
        answers = started.result(30), retried.result(30)
    server.app.db.before_commit = None
    assert answers[0].status_code == 201, answers[0].text
    assert answers[1].status_code == 409 and answers[1].json()["code"] == "idempotency.in_flight"
    assert count_instances(server) == 1
    again = start(retry, "k-race")  # a later retry gets the first answer
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == answers[0].json()


def _print_of_start(api: Server) -> str:
    """The fingerprint of ``start``'s request, from the bytes httpx sends for it."""
    sent = httpx.Request("POST", api.url, json={"process": "customer-complaint", "form": COMPLAINT})
    return fingerprint("POST", "/api/instances", "", sent.content)


def test_a_kept_answer_holds_no_sensitive_value_in_plain_text(api: Server) -> None:
    first = start(api.signed_in("csd.staff"), "with-phone")
    assert "13800000000" in first.text  # the initiator reads the phone in the answer
    with api.app.db.read() as conn:
        [kept] = conn.execute(select(idempotency_keys.c.body)).scalars().all()
    assert b"13800000000" not in kept and kept.startswith(b"enc:v1:")
    retry = start(api.signed_in("csd.staff"), "with-phone")
    assert retry.json() == first.json()
