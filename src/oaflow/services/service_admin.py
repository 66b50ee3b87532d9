"""Administering service calls (INT-2): the endpoint each service name is answered at in
this deployment, and the incidents — calls that kept failing — which an administrator
retries (attempted again from the first attempt) or skips with a reason (the node passes;
the history says skipped and why)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from oaflow.domain.errors import ConflictError, InputError, NotFoundError
from oaflow.domain.security import SYSTEM, Permission, Principal
from oaflow.domain.text import Text
from oaflow.engine import calls as engine
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.services.retry import retried
from oaflow.services.service_calls import load_instance
from oaflow.services.service_http import DEMO_FINANCE_URL
from oaflow.services.service_secrets import sealed_secret
from oaflow.storage import service_repo

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$")
MAX_TIMEOUT = 120.0
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class EndpointView:
    """A configured endpoint; its secret is never shown, only whether it is set."""

    service: str
    url: str
    timeout_seconds: float
    secret_set: bool
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class CallView:
    """A service call (an incident when its state is ``incident``)."""

    id: int
    business_key: str
    process: str
    title: str
    node_id: str
    node: Text
    service: str
    state: str
    attempts: int
    next_at: datetime | None
    last_error: str
    last_status: int | None
    reference: str
    created_at: datetime
    finished_at: datetime | None
    incident_at: datetime | None
    resolved_by: str | None
    resolution: str


# -- endpoints ----------------------------------------------------------------------------
def set_endpoint(
    app: App,
    who: Principal,
    service: str,
    url: str | None = None,
    secret: str | None = None,
    timeout: float | None = None,
) -> EndpointView:
    """Configure where ``service`` is called, or change part of it (the secret is kept
    when none is given)."""
    _check_name(service)
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        found = service_repo.endpoint(conn, service) or {}
        url = url if url is not None else found.get("url")
        if url is None:
            raise InputError("service.url_missing", service=service)
        _check_url(url)
        timeout = timeout if timeout is not None else found.get("timeout_seconds", DEFAULT_TIMEOUT)
        if not 0 < timeout <= MAX_TIMEOUT:
            raise InputError("service.bad_timeout", timeout=timeout, most=MAX_TIMEOUT)
        if secret == "" or (secret is None and not found):
            raise InputError("service.secret_missing", service=service)
        stored = found["secret"] if secret is None else sealed_secret(app, service, secret)
        row = {
            "service": service,
            "url": url,
            "secret": stored,
            "timeout_seconds": float(timeout),
            "changed_at": app.now(),
            "changed_by": who.login,
        }
        service_repo.put_endpoint(conn, row)
        detail = {"url": url, "timeout_seconds": timeout, "secret_changed": secret is not None}
        audit.record(app, conn, who, AuditAction.SERVICE_SET, f"service:{service}", **detail)
        return _endpoint_view(row)


#: the demo company's finance system, answered in the process (services/service_http.py)
DEMO_SERVICES = {"finance.sync_budget": DEMO_FINANCE_URL}
DEMO_SECRET = "demo-finance-secret"


def configure_demo(app: App) -> None:
    """The demo's endpoints, where none is configured yet."""
    with app.db.read() as conn:
        configured = {e["service"] for e in service_repo.endpoints(conn)}
    for service, url in DEMO_SERVICES.items():
        if service not in configured:
            set_endpoint(app, SYSTEM, service, url, DEMO_SECRET, DEFAULT_TIMEOUT)


def _check_name(service: str) -> None:
    if len(service) > 100 or not SERVICE_NAME.match(service):
        raise InputError("service.bad_name", service=service)


def _check_url(url: str) -> None:
    if url.startswith(DEMO_FINANCE_URL):
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("service.bad_url", url=url)


def endpoints(app: App, who: Principal) -> list[EndpointView]:
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        return [_endpoint_view(r) for r in service_repo.endpoints(conn)]


def endpoint(app: App, who: Principal, service: str) -> EndpointView:
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        found = service_repo.endpoint(conn, service)
        if found is None:
            raise NotFoundError("service.not_configured", service=service)
        return _endpoint_view(found)


def remove_endpoint(app: App, who: Principal, service: str) -> None:
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        if not service_repo.remove_endpoint(conn, service):
            raise NotFoundError("service.not_configured", service=service)
        audit.record(app, conn, who, AuditAction.SERVICE_REMOVE, f"service:{service}")


def _endpoint_view(row: dict[str, Any]) -> EndpointView:
    return EndpointView(
        row["service"],
        row["url"],
        float(row["timeout_seconds"]),
        bool(row["secret"]),
        row["changed_at"],
        row["changed_by"],
    )


# -- calls and incidents ------------------------------------------------------------------
def calls(
    app: App, who: Principal, incidents: bool = True, business_key: str | None = None
) -> list[CallView]:
    """Incidents, open first then resolved ones (``incidents``), or every call."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        rows = service_repo.calls(conn, business_key=business_key, incidents_only=incidents)
        views = [_call_view(app, conn, r) for r in rows]
    return sorted(views, key=lambda v: v.state != "incident")


def call(app: App, who: Principal, call_id: int) -> CallView:
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        row = service_repo.call(conn, call_id)
        if row is None:
            raise NotFoundError("service.call_not_found", call=call_id)
        return _call_view(app, conn, row)


def retry(app: App, who: Principal, call_id: int) -> CallView:
    """Attempt an incident's call again, at once, from its first attempt."""
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        row = _incident(conn, call_id, ("incident",))
        now = app.now()
        service_repo.set_call(
            conn, call_id, state="pending", attempts=0, next_at=now, resolved_by=who.login
        )
        target = f"instance:{row['business_key']}"
        audit.record(app, conn, who, AuditAction.INCIDENT_RETRY, target, call=call_id)
    return call(app, who, call_id)


def skip(app: App, who: Principal, call_id: int, reason: str) -> CallView:
    """Skip a failed (or still retrying) call with ``reason``: its node passes."""
    if not reason.strip():
        raise InputError("service.skip_reason_missing", call=call_id)
    retried(lambda: _skip_once(app, who, call_id, reason.strip()), None)
    return call(app, who, call_id)


def _skip_once(app: App, who: Principal, call_id: int, reason: str) -> None:
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        row = _incident(conn, call_id, ("incident", "pending"))
        now = app.now()
        service_repo.set_call(
            conn,
            call_id,
            state="skipped",
            next_at=None,
            finished_at=now,
            resolved_by=who.login,
            resolution=reason,
        )
        store, world, instance, tasks = load_instance(app, conn, row["business_key"], now)
        store.write(engine.skipped(world, instance, tasks, row["node_id"], who.login, reason))
        target = f"instance:{row['business_key']}"
        audit.record(app, conn, who, AuditAction.INCIDENT_SKIP, target, call=call_id, reason=reason)


def _incident(conn: Any, call_id: int, states: tuple[str, ...]) -> dict[str, Any]:
    row = service_repo.lock_call(conn, call_id)
    if row is None:
        raise NotFoundError("service.call_not_found", call=call_id)
    if row["state"] not in states:
        raise ConflictError("service.call_not_open", call=call_id, state=row["state"])
    return row


def _call_view(app: App, conn: Any, row: dict[str, Any]) -> CallView:
    definition = app.definition(conn, row["definition_id"])
    node = definition.nodes.get(row["node_id"])
    return CallView(
        id=row["id"],
        business_key=row["business_key"],
        process=row["process_key"],
        title=row["title"],
        node_id=row["node_id"],
        node=node.name if node else Text(row["node_id"]),
        service=row["service"],
        state=row["state"],
        attempts=row["attempts"],
        next_at=row["next_at"],
        last_error=row["last_error"],
        last_status=row["last_status"],
        reference=row["reference"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
        incident_at=row["incident_at"],
        resolved_by=row["resolved_by"],
        resolution=row["resolution"],
    )
