"""Delivering the outbox (NTF-5): route each message to its channels, then send each delivery
at least once with a stable message id.

Routing turns an outbox message into deliveries — per recipient by their preferences (email),
to the group robot of the task's department and to company-wide channels — in one
transaction that marks the message routed. Sending claims one due delivery and leases it
(``status='sending'`` until ``LEASE`` has passed), sends outside any transaction, then
records the result; a worker that dies in between leaves the lease to expire and the
delivery is sent again with the same message id (at most one duplicate per crash).
Failures are retried with exponential backoff and jitter, honouring Retry-After; a 410
disables the endpoint; after the last attempt the delivery is dead until an administrator
re-drives or discards it. Robots are throttled to their per-minute limit.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.errors import InputError
from oaflow.domain.org import Organisation
from oaflow.domain.security import SYSTEM, Principal
from oaflow.notify.channels.base import Channel, Endpoint, Outgoing, SendResult
from oaflow.services import audit, telemetry
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.services.notify_admin import (
    COMPANY_EVENTS,
    DEFAULT_PREFERENCES,
    GROUP_EVENTS,
    channel_named,
    require_administrator,
)
from oaflow.services.notify_content import outgoing_for
from oaflow.storage import notify_repo

log = logging.getLogger(__name__)
Channels = Callable[[str], Channel]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 10  # sends before a delivery is dead: about 3 h of waiting in all
    first_delay: timedelta = timedelta(seconds=30)
    longest_delay: timedelta = timedelta(hours=1)
    jitter: float = 0.2  # each delay is stretched or shrunk by up to this share
    lease: timedelta = timedelta(minutes=5)  # a sending worker's hold on a delivery

    def delay(self, attempt: int, draw: Callable[[], float]) -> timedelta:
        """The wait after failed attempt ``attempt`` (1, 2, …): doubling, capped, jittered."""
        base: timedelta = min(self.first_delay * 2 ** (attempt - 1), self.longest_delay)
        return base * (1 + self.jitter * (2 * draw() - 1))


DEFAULT_POLICY = RetryPolicy()
#: a delivery's state after an attempt, as the metrics name what came of it
OUTCOMES = {"sent": "sent", "pending": "retry", "dead": "dead"}


# -- routing ------------------------------------------------------------------------------
def route_pending(app: App, now: datetime, limit: int = 200) -> int:
    """Turn up to ``limit`` new outbox messages into deliveries; how many were routed."""
    with app.db.write() as conn:
        rows = notify_repo.unrouted_messages(conn, limit)
        if not rows:
            return 0
        org = app.org(conn)
        endpoints = [e for e in notify_repo.endpoint_list(conn) if e["enabled"]]
        logins = sorted({p for r in rows for p in r["recipients"]})
        prefs = notify_repo.preferences_of(conn, logins)
        new = [d for r in rows for d in _deliveries_of(r, endpoints, prefs, org, now)]
        notify_repo.add_deliveries(conn, new)
        notify_repo.mark_routed(conn, [r["id"] for r in rows])
        return len(rows)


def _deliveries_of(
    message: dict[str, Any],
    endpoints: Sequence[dict[str, Any]],
    prefs: dict[str, dict[str, Any]],
    org: Organisation,
    now: datetime,
) -> list[dict[str, Any]]:
    event = message["event"]
    found: list[dict[str, Any]] = []
    email = next((e for e in endpoints if e["kind"] == "email"), None)
    for login in message["recipients"]:
        mine = {**DEFAULT_PREFERENCES, **prefs.get(login, {})}
        user = org.users.get(login)
        wants = event not in mine["muted"] and "email" in mine["channels"]
        if email is not None and wants and user is not None and user.email:
            found.append(_delivery(message, email, now, login, user.email))
    department = message["task_department"] or message["data"].get("department")
    for endpoint in endpoints:
        if endpoint["kind"] == "email":
            continue
        takes = endpoint["events"] or (GROUP_EVENTS if endpoint["department"] else COMPANY_EVENTS)
        if event not in takes:
            continue
        if endpoint["department"] is None or endpoint["department"] == department:
            found.append(_delivery(message, endpoint, now))
    return found


def _delivery(
    message: dict[str, Any],
    endpoint: dict[str, Any],
    now: datetime,
    login: str | None = None,
    address: str = "",
) -> dict[str, Any]:
    return {
        "message_id": message["message_id"],
        "endpoint_id": endpoint["id"],
        "login": login,
        "address": address,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }


# -- sending ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds: what to send, where, and which attempt it is."""

    delivery_id: int
    attempt: int
    endpoint: Endpoint
    message: Outgoing


def claim(app: App, now: datetime, policy: RetryPolicy = DEFAULT_POLICY) -> Claimed | int | None:
    """Lease the most overdue due delivery and render it. None when nothing is due; the
    delivery's id when it was settled without sending (endpoint disabled, throttled)."""
    with app.db.write() as conn:
        row = notify_repo.claim_delivery(conn, now)
        if row is None:
            return None
        endpoint = notify_repo.endpoint_by_id(conn, row["endpoint_id"])
        assert endpoint is not None  # a foreign key
        if not endpoint["enabled"]:
            reason = f"channel {endpoint['name']} is disabled: {endpoint['disabled_reason']}"
            notify_repo.update_delivery(conn, row["id"], status="dead", last_error=reason)
            return int(row["id"])
        wait = _throttled(conn, endpoint, now)
        if wait is not None:
            notify_repo.update_delivery(conn, row["id"], next_attempt_at=now + wait)
            return int(row["id"])
        attempt = row["attempts"] + 1
        notify_repo.update_delivery(
            conn, row["id"], status="sending", attempts=attempt, next_attempt_at=now + policy.lease
        )
        try:
            message, _ = outgoing_for(app, conn, row, now)
        except Exception as error:  # e.g. the message's process version is gone
            log.exception("delivery %s cannot be rendered", row["id"])
            problem = f"cannot render the message: {type(error).__name__}: {error}"
            notify_repo.update_delivery(conn, row["id"], status="dead", last_error=problem)
            return int(row["id"])
        target = Endpoint(endpoint["id"], endpoint["kind"], endpoint["name"], endpoint["settings"])
        return Claimed(row["id"], attempt, target, message)


def _throttled(conn: Connection, endpoint: dict[str, Any], now: datetime) -> timedelta | None:
    """How long to wait before ``endpoint`` may take another message, or None."""
    limit = endpoint["per_minute"]
    if not limit:
        return None
    recent = notify_repo.sent_since(conn, endpoint["id"], now - timedelta(minutes=1))
    if len(recent) < limit:
        return None
    wait: timedelta = recent[len(recent) - limit] + timedelta(minutes=1) - now
    return wait


def send(claimed: Claimed, channels: Channels, now: datetime) -> SendResult:
    try:
        return channels(claimed.endpoint.kind).send(claimed.endpoint, claimed.message, now)
    except Exception as error:  # a channel's bug must not stop the worker
        log.exception("channel %s failed", claimed.endpoint.kind)
        return SendResult("retry", f"{type(error).__name__}: {error}")


def record(
    app: App,
    claimed: Claimed,
    result: SendResult,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
    draw: Callable[[], float] = random.random,
) -> str:
    """Write what came of an attempt; the delivery's new status."""
    values: dict[str, Any] = {"last_error": result.detail}
    if result.outcome == "sent":
        values.update(status="sent", sent_at=now, last_error="")
    elif result.outcome == "retry" and claimed.attempt < policy.attempts:
        wait = policy.delay(claimed.attempt, draw)
        if result.retry_after is not None:
            wait = max(wait, timedelta(seconds=result.retry_after))
        values.update(status="pending", next_attempt_at=now + wait)
    else:
        values.update(status="dead", next_attempt_at=now)
    with app.db.write() as conn:
        if not notify_repo.update_delivery(conn, claimed.delivery_id, claimed.attempt, **values):
            log.warning("delivery %s was taken over while sending", claimed.delivery_id)
        if result.outcome == "gone":
            reason = f"the receiver answered 410 Gone: {result.detail}"
            notify_repo.set_endpoint_enabled(conn, claimed.endpoint.id, False, reason)
            target = f"channel:{claimed.endpoint.name}"
            audit.record(app, conn, SYSTEM, AuditAction.CHANNEL_DISABLE, target, reason="410 Gone")
    status = str(values["status"])
    telemetry.DELIVERIES.labels(OUTCOMES[status]).inc()
    return status


def deliver_one(
    app: App,
    channels: Channels,
    now: datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
    draw: Callable[[], float] = random.random,
) -> int | None:
    """Send one due delivery; its id, or None when nothing is due."""
    claimed = claim(app, now, policy)
    if claimed is None or isinstance(claimed, int):
        return claimed
    record(app, claimed, send(claimed, channels, now), now, policy, draw)
    return claimed.delivery_id


def deliver_due(
    app: App,
    channels: Channels,
    now: datetime,
    limit: int | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    draw: Callable[[], float] = random.random,
) -> int:
    """Route what is new, then send every delivery due at ``now``; how many were handled."""
    while route_pending(app, now):
        pass
    handled = 0
    while limit is None or handled < limit:
        if deliver_one(app, channels, now, policy, draw) is None:
            break
        handled += 1
    return handled


def next_due(app: App) -> datetime | None:
    with app.db.read() as conn:
        return notify_repo.next_delivery_due(conn)


def try_channel(app: App, who: Principal, name: str, channels: Channels) -> SendResult:
    """Send a test message through channel ``name`` now (to the administrator's own address
    for e-mail) and say what happened; nothing is written."""
    with app.db.read() as conn:
        require_administrator(app, conn, who)
        row = channel_named(conn, name)
        user = app.org(conn).users[who.login]
    now = app.now()
    subject = "OA-Flow 测试消息 / test message"
    text = f"{subject}: {row['name']} ({row['kind']})"
    message = Outgoing(
        message_id=f"test/{row['id']}/{now.timestamp():.0f}",
        event="test",
        subject=subject,
        text=text,
        html=f"<p>{text}</p>",
        address=user.email if row["kind"] == "email" else "",
        address_name=user.name.get(app.default_locale),
    )
    endpoint = Endpoint(row["id"], row["kind"], row["name"], row["settings"])
    return channels(row["kind"]).send(endpoint, message, now)


# -- the administrator's view -------------------------------------------------------------
def deliveries(app: App, status: str | None = None) -> list[dict[str, Any]]:
    with app.db.read() as conn:
        return notify_repo.delivery_list(conn, status)


def redrive(app: App, who: Principal, ids: Sequence[int] | None) -> int:
    """Send dead deliveries again (all of them when ``ids`` is None)."""
    if ids is not None and not ids:
        raise InputError("delivery.nothing_given")
    with app.db.write() as conn:
        require_administrator(app, conn, who)
        count = notify_repo.redrive(conn, ids, app.now())
        target = "deliveries:" + ("dead" if ids is None else ",".join(map(str, ids)))
        audit.record(app, conn, who, AuditAction.OUTBOX_REDRIVE, target, count=count)
        return count


def discard(app: App, who: Principal, ids: Sequence[int]) -> int:
    """Give up on deliveries: they stay listed as discarded and are never sent."""
    if not ids:
        raise InputError("delivery.nothing_given")
    with app.db.write() as conn:
        require_administrator(app, conn, who)
        count = notify_repo.discard(conn, ids)
        target = "deliveries:" + ",".join(map(str, ids))
        audit.record(app, conn, who, AuditAction.OUTBOX_DISCARD, target, count=count)
        return count
