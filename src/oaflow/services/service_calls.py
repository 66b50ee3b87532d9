"""Service nodes' calls to other systems (INT-2), as one of the timers' sweeps
(services/timers.py): the worker and ``oaflow tick`` make them.

One call due at ``now`` is handled in three steps, so that no database transaction stays
open while another system answers:

1. claim it (a short transaction: PostgreSQL ``FOR UPDATE SKIP LOCKED``, SQLite the write
   lock): it becomes ``running`` with its attempt counted and a lease (its timeout and a
   margin: a worker that stops mid-call leaves it due again);
2. POST it, signed, outside any transaction (services/service_http.py);
3. record the outcome in one transaction: accepted — the node passes and the instance
   moves on (the engine decides, written with the call's new state); failed — due again
   after the next wait of ``BACKOFF`` (1 min, 5 min, 30 min, 2 h), or after the last
   attempt an incident: the history says so and the administrators get a message.

A call whose instance was returned or cancelled meanwhile is no longer ``running`` at its
attempt: the outcome is dropped. A service name without a configured endpoint is an
incident at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.errors import OAFlowError
from oaflow.domain.integration import BACKOFF, MAX_ATTEMPTS
from oaflow.domain.model import InstanceRecord, Message, TaskRecord, World
from oaflow.engine import calls as engine
from oaflow.services.app import App
from oaflow.services.retry import retried
from oaflow.services.service_http import Attempt, post
from oaflow.services.service_secrets import opened_secret
from oaflow.services.timers import Sweep
from oaflow.storage import runtime_reads, service_repo
from oaflow.storage.runtime_store import RuntimeStore

#: how much longer than its timeout a claimed call is left to its worker
LEASE_MARGIN = timedelta(seconds=30)
INCIDENT_PAGE = "/admin/services"


@dataclass(frozen=True)
class Claimed:
    """A call claimed for one attempt, with where to send it (None: no endpoint)."""

    id: int
    service: str
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    url: str | None
    secret: str
    timeout: float
    #: why it cannot be sent (no endpoint, a secret that does not open)
    problem: str = ""


def next_due(app: App) -> datetime | None:
    with app.db.read() as conn:
        return service_repo.next_due(conn)


def fire_one(app: App, now: datetime) -> bool:
    """Make one attempt of a call due at ``now``; False when none is due."""
    claimed = _claim(app, now)
    if claimed is None:
        return False
    if claimed.url is None:
        outcome = Attempt(None, claimed.problem)
        retried(lambda: _failed(app, claimed, outcome, now, final=True), None)
        return True
    outcome = post(
        claimed.url,
        claimed.secret,
        claimed.timeout,
        claimed.payload,
        claimed.idempotency_key,
        now,
    )
    if outcome.reference is not None:
        try:
            retried(lambda: _answered(app, claimed, outcome, now), None)
        except OAFlowError as error:  # the node cannot pass (say, its ledger's data is wrong)
            refused = Attempt(None, f"accepted, but the step cannot pass: {error}", outcome.status)
            retried(lambda: _failed(app, claimed, refused, now, final=True), None)
    else:
        final = claimed.attempts >= MAX_ATTEMPTS
        retried(lambda: _failed(app, claimed, outcome, now, final), None)
    return True


def _claim(app: App, now: datetime) -> Claimed | None:
    with app.db.write() as conn:
        row = service_repo.claim_due(conn, now)
        if row is None:
            return None
        endpoint = service_repo.endpoint(conn, row["service"])
        timeout = float(endpoint["timeout_seconds"]) if endpoint else 0.0
        attempts = int(row["attempts"]) + 1
        lease = now + timedelta(seconds=timeout) + LEASE_MARGIN
        service_repo.set_call(conn, row["id"], state="running", attempts=attempts, next_at=lease)
        service = row["service"]
        problem = f"没有为 {service} 配置接口 (no endpoint is configured for {service})"
        secret = ""
        if endpoint is not None:
            try:
                problem, secret = "", opened_secret(app, endpoint)
            except OAFlowError as error:  # a key taken away: the secret does not open
                problem, endpoint = str(error), None
        return Claimed(
            id=row["id"],
            service=row["service"],
            idempotency_key=row["idempotency_key"],
            payload=row["payload"],
            attempts=attempts,
            url=endpoint["url"] if endpoint else None,
            secret=secret,
            timeout=timeout,
            problem=problem,
        )


def _still_ours(conn: Connection, claimed: Claimed) -> dict[str, Any] | None:
    """The call as claimed, locked; None when it was cancelled or claimed again."""
    row = service_repo.lock_call(conn, claimed.id)
    if row is None or row["state"] != "running" or row["attempts"] != claimed.attempts:
        return None
    return row


def _answered(app: App, claimed: Claimed, outcome: Attempt, now: datetime) -> None:
    with app.db.write() as conn:
        row = _still_ours(conn, claimed)
        if row is None:
            return
        service_repo.set_call(
            conn,
            claimed.id,
            state="done",
            next_at=None,
            finished_at=now,
            reference=outcome.reference or "",
            last_status=outcome.status,
            last_error="",
        )
        store, world, instance, tasks = load_instance(app, conn, row["business_key"], now)
        decide = engine.answered
        reference = outcome.reference or ""
        store.write(decide(world, instance, tasks, row["node_id"], reference, claimed.attempts))


def _failed(app: App, claimed: Claimed, outcome: Attempt, now: datetime, final: bool) -> None:
    with app.db.write() as conn:
        row = _still_ours(conn, claimed)
        if row is None:
            return
        error = {"last_error": outcome.error[:1000], "last_status": outcome.status}
        if not final:
            wait = BACKOFF[min(claimed.attempts, len(BACKOFF)) - 1]
            service_repo.set_call(conn, claimed.id, state="pending", next_at=now + wait, **error)
            return
        service_repo.set_call(
            conn, claimed.id, state="incident", next_at=None, incident_at=now, **error
        )
        store, world, instance, _ = load_instance(app, conn, row["business_key"], now)
        decision = engine.incident(world, instance, row["node_id"], outcome.error, claimed.attempts)
        decision.messages.append(_incident_message(world, instance, row, outcome.error))
        store.write(decision)


def _incident_message(
    world: World, instance: InstanceRecord, row: dict[str, Any], error: str
) -> Message:
    node = world.definition.node(row["node_id"])
    administrators = world.org.users_with_role("administrator")
    data = {
        "business_key": instance.business_key,
        "title": instance.title,
        "node_zh": node.name.zh,
        "node_en": node.name.get("en"),
        "note": error[:300],
        "page": INCIDENT_PAGE,
    }
    key = f"service:{row['id']}:incident:{world.now.isoformat()}"
    return Message(key, "service_incident", tuple(administrators), data=data)


def load_instance(
    app: App, conn: Connection, business_key: str, now: datetime
) -> tuple[RuntimeStore, World, InstanceRecord, list[TaskRecord]]:
    """The store on ``conn``, the world at ``now``, the instance and its tasks."""
    instance = runtime_reads.find_instance(conn, app.sensitive, business_key)
    assert instance is not None
    store = RuntimeStore.on(conn, app.sensitive)
    definition = app.definition(conn, instance.definition_id)
    delegations = app.delegations_at(store.org_revision_now(), now)
    world = World(definition, app.org(conn), app.calendar, now, delegations)
    tasks = runtime_reads.instance_tasks(conn, app.sensitive, instance.id or 0)
    return store, world, instance, tasks


SWEEP = Sweep("service_calls", next_due, fire_one)
