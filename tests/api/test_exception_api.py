"""The exception loop over HTTP (EXC-1..4), on SQLite and PostgreSQL: a participant reports
an exception, the responsible department explains it, the initiating department coordinates
(the task takes the new deadline and owner), the handler resolves, a failed then a passed
verification closes it, it is reopened — and every refusal is problem+json with the right
status, changing nothing. (The 4-working-hour report clock runs on the simulated clock in
tests/contract/test_exception_loop.py; this server runs on the real one.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.conftest import Server

COMPLAINT = {
    "title": "客户投诉：包装破损",
    "customer": "上海某贸易公司",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "外包装破损",
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> Server:
    found: Server = request.getfixturevalue("api" if request.param == "sqlite" else "api_pg")
    return found


def problem(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code


def later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M+00:00")


def test_the_loop_over_http(server: Server) -> None:
    csd, prd, staff = (server.signed_in(x) for x in ("csd.head", "prd.head", "prd.staff"))
    made = csd.post("/api/instances", json={"process": "customer-complaint", "form": COMPLAINT})
    key = made.json()["summary"]["business_key"]
    [triage] = csd.get("/api/tasks").json()["items"]
    assert csd.post(f"/api/tasks/{triage['id']}/approve", json={}).status_code == 200

    opened = csd.post(
        f"/api/instances/{key}/exceptions",
        json={"node": "handle", "description": "未在时限内开始处理"},
    )
    assert opened.status_code == 201, opened.text
    code = opened.json()["code"]
    record = csd.get(f"/api/exceptions/{code}").json()
    assert (record["record"]["state"], record["record"]["reporter"]["login"]) == (
        "found",
        "csd.head",
    )
    assert record["may"] == [] and "需求变更" in record["causes"]
    assert prd.get(f"/api/exceptions/{code}").json()["may"] == ["report"]

    path = f"/api/exceptions/{code}"
    explanation = {"category": "资源不足", "cause": "设备检修", "expected": later(2)}
    problem(csd.post(f"{path}/report", json=explanation), 403, "exception.not_responsible")
    problem(
        prd.post(f"{path}/report", json={**explanation, "expected": "2020-01-01T09:00"}),
        422,
        "exception.time_past",
    )
    assert prd.post(f"{path}/report", json={**explanation, "extra": 1}).status_code == 422
    problem(
        csd.post(
            f"{path}/coordinate", json={"plan": "x", "handler": "prd.staff", "deadline": later(3)}
        ),
        409,
        "exception.wrong_state",
    )
    assert csd.get(path).json() == record  # nothing changed
    reported = prd.post(f"{path}/report", json={**explanation, "resources": "客服部协助"})
    assert reported.status_code == 200 and reported.json()["record"]["state"] == "reported"

    deadline = later(3)
    coordination = {"plan": "指派专人处理", "handler": "prd.staff", "deadline": deadline}
    problem(prd.post(f"{path}/coordinate", json=coordination), 403, "exception.not_initiating")
    handled = csd.post(f"{path}/coordinate", json=coordination)
    assert handled.json()["record"]["state"] == "handling"
    [task] = staff.get("/api/tasks").json()["items"]  # the task is hers, with the new deadline
    assert task["business_key"] == key and task["state"] == "pending"
    assert datetime.fromisoformat(task["due_at"]) == datetime.fromisoformat(deadline)

    assert staff.post(f"{path}/resolve", json={"note": "已处理"}).json()["record"]["state"] == (
        "verifying"
    )
    problem(prd.post(f"{path}/verify", json={"result": "好"}), 403, "exception.not_initiating")
    back = csd.post(f"{path}/verify", json={"result": "缺回访记录", "passed": False})
    assert back.json()["record"]["state"] == "handling"
    staff.post(f"{path}/resolve", json={"note": "补充回访记录"})
    closed = csd.post(f"{path}/verify", json={"result": "客户满意"}).json()
    assert closed["record"]["state"] == "closed" and closed["may"] == ["reopen"]
    problem(prd.post(f"{path}/report", json=explanation), 409, "exception.wrong_state")
    reopened = csd.post(f"{path}/reopen", json={"reason": "客户再次投诉"}).json()
    assert reopened["record"]["state"] == "reopened" and reopened["record"]["reopened"] == 1

    listed = csd.get("/api/exceptions", params={"open": "true"}).json()
    assert [r["code"] for r in listed] == [code]
    assert csd.get("/api/exceptions", params={"state": "closed"}).json() == []
    assert csd.get("/api/exceptions", params={"state": "nonsense"}).status_code == 422

    outsider = server.signed_in("log.head")  # out of scope: exactly like a missing record
    problem(outsider.get(path), 404, "exception.not_found")
    problem(outsider.get("/api/exceptions/ABN20991299"), 404, "exception.not_found")
    problem(outsider.post(f"{path}/resolve", json={"note": "x"}), 404, "exception.not_found")
