"""Request bodies cannot set what the caller may not set (assignee, state, department) and
are taken strictly ("50" is not a number, 1 is not a note): 422, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Server

COMPLAINT = {
    "title": "投诉",
    "customer": "某公司",
    "complaint_type": "quality",
    "description": "外包装破损",
}


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("approve", {"note": "同意", "assignee": "gm"}),
        ("approve", {"note": "同意", "state": "approved"}),
        ("approve", {"note": 1}),
        ("progress", {"percent": "50"}),
        ("progress", {"percent": 50.5}),
        ("progress", {"percent": True}),
        ("transfer", {"to": "csd.staff", "department": "fin"}),
        ("complete", {"fields": {}, "assignee": "csd.staff"}),
    ],
)
def test_a_field_one_may_not_set_or_a_loose_type_is_refused(
    api: Server, action: str, body: dict[str, Any]
) -> None:
    api.signed_in("csd.staff").post(
        "/api/instances", json={"process": "customer-complaint", "form": COMPLAINT}
    )
    head = api.signed_in("csd.head")
    [task] = head.get("/api/tasks").json()["items"]
    before = head.get(f"/api/tasks/{task['id']}").json()
    refused = head.post(f"/api/tasks/{task['id']}/{action}", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "request.invalid"
    assert head.get(f"/api/tasks/{task['id']}").json() == before


def test_an_instance_cannot_be_started_with_its_state_or_department_set(api: Server) -> None:
    staff = api.signed_in("csd.staff")
    for extra in ({"state": "completed"}, {"initiator": "gm"}, {"department": "fin"}):
        body = {"process": "customer-complaint", "form": COMPLAINT, **extra}
        assert staff.post("/api/instances", json=body).status_code == 422
    assert staff.get("/api/instances").json()["total"] == 0
