"""Service nodes' calls (INT-2) and ledgers (ARC-2) on both databases: the budget waits at
同步财务系统 while the worker calls a finance system played by a local HTTP server; failed
attempts come back after the documented waits, the last one opens an incident that an
administrator retries or skips; ledger rows are written with the step that passes."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.finance_server import SECRET, finance_server

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError, InputError
from oaflow.domain.integration import BACKOFF, MAX_ATTEMPTS
from oaflow.services import ledgers, runtime, service_admin, service_calls, surveys, timers
from oaflow.services.app import App
from oaflow.storage.database import Database
from oaflow.storage.tables import ledger_entries, outbox
from oaflow.storage.tables import service_calls as calls_table

from .driver import Driver, who

FORM = {
    "title": "2025年度预算",
    "fiscal_year": 2025,
    "departments": ["mkt", "rnd"],
    "total_cap": 5_000_000,
    "growth_threshold": 0.5,
}
AMOUNTS = {"mkt": 800_000, "rnd": 900_000}


def approved_budget(app: App, url: str) -> str:
    """The finance endpoint at ``url``; a budget submitted and approved: it waits."""
    service_admin.set_endpoint(app, who(app, "admin"), "finance.sync_budget", url, SECRET, 5)
    d = Driver(app)
    key = d.start("annual-budget", "fin.head", FORM)
    for code, amount in AMOUNTS.items():
        d.complete(
            f"{code}.head",
            "dept_budgets",
            budget_amount=amount,
            last_year_amount=int(amount * 0.9),
            budget_items="人员",
        )
    d.approve("vp.admin", "leader_approval")
    return key


def the_call(app: App) -> dict[str, Any]:
    with app.db.read() as conn:
        (row,) = conn.execute(select(calls_table)).mappings().all()
        return dict(row)


def ledger_rows(app: App) -> list[tuple[str, str, float]]:
    with app.db.read() as conn:
        rows = conn.execute(select(ledger_entries).order_by(ledger_entries.c.department))
        return [(r.department, r.period, r.amount) for r in rows]


def kinds(app: App, key: str) -> list[str]:
    return [e["kind"] for e in Driver(app).instance(key)["timeline"]]


def test_fails_twice_then_accepted_the_budget_ends_with_its_ledger(
    demo_app: App, clock: FixedClock
) -> None:
    with finance_server(["fail", "garbage", "ok"]) as finance:
        key = approved_budget(demo_app, finance.url)
        call = the_call(demo_app)
        assert (call["state"], call["attempts"], call["node_id"]) == ("pending", 0, "sync_finance")
        assert Driver(demo_app).instance(key)["state"] == "running"
        assert ledger_rows(demo_app) == []  # not before its step
        start = clock.now()
        assert timers.fire_due(demo_app, start) == 1  # 1st attempt: 503
        call = the_call(demo_app)
        assert (call["state"], call["attempts"], call["last_status"]) == ("pending", 1, 503)
        assert call["next_at"] == start + BACKOFF[0]
        assert timers.fire_due(demo_app, start + BACKOFF[0] - timedelta(seconds=1)) == 0
        clock.set(start + BACKOFF[0])
        timers.fire_due(demo_app, clock.now())  # 2nd: not JSON
        call = the_call(demo_app)
        assert call["attempts"] == 2 and "not JSON" in call["last_error"]
        assert call["next_at"] == clock.now() + BACKOFF[1]
        clock.set(call["next_at"])
        timers.fire_due(demo_app, clock.now())  # 3rd: accepted
        assert len(finance.requests) == 3
    call = the_call(demo_app)
    assert (call["state"], call["reference"], call["last_error"]) == ("done", "FIN-3", "")
    assert Driver(demo_app).instance(key)["state"] == "completed"
    assert [k for k in kinds(demo_app, key) if k.startswith(("service", "ledger"))] == [
        "service_call_opened",
        "service_called",
        "ledger_updated",
    ]
    assert all(r.signed for r in finance.requests)
    assert len({r.headers["idempotency-key"] for r in finance.requests}) == 1
    payload = finance.requests[0].payload
    assert payload["business_key"] == key and payload["node"] == "sync_finance"
    assert payload["data"] == {
        "fiscal_year": 2025,
        "departments": ["mkt", "rnd"],
        "budget_amount": [800_000, 900_000],
    }
    assert ledger_rows(demo_app) == [("mkt", "2025", 800_000.0), ("rnd", "2025", 900_000.0)]
    with demo_app.db.read() as conn:
        (updated,) = {r.updated_at for r in conn.execute(select(ledger_entries))}
    assert updated == clock.now()  # written with the step, at its instant
    ledgers_are_scoped_by_department(demo_app)


def ledgers_are_scoped_by_department(demo_app: App) -> None:
    whole = ledgers.ledger(demo_app, who(demo_app, "fin.head"), "dept_budget")
    assert [(r.department, r.amount) for r in whole.rows] == [("mkt", 8e5), ("rnd", 9e5)]
    assert [(t.period, t.total) for t in whole.totals] == [("2025", 1.7e6)]
    mine = ledgers.ledger(demo_app, who(demo_app, "rnd.head"), "dept_budget")
    assert [r.department for r in mine.rows] == ["rnd"] and mine.total == 9e5
    (summary,) = ledgers.ledgers(demo_app, who(demo_app, "mkt.head"))
    assert (summary.ledger, summary.rows, summary.total) == ("dept_budget", 1, 8e5)
    assert ledgers.ledger(demo_app, who(demo_app, "gm"), "dept_budget").total == 1.7e6
    assert ledgers.ledgers(demo_app, who(demo_app, "mkt.staff")) == []


def test_the_last_failure_opens_an_incident_retried_then_skipped(
    demo_app: App, clock: FixedClock
) -> None:
    admin = who(demo_app, "admin")
    with finance_server(["garbage"]) as finance:
        key = approved_budget(demo_app, finance.url)
        timers.tick(demo_app, clock, clock.now() + timedelta(hours=3))
        call = the_call(demo_app)
        assert (call["state"], call["attempts"]) == ("incident", MAX_ATTEMPTS)
        assert len(finance.requests) == MAX_ATTEMPTS
        assert timers.fire_due(demo_app, clock.now() + timedelta(days=1)) == 0  # it waits
        (incident,) = service_admin.calls(demo_app, admin)
        assert incident.state == "incident" and incident.business_key == key
        assert "service_incident" in kinds(demo_app, key)
        with demo_app.db.read() as conn:
            sent = conn.execute(select(outbox.c.event, outbox.c.recipients)).all()
        assert ("service_incident", ["admin"]) in [(e, list(r)) for e, r in sent]
        service_admin.retry(demo_app, admin, incident.id)  # attempted again from the first
        assert (the_call(demo_app)["state"], the_call(demo_app)["attempts"]) == ("pending", 0)
        timers.fire_due(demo_app, clock.now())
        assert len(finance.requests) == MAX_ATTEMPTS + 1
    with pytest.raises(InputError):
        service_admin.skip(demo_app, admin, incident.id, "  ")
    with pytest.raises(ConflictError):
        service_admin.retry(demo_app, admin, incident.id)  # pending again: not an incident
    view = service_admin.skip(demo_app, admin, incident.id, "财务系统停机，已手工录入")
    assert (view.state, view.resolution, view.resolved_by) == (
        "skipped",
        "财务系统停机，已手工录入",
        "admin",
    )
    detail = Driver(demo_app).instance(key)
    assert detail["state"] == "completed"
    (skipped,) = [e for e in detail["timeline"] if e["kind"] == "service_skipped"]
    assert skipped["data"]["reason"] == "财务系统停机，已手工录入"
    assert len(ledger_rows(demo_app)) == 2
    with pytest.raises(ConflictError):
        service_admin.skip(demo_app, admin, incident.id, "again")


def test_a_service_without_an_endpoint_is_an_incident_at_once(demo_app: App) -> None:
    service_admin.remove_endpoint(demo_app, who(demo_app, "admin"), "finance.sync_budget")
    d = Driver(demo_app)
    key = d.start("annual-budget", "fin.head", FORM)
    for code, amount in AMOUNTS.items():
        d.complete(f"{code}.head", "dept_budgets", budget_amount=amount,
                   last_year_amount=amount, budget_items="x")  # fmt: skip
    d.approve("vp.admin", "leader_approval")
    timers.fire_due(demo_app, demo_app.now())
    call = the_call(demo_app)
    assert call["state"] == "incident" and call["attempts"] == 1
    assert "no endpoint is configured for finance.sync_budget" in call["last_error"]
    assert d.instance(key)["state"] == "running"


def test_cancelling_the_instance_cancels_its_call(demo_app: App) -> None:
    with finance_server(["ok"]) as finance:
        key = approved_budget(demo_app, finance.url)
        runtime.cancel(demo_app, who(demo_app, "admin"), key, "预算作废")
        assert the_call(demo_app)["state"] == "cancelled"
        # one check: the survey sweep looks at the ended instance (a cancelled one is not
        # asked about); the cancelled call is not made
        assert timers.fire_due(demo_app, demo_app.now() + timedelta(days=1)) == 1
        assert finance.requests == []
        assert surveys.of_instance(demo_app, who(demo_app, "admin"), key) == []
    assert ledger_rows(demo_app) == []


def test_two_workers_make_a_due_call_once(demo_app: App, clock: FixedClock) -> None:
    """The call's row is claimed (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write
    lock), so two workers at the same instant POST it once."""
    with finance_server(["ok"]) as finance:
        approved_budget(demo_app, finance.url)
        apps = [
            App(db=Database(demo_app.db.url), clock=clock, calendar=demo_app.calendar,
                cipher=demo_app.sensitive.cipher)
            for _ in range(2)
        ]  # fmt: skip
        barrier = threading.Barrier(len(apps))
        fired: list[bool] = []

        def work(app: App) -> None:
            barrier.wait()
            while service_calls.fire_one(app, clock.now()):
                fired.append(True)

        threads = [threading.Thread(target=work, args=(app,)) for app in apps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        for app in apps:
            app.db.dispose()
        assert len(fired) == 1 and len(finance.requests) == 1
    assert the_call(demo_app)["state"] == "done"


def test_an_accepted_call_whose_step_cannot_pass_is_an_incident(demo_app: App) -> None:
    """A department listed twice gets one budget task: the ledger's department and amount
    lists differ in length, so the step cannot pass — an incident, nothing half-written."""
    with finance_server(["ok"]) as finance:
        form = {**FORM, "departments": ["mkt", "mkt"]}
        service_admin.set_endpoint(
            demo_app, who(demo_app, "admin"), "finance.sync_budget", finance.url, SECRET, 5
        )
        d = Driver(demo_app)
        key = d.start("annual-budget", "fin.head", form)
        d.complete("mkt.head", "dept_budgets", budget_amount=1, last_year_amount=1,
                   budget_items="x")  # fmt: skip
        d.approve("vp.admin", "leader_approval")
        timers.fire_due(demo_app, demo_app.now())
    call = the_call(demo_app)
    assert call["state"] == "incident" and "cannot pass" in call["last_error"]
    assert d.instance(key)["state"] == "running" and ledger_rows(demo_app) == []
