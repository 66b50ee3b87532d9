"""The audit log (SEC-4, docs/adr/0007): who changed what configuration, who signed in and
whose request was refused — when (UTC) and from where — and the verification of every hash
chain (the instances' histories and this log).

A configuration change records its entry with ``record`` inside its own write transaction,
as its last statement: the entry commits with the change or not at all. A refused request
rolls its transaction back, so its entry is written after that, in a short transaction of
its own (``denied``); the adapters do that for every error that carries a ``Denial``
(``denials_recorded``). Details never hold secrets or sensitive field values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.audit_chain import Finding, check_audit, check_history
from oaflow.domain.errors import ForbiddenError, InputError, OAFlowError
from oaflow.domain.security import Permission, Principal
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.storage import audit_repo

MAX_LIST = 10_000
log = logging.getLogger(__name__)


class AuditAction(StrEnum):
    """What an entry records (its ``action``); the target names the object."""

    ORG_IMPORT = "org.import"  # organisation: the file's, now
    ORG_SCHEDULE = "org.schedule"  # organisation: the file's, from a later instant on
    CALENDAR_SEED = "calendar.seed"  # the national schedule, at init
    CALENDAR_DAY_SET = "calendar.day_set"
    CALENDAR_DAY_RESET = "calendar.day_reset"
    CALENDAR_IMPORT = "calendar.import"
    CALENDAR_HOURS = "calendar.hours"
    CALENDAR_TIMEZONE = "calendar.timezone"
    CALENDAR_WEEKEND = "calendar.weekend"
    CALENDAR_CONFIRM_YEAR = "calendar.confirm_year"
    PROCESS_PUBLISH = "process.publish"
    PROCESS_MIGRATE = "process.migrate"  # an instance moved to another version (VER-4)
    CHANNEL_ADD = "channel.add"
    CHANNEL_CHANGE = "channel.change"  # the names of the settings changed, never values
    CHANNEL_ENABLE = "channel.enable"
    CHANNEL_DISABLE = "channel.disable"  # by an administrator, or the system on a 410
    CHANNEL_REMOVE = "channel.remove"
    TEMPLATE_SET = "template.set"
    TEMPLATE_RESET = "template.reset"
    ACCESS_GRANT = "access.grant"
    POLICY_SET = "policy.set"
    DEPUTY_SET = "deputy.set"
    DEPUTY_CLEAR = "deputy.clear"
    PREFS_SET = "prefs.set"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    PASSWORD_SET = "password.set"
    PASSWORD_SEED = "password.seed"  # the demo's passwords, at init
    OUTBOX_REDRIVE = "outbox.redrive"
    OUTBOX_DISCARD = "outbox.discard"
    EXCEPTION_CAUSES = "exception.causes"  # the cause list (EXC-5), its names
    FILE_UPLOAD = "file.upload"  # a deliverable's file: its name, size and SHA-256
    ARCHIVE_BUILD = "archive.build"  # an archive's bundle (ARC-1): its files and manifest
    SERVICE_SET = "service.set"  # a service's endpoint (INT-2): URL and timeout, never the secret
    SERVICE_REMOVE = "service.remove"
    INCIDENT_RETRY = "incident.retry"  # a failed service call attempted again
    INCIDENT_SKIP = "incident.skip"  # a failed service call skipped, with the reason
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in.failed"
    SIGN_OUT = "sign_out"
    ACCESS_DENIED = "access.denied"  # a refused request


DENIED = AuditAction.ACCESS_DENIED


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log."""

    seq: int
    at: datetime  # UTC
    actor: str
    action: str
    target: str
    detail: Mapping[str, Any]
    address: str


@dataclass(frozen=True)
class Verification:
    """What ``verify`` checked, and every broken place it found (none: intact)."""

    instances: int
    history_entries: int
    audit_entries: int
    findings: tuple[Finding, ...]

    @property
    def intact(self) -> bool:
        return not self.findings


# -- writing ----------------------------------------------------------------------------------
def record(
    app: App, conn: Connection, who: Principal | str, action: str, target: str, /, **detail: Any
) -> None:
    """Add an entry for a change made in ``conn``'s transaction (call it last in that
    transaction: the log's head stays locked until it commits). ``who`` is the principal
    (with where its request came from), or a login where there is none (the system, the
    founding import)."""
    login, address = (who, "") if isinstance(who, str) else (who.login, who.address)
    record_from(app, conn, login, address, action, target, **detail)


def record_from(
    app: App,
    conn: Connection,
    login: str,
    address: str,
    action: str,
    target: str,
    /,
    **detail: Any,
) -> None:
    """``record`` for a caller who is a login and an address (a sign-in, an import)."""
    audit_repo.append(conn, app.now(), login, str(action), target, detail, address)


def denied(
    app: App, who: Principal | str, action: str, target: str, address: str = "", /, **detail: Any
) -> None:
    """Record a refused request — ``who`` asked for ``action`` (a permission) on ``target``
    — in a transaction of its own."""
    login = who if isinstance(who, str) else who.login
    address = address or ("" if isinstance(who, str) else who.address)
    detail = {"permission": action, **detail}
    with app.db.write() as conn:
        audit_repo.append(conn, app.now(), login, str(DENIED), target, detail, address)


def record_denial(app: App, error: OAFlowError, who: Principal | str, address: str = "") -> bool:
    """Record ``error`` if it refused ``who``'s request (a ``Denial`` rides on it, or it is
    forbidden); whether it did. The caller gets its refusal whatever happens here: a log
    that cannot be written (the database gone) is logged, not raised."""
    found = error.denial
    if found is None and not isinstance(error, ForbiddenError):
        return False
    action, target = (found.action, found.target) if found else ("", "")
    try:
        denied(app, who, action, target, address, code=error.code)
    except Exception:
        log.exception("a refusal of %s could not be written to the audit log", target or action)
        return False
    return True


@contextmanager
def denials_recorded(app: App, who: Principal | str, address: str = "") -> Iterator[None]:
    """Around one request of ``who``: a refusal that ends it is recorded (after its own
    transaction has rolled back) and raised on."""
    try:
        yield
    except OAFlowError as error:
        record_denial(app, error, who, address)
        raise


# -- reading ----------------------------------------------------------------------------------
def entries(
    app: App, who: Principal, since: datetime | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest ``limit`` entries at or after ``since``, newest first (auditors and
    administrators)."""
    if not 1 <= limit <= MAX_LIST:
        raise InputError("audit.limit", limit=limit, most=MAX_LIST)
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        rows = audit_repo.entries(conn, since, limit)
    return [
        AuditEntry(
            seq=r["seq"],
            at=r["at"],
            actor=r["actor"],
            action=r["action"],
            target=r["target"],
            detail=r["detail"],
            address=r["address"],
        )
        for r in rows
    ]


def verify(app: App, who: Principal) -> Verification:
    """Check every hash chain: each instance's history against its row, and the audit log
    against its head (auditors and administrators), all as of one moment."""
    with app.db.snapshot() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        findings: list[Finding] = []
        instances = events = 0
        for key, head, stored in audit_repo.history_chains(conn):
            instances += 1 if not key.startswith("#") else 0
            events += len(stored)
            findings += check_history(key, head, stored)
        counted = _Counted(audit_repo.audit_chain(conn))
        findings += check_audit(audit_repo.audit_head_now(conn), counted)
    return Verification(instances, events, counted.count, tuple(findings))


class _Counted:
    """An iterable that counts what went through it."""

    def __init__(self, items: Iterator[Any]) -> None:
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            self.count += 1
            yield item
