"""Signed, expiring, single-use action links (NTF-5): "acknowledge / approve / reject" from a
message without logging in.

A token carries the task id, the login it was sent to, the action, a random nonce and the
time it was issued, signed with the server's secret (itsdangerous, HMAC-SHA256). It is signed,
not encrypted: whoever holds the link can read the task id and the login. The expiry is
checked here against the ``now`` the caller passes (the platform's clock), not the machine's.
Single use is the caller's part: it records the nonce of a used link (table used_links) and
refuses a nonce it has seen.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from itsdangerous import BadPayload, BadSignature, URLSafeSerializer

from oaflow.domain.errors import Fault, fault

#: what a link may do
ACTIONS: tuple[str, ...] = ("ack", "approve", "reject")
SALT = "oaflow-action-link"
#: how far in the future a token may have been issued (clocks of several servers)
MAX_FUTURE_SKEW = timedelta(minutes=5)
MAX_NONCE_LENGTH = 64  # the used_links.nonce column

Reason = Literal["signature", "malformed", "action", "expired", "future"]


class LinkError(ValueError):
    """An action link that must not be acted on; ``reason`` says why, for the page shown,
    and ``fault`` says it in words (the exception's message is its English text)."""

    def __init__(self, reason: Reason, code: str, /, **params: Any) -> None:
        self.fault: Fault = fault(code, **params)
        super().__init__(self.fault.text("en"))
        self.reason: Reason = reason


@dataclass(frozen=True)
class ActionClaim:
    """What a valid token says: ``login`` may do ``action`` on task ``task_id`` once."""

    task_id: int
    login: str
    action: str
    nonce: str
    issued_at: datetime


def _serializer(secret: str) -> URLSafeSerializer:
    if not secret:
        raise ValueError("the action link secret is empty; configure one")
    return URLSafeSerializer(secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256})


def _aware(name: str, moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def _check_claim(task_id: int, login: str, action: str, nonce: str) -> None:
    if isinstance(task_id, bool) or not isinstance(task_id, int) or task_id <= 0:
        raise ValueError(f"task_id must be a positive integer, got {task_id!r}")
    if not login:
        raise ValueError("login is empty")
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; use one of: {', '.join(ACTIONS)}")
    if not nonce or len(nonce) > MAX_NONCE_LENGTH:
        raise ValueError(f"nonce must have 1 to {MAX_NONCE_LENGTH} characters")


def new_nonce() -> str:
    """A fresh random nonce for one link (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


def make_action_token(
    secret: str, *, task_id: int, login: str, action: str, nonce: str, issued_at: datetime
) -> str:
    """A signed token letting ``login`` do ``action`` (ack, approve or reject) on a task."""
    _check_claim(task_id, login, action, nonce)
    issued = int(_aware("issued_at", issued_at).timestamp())
    payload = {"t": task_id, "l": login, "a": action, "n": nonce, "i": issued}
    return str(_serializer(secret).dumps(payload))


def _loads(secret: str, token: str) -> Any:
    try:
        return _serializer(secret).loads(token)
    except BadPayload as exc:
        raise LinkError("malformed", "link.malformed.content") from exc
    except BadSignature as exc:
        raise LinkError("signature", "link.bad_signature") from exc


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _claim(payload: Any) -> ActionClaim:
    """The claim in a correctly signed payload; LinkError when its content is not right."""
    fields = ("t", "l", "a", "n", "i")
    if not isinstance(payload, dict) or set(payload) != set(fields):
        raise LinkError("malformed", "link.malformed.fields")
    task_id, login, action, nonce, issued = (payload[key] for key in fields)
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (task_id, issued))
    if not (ints and _is_text(login) and _is_text(action) and _is_text(nonce)):
        raise LinkError("malformed", "link.malformed.types")
    if action not in ACTIONS:
        raise LinkError("action", "link.unknown_action", action=repr(action), actions=ACTIONS)
    try:
        issued_at = datetime.fromtimestamp(issued, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise LinkError("malformed", "link.malformed.issue_time") from exc
    return ActionClaim(task_id, login, action, nonce, issued_at)


def _check_time(claim: ActionClaim, now: datetime, max_age: timedelta) -> None:
    if claim.issued_at - now > MAX_FUTURE_SKEW:
        issued, current = claim.issued_at.isoformat(), now.isoformat()
        raise LinkError("future", "link.issued_later", issued=issued, now=current)
    expires = claim.issued_at + max_age
    if now > expires:
        raise LinkError("expired", "link.expired", expires=expires.isoformat())


def read_action_token(secret: str, token: str, now: datetime, max_age: timedelta) -> ActionClaim:
    """The claim of a valid ``token`` at ``now``; LinkError when it is tampered with, made
    with another secret, malformed, for an unknown action, expired (older than ``max_age``)
    or issued more than five minutes in the future. Single use is the caller's check."""
    now = _aware("now", now)
    claim = _claim(_loads(secret, token))
    _check_time(claim, now, max_age)
    return claim


def action_url(base_url: str, token: str) -> str:
    """The address of an action link, e.g. ``https://oa.example.com/a/<token>``."""
    return f"{base_url.rstrip('/')}/a/{token}"
