"""Idempotency keys on state-changing requests (INT-3, QUALITY): the first request with a
key runs and its answer is kept for 24 hours; a retry with the same key and the same
request gets that answer again; the same key with another request is refused (422); a retry
while the first still runs is told so (409).

The answer is kept after the change commits, in a transaction of its own: a server killed
between the two leaves a claim without an answer, which a retry takes over after two
minutes and runs again — then the engine's own checks (a task decided already is a 409)
keep the change from happening twice.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from oaflow.domain.errors import ConflictError, InputError, OAFlowError
from oaflow.services.app import App
from oaflow.storage import idempotency_repo as repo

KEEP = timedelta(hours=24)
ABANDONED = timedelta(minutes=2)
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


class KeyReusedError(OAFlowError):
    kind = "unprocessable"


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}?{query}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def claim(app: App, login: str, key: str, print_: str) -> Answer | None:
    """The kept answer for a retry, or None when this request is the first (run it, then
    ``remember`` its answer or ``release`` the key)."""
    if not _KEY.fullmatch(key):
        raise InputError("idempotency.key_invalid")
    with app.db.write() as conn:
        now = app.now()
        repo.forget_before(conn, now - KEEP)
        found = repo.claim(conn, login, key, print_, now)
        if found is None:
            return None
        if found["fingerprint"] != print_:
            raise KeyReusedError("idempotency.key_reused", key=key)
        if found["status"] is None:
            if now - found["created_at"] < ABANDONED:
                raise ConflictError("idempotency.in_flight", key=key)
            repo.restart(conn, login, key, now)
            return None
        return Answer(found["status"], found["content_type"] or "", bytes(found["body"] or b""))


def remember(app: App, login: str, key: str, answer: Answer) -> None:
    with app.db.write() as conn:
        repo.answer(conn, login, key, answer.status, answer.content_type, answer.body)


def release(app: App, login: str, key: str) -> None:
    """The first request failed on the server's side: a retry may run it again."""
    with app.db.write() as conn:
        repo.release(conn, login, key)
