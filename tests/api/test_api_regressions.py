"""Regressions the API fuzzing (test_openapi_fuzz.py) and the BOLA matrix found, each
through HTTP on a real server."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from .conftest import Server

PROBLEM = "application/problem+json"


def documented(api: Server, method: str, path: str) -> dict[str, Any]:
    spec = api.client().get("/api/openapi.json").json()
    responses: dict[str, Any] = spec["paths"][path][method.lower()]["responses"]
    return responses


def is_problem(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == code


def test_errors_are_documented_as_problem_json(api: Server) -> None:
    """Errors are served as application/problem+json; the description said application/json
    (FastAPI files a response model under the route's media type)."""
    spec = api.client().get("/api/openapi.json").json()
    errors = [
        (path, method, status, sorted(response.get("content", {})))
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if status[0] in "45"
    ]
    assert errors
    assert [e for e in errors if e[3] != [PROBLEM]] == []
    head = api.signed_in("csd.head")
    is_problem(head.get("/api/tasks/999999"), 404, "task.not_found")


def test_a_body_that_cannot_be_read_is_a_documented_400(api: Server) -> None:
    """Bytes that are not JSON text, or a broken form, got an undocumented 400 with
    FastAPI's English wording and the code request.failed."""
    head = api.signed_in("csd.head")
    json_header = {"content-type": "application/json"}
    for body in (b"\xff\xfe\x00x", b"y"):
        answer = head.post("/api/tasks/1/comment", content=body, headers=json_header)
        is_problem(answer, 400, "request.malformed")
    form = {"content-type": "multipart/form-data; boundary=b"}
    answer = head.post("/api/organisation", content=b"--b\r\n-1--b--\r\n", headers=form)
    is_problem(answer, 400, "request.malformed")
    unreadable = head.post("/api/tasks/1/comment", content=b"\xff", headers=json_header)
    assert unreadable.json()["title"] == "请求内容无法读取"
    for method, path in (("POST", "/api/tasks/{task_id}/comment"), ("POST", "/api/organisation")):
        assert "400" in documented(api, method, path), path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> Server:
    """The API on SQLite, and on PostgreSQL (which refuses more: NUL, int4 overflow)."""
    found: Server = request.getfixturevalue("api" if request.param == "sqlite" else "api_pg")
    return found


def test_numbers_beyond_the_columns_are_refused(server: Server) -> None:
    """Ids beyond the INTEGER columns (int4 on PostgreSQL), in a path or a body, an offset
    beyond BIGINT and a channel's rate beyond INTEGER were 500 (OverflowError on SQLite,
    NumericValueOutOfRange on PostgreSQL); they are 422 and nothing changes."""
    head, admin = server.signed_in("csd.head"), server.signed_in("admin")
    for big in (2**31, 2**63, 2**70):
        for path in (f"/api/tasks/{big}", f"/api/tasks/{big}/files", f"/api/files/{big}"):
            is_problem(head.get(path), 422, "request.invalid")
        is_problem(head.delete(f"/api/tokens/{big}"), 422, "request.invalid")
        batch = head.post("/api/tasks/approve-batch", json={"tasks": [big]})
        is_problem(batch, 422, "request.invalid")
        read = head.post("/api/notifications/read", json={"ids": [big]})
        is_problem(read, 422, "request.invalid")
        for path in ("/api/deliveries/retry", "/api/deliveries/discard"):
            is_problem(admin.post(path, json={"ids": [big]}), 422, "request.invalid")
        channel = {"name": "c", "kind": "recording", "settings": {}, "per_minute": big}
        is_problem(admin.post("/api/channels", json=channel), 422, "request.invalid")
    for offset in (2**63, 2**70):
        answer = head.get("/api/instances", params={"offset": offset})
        is_problem(answer, 422, "request.invalid")
    assert head.get("/api/instances", params={"offset": 2**63 - 1}).json()["items"] == []
    assert admin.get("/api/channels").json() == []


NUL = "\x00"
COMPLAINT = "customer-complaint"


def test_text_with_nul_or_a_lone_surrogate_is_refused(server: Server) -> None:
    """NUL in a path, query or body (PostgreSQL: "text fields cannot contain NUL"), and an
    unpaired surrogate in a body ("surrogates not allowed"), were 500 wherever the text
    reached the database or the answer; they are 422 before anything is done."""
    head, admin = server.signed_in("csd.head"), server.signed_in("admin")
    form = {"title": "t", "customer": "c", "complaint_type": "quality", "description": "d"}
    for bad in (NUL, "a\x00b"):
        refused = [
            head.get(f"/api/instances/{quote(bad)}"),
            head.get(f"/api/users/{quote(bad)}/preferences"),
            head.get("/api/instances", params={"department": bad}),
            head.get("/api/tasks", params={"q": bad}),
            admin.get("/api/outbox", params={"to": bad}),
            head.post("/api/instances", json={"process": COMPLAINT, "form": {**form, "goal": bad}}),
            head.post("/api/instances", json={"process": COMPLAINT, "form": {**form, bad: "x"}}),
            head.post("/api/tokens", json={"name": bad, "scopes": ["read"]}),
            admin.put("/api/templates/urge", json={"subject": bad, "body": "x"}),
            admin.put("/api/calendar/days/2031-01-02", json={"kind": "off", "name": bad}),
            admin.post("/api/channels", json={"name": bad, "kind": "recording", "settings": {}}),
        ]
        for answer in refused:
            is_problem(answer, 422, "request.invalid")
    json_header = {"content-type": "application/json"}
    lone = '{"process": "customer-complaint", "form": {"title": "\\ud800", "customer": "c", ' \
        '"complaint_type": "quality", "description": "d"}}'  # fmt: skip
    answer = head.post("/api/instances", content=lone.encode(), headers=json_header)
    is_problem(answer, 422, "request.invalid")
    day = b'{"kind": "off", "name": "\\udfff"}'
    answer = admin.put("/api/calendar/days/2031-01-02", content=day, headers=json_header)
    is_problem(answer, 422, "request.invalid")
    not_finite = b'{"process": "customer-complaint", "form": {"title": "t", "remarks": NaN}}'
    answer = head.post("/api/instances", content=not_finite, headers=json_header)
    is_problem(answer, 422, "request.invalid")
    assert head.get("/api/instances").json()["total"] == 0


def test_texts_longer_than_their_columns_are_refused(server: Server) -> None:
    """A channel name over VARCHAR(100) and an instance title over VARCHAR(200) were 500 on
    PostgreSQL ("value too long"); an empty channel name was accepted."""
    head, admin = server.signed_in("csd.head"), server.signed_in("admin")
    for name in ("", "n" * 101):
        channel = {"name": name, "kind": "recording", "settings": {}}
        is_problem(admin.post("/api/channels", json=channel), 422, "request.invalid")
    form = {"title": "t" * 201, "customer": "c", "complaint_type": "quality", "description": "d"}
    started = head.post("/api/instances", json={"process": "customer-complaint", "form": form})
    is_problem(started, 422, "request.invalid")
    form["title"] = "t" * 200
    body = {"process": "customer-complaint", "form": form}
    assert head.post("/api/instances", json=body).status_code == 201


def test_an_instant_beyond_the_calendar_is_refused(server: Server) -> None:
    """0001-01-01 00:00 in Shanghai is before year 1 in UTC: a deputy's period or a planned
    date there was 500 (OverflowError: date value out of range)."""
    head, admin = server.signed_in("csd.head"), server.signed_in("admin")
    period = {"deputy": "csd.staff", "starts": "0001-01-01T00:00", "ends": "2031-01-01T00:00"}
    is_problem(head.put("/api/users/csd.head/deputy", json=period), 422, "calendar.bad_time")
    form = {
        "title": "t", "project_lead": "gm", "m1_department": "leg", "m2_department": "leg",
        "m3_department": "leg", "m1_date": "0001-01-01T00:00", "m2_date": "2031-04-01T18:00",
        "m3_date": "2031-05-01T18:00",
    }  # fmt: skip
    started = admin.post("/api/instances", json={"process": "project-milestones", "form": form})
    is_problem(started, 422, "calendar.bad_time")


def test_a_body_too_large_to_keep_is_a_documented_413(api: Server) -> None:
    """A body over 5 MB with an Idempotency-Key is refused with 413, which the operations
    did not document (schemathesis: "undocumented status code")."""
    admin = api.signed_in("admin")
    body = {"source": "x" * 999_999, "file": "d.yaml"}
    encoded = json.dumps(body, ensure_ascii=True).replace("x", "\\u0078").encode()
    assert len(encoded) > 5 * 2**20
    headers = {"content-type": "application/json", "idempotency-key": "big-1"}
    answer = admin.post("/api/processes/validate", content=encoded, headers=headers)
    is_problem(answer, 413, "idempotency.too_large")
    assert "413" in documented(api, "POST", "/api/processes/validate")


def test_times_in_a_query_or_path_are_written_as_dates(server: Server) -> None:
    """started_from=2024-03-01T09:00 (no offset) or 2024-03-01 was a 500 ("naive datetime
    given to the database"); it is read in the business calendar's zone, like the CLI. A
    number was taken as seconds since 1970: /calendar/days/0 made 1 January 1970 a day off."""
    head, admin = server.signed_in("csd.head"), server.signed_in("admin")
    form = {"title": "t", "customer": "c", "complaint_type": "quality", "description": "d"}
    assert head.post("/api/instances", json={"process": COMPLAINT, "form": form}).is_success
    for value in ("2024-03-01T09:00", "2024-03-01", "2024-03-01T09:00:00+08:00"):
        found = head.get("/api/instances", params={"started_from": value})
        assert found.status_code == 200, found.text
        assert found.json()["total"] == 1
        assert head.get("/api/instances", params={"started_until": value}).json()["total"] == 0
    for number in ("0", "+0.0", "1709254800"):
        for name in ("started_from", "started_until"):
            refused = head.get("/api/instances", params={name: number})
            is_problem(refused, 422, "request.invalid")
        day = admin.put(f"/api/calendar/days/{number}", json={"kind": "off"})
        is_problem(day, 422, "request.invalid")
    assert admin.get("/api/calendar", params={"year": 1970}).json()["days"] == []


def test_idempotency_keys_work_on_postgresql(server: Server) -> None:
    """On PostgreSQL every request with an Idempotency-Key was refused 409 "still running"
    (the claim read the INSERT's rowcount, which psycopg reports as -1); a retry gets the
    first answer again and another request under the key is refused (422)."""
    admin = server.signed_in("admin")
    key = {"Idempotency-Key": "regression-1"}
    first = admin.post("/api/notifications/read", json={"ids": [1]}, headers=key)
    assert first.status_code == 200, first.text
    again = admin.post("/api/notifications/read", json={"ids": [1]}, headers=key)
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers.get("idempotent-replayed") == "true"
    other = admin.post("/api/notifications/read", json={"ids": [2]}, headers=key)
    is_problem(other, 422, "idempotency.key_reused")


def test_every_change_documents_409(api: Server) -> None:
    """A retry with an Idempotency-Key while the first request runs is 409 on any change;
    most changes did not document 409 (schemathesis on PostgreSQL)."""
    spec = api.client().get("/api/openapi.json").json()
    changes = [
        (method, path, operation["responses"])
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(changes) > 30
    assert [(m, p) for m, p, responses in changes if "409" not in responses] == []
