"""Service endpoints, incidents and ledgers through HTTP (INT-2, ARC-2): administrators
configure the finance endpoint (the secret never comes back), see the incident the
worker opened, retry it and skip it with a reason; the ledger is read and exported in the
caller's scope; bad input is a problem+json answer that changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from tests.contract.test_service_calls import approved_budget
from tests.finance_server import SECRET, finance_server

from oaflow.services import timers

from .conftest import Server

ENDPOINT = "/api/services/finance.sync_budget"


def test_endpoints_incidents_retry_and_skip(api: Server) -> None:
    admin, head = api.signed_in("admin"), api.signed_in("mkt.head")
    with finance_server(["garbage"]) as finance:
        settings = {"url": finance.url, "secret": SECRET, "timeout_seconds": 5}
        answer = admin.put(ENDPOINT, json=settings)
        assert answer.status_code == 200, answer.text
        assert answer.json()["secret_set"] is True and SECRET not in answer.text
        bad = admin.put(ENDPOINT, json={**settings, "url": "ftp://finance"})
        assert (bad.status_code, bad.json()["code"]) == (422, "service.bad_url")
        assert admin.get(ENDPOINT).json()["url"] == finance.url  # nothing changed
        assert head.put(ENDPOINT, json=settings).status_code == 403
        assert head.get("/api/incidents").status_code == 403

        key = approved_budget(api.app, finance.url)
        at = api.app.now()
        for _ in range(5):  # every attempt, each at its own later instant
            timers.fire_due(api.app, at)
            at += timedelta(hours=3)
        (incident,) = admin.get("/api/incidents").json()
        assert (incident["business_key"], incident["state"], incident["attempts"]) == (
            key,
            "incident",
            5,
        )
        call = incident["id"]
        retried = admin.post(f"/api/incidents/{call}/retry")
        assert (retried.status_code, retried.json()["state"]) == (200, "pending")
        again = admin.post(f"/api/incidents/{call}/retry")
        assert (again.status_code, again.json()["code"]) == (409, "service.call_not_open")
    assert admin.post(f"/api/incidents/{call}/skip", json={"reason": ""}).status_code == 422
    skipped = admin.post(f"/api/incidents/{call}/skip", json={"reason": "已手工同步"})
    assert skipped.json()["state"] == "skipped" and skipped.json()["resolution"] == "已手工同步"
    shown = admin.get(f"/api/instances/{key}").json()
    assert shown["summary"]["state"] == "completed", shown.keys()
    assert admin.get("/api/incidents/999999").status_code == 404


def test_ledgers_are_read_and_exported_in_scope(api: Server) -> None:
    with finance_server(["ok"]) as finance:
        approved_budget(api.app, finance.url)
        timers.fire_due(api.app, api.app.now())
    fin, rnd = api.signed_in("fin.head"), api.signed_in("rnd.head")
    (summary,) = fin.get("/api/ledgers").json()
    assert (summary["ledger"], summary["rows"], summary["total"]) == ("dept_budget", 2, 1.7e6)
    mine = rnd.get("/api/ledgers/dept_budget").json()
    assert [r["department"] for r in mine["rows"]] == ["rnd"] and mine["total"] == 9e5
    book = fin.get("/api/ledgers/dept_budget/export", params={"format": "xlsx"})
    assert book.headers["content-type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["期间", "部门编码", "部门", "金额"]
    assert [v[1] for v in values[1:]] == ["mkt", "rnd", None] and values[-1][3] == 1.7e6
    csv = rnd.get("/api/ledgers/dept_budget/export", params={"format": "csv"}).content
    assert csv.startswith(b"\xef\xbb\xbf") and b"mkt" not in csv
    assert fin.get("/api/ledgers/nope").json()["code"] == "ledger.not_found"
