"""The audit log through HTTP (SEC-4): sign-ins, configuration changes and refused requests
are recorded with the caller's address; the answer to a refusal is unchanged (404 for an
object outside one's scope)."""

from __future__ import annotations

from oaflow.services import audit
from oaflow.services.app import App
from oaflow.services.authz import principal

from .conftest import Server

FORM = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}


def newest(app: App, count: int) -> list[audit.AuditEntry]:
    """The newest ``count`` entries, oldest first."""
    return list(reversed(audit.entries(app, principal(app, "auditor"), limit=count)))


def test_refusals_changes_and_sign_ins_are_recorded_with_the_callers_address(api: Server) -> None:
    csd = api.signed_in("csd.head")
    started = csd.post("/api/instances", json={"process": "customer-complaint", "form": FORM})
    assert started.status_code == 201, started.text
    key = started.json()["summary"]["business_key"]
    outsider = api.signed_in("log.head")
    refused = outsider.get(f"/api/instances/{key}")
    assert refused.status_code == 404 and refused.json()["code"] == "instance.not_found"
    admin = api.signed_in("admin")
    granted = admin.put("/api/processes/annual-budget/access/initiate", json={"roles": ["head"]})
    assert granted.status_code == 200, granted.text
    staff = api.signed_in("csd.staff")
    assert staff.put("/api/policies/contract", json={"departments": ["leg"]}).status_code == 403

    found = [(e.actor, e.action, e.target, e.address) for e in newest(api.app, 6)]
    assert found == [
        ("log.head", "sign_in", "user:log.head", "127.0.0.1"),
        ("log.head", "access.denied", f"instance:{key}", "127.0.0.1"),
        ("admin", "sign_in", "user:admin", "127.0.0.1"),
        ("admin", "access.grant", "process:annual-budget", "127.0.0.1"),
        ("csd.staff", "sign_in", "user:csd.staff", "127.0.0.1"),
        ("csd.staff", "access.denied", "system", "127.0.0.1"),
    ]
    assert audit.verify(api.app, principal(api.app, "auditor")).intact
