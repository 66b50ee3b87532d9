"""Idempotency keys on state-changing requests (INT-3, QUALITY): the first request with a
key runs and its answer is kept for 24 hours; a retry with the same key and the same
request gets that answer again; the same key with another request is refused (422); a retry
while the first still runs is told so (409).

An answer may hold sensitive values (a new instance's form): with a key configured it is
kept sealed like them (SEC-3); one that no longer opens fails closed.

The key is claimed inside the request's own first write transaction (``Claim.join``, docs/
adr/0017): a retry that comes while it runs finds the claim — or, arriving at the same
moment, cannot write its own and is refused, its change rolled back with it. The answer is
kept after that in a transaction of its own: a server killed between the two leaves a claim
without an answer, which a retry takes over after two minutes and runs again — then the
engine's own checks (a task decided already is a 409) keep the change from happening twice.
A request that changed nothing claimed nothing: its answer is kept with a new row.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from oaflow.domain.errors import ConflictError, CryptoError, InputError, OAFlowError
from oaflow.services.app import App
from oaflow.storage import idempotency_repo as repo
from oaflow.storage.crypto import PREFIX, EnvelopeError
from oaflow.storage.database import JOINING

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


@dataclass
class Claim:
    """A request that runs under a key: claims it in the first write transaction it
    commits (storage.database.JOINING), and is told when that happened."""

    app: App
    login: str
    key: str
    fingerprint: str
    #: the claim is written (a retry finds it)
    held: bool = False
    #: another request held the key when this one tried to claim it: it was refused
    lost: bool = False
    now: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.now = self.app.now()

    def join(self, dbapi: Any, dialect: str) -> None:
        if self.held:
            return
        if not repo.claim_on(
            dbapi, dialect, self.login, self.key, self.fingerprint, self.now, self.now - KEEP
        ):
            self.lost = True
            raise ConflictError("idempotency.in_flight", key=self.key)

    def committed(self) -> None:
        self.held = True


@contextmanager
def running(claim: Claim) -> Iterator[None]:
    """Run the request (every thread it uses copies this context) under ``claim``."""
    token = JOINING.set(claim)
    try:
        yield
    finally:
        JOINING.reset(token)


def check(app: App, login: str, key: str, print_: str) -> Answer | Claim:
    """The kept answer for a retry, or the claim this request runs under when it is the
    first (run it, then ``remember`` its answer or ``release`` the key)."""
    if not _KEY.fullmatch(key):
        raise InputError("idempotency.key_invalid")
    with app.db.read() as conn:
        found = repo.find(conn, login, key)
    claim = Claim(app, login, key, print_)
    if found is None or found["created_at"] < claim.now - KEEP:
        return claim
    if found["fingerprint"] != print_:
        raise KeyReusedError("idempotency.key_reused", key=key)
    if found["status"] is not None:
        body = _opened(app, login, key, bytes(found["body"] or b""))
        return Answer(found["status"], found["content_type"] or "", body)
    if claim.now - found["created_at"] < ABANDONED:
        raise ConflictError("idempotency.in_flight", key=key)
    with app.db.write() as conn:
        claim.held = repo.restart(conn, login, key, claim.now, found["created_at"])
    if not claim.held:
        raise ConflictError("idempotency.in_flight", key=key)
    return claim


#: kept answers older than a day are deleted at most this often per process
_FORGET_EVERY = 60.0
_forgotten_at = [-_FORGET_EVERY]


def remember(claim: Claim, answer: Answer) -> None:
    app, login, key = claim.app, claim.login, claim.key
    cipher = app.sensitive.cipher
    body = answer.body if cipher is None else cipher.seal(answer.body, _place(login, key)).encode()
    with app.db.write() as conn:
        if time.monotonic() - _forgotten_at[0] >= _FORGET_EVERY:
            _forgotten_at[0] = time.monotonic()
            repo.forget_before(conn, claim.now - KEEP)
        if claim.held:
            repo.answer(conn, login, key, answer.status, answer.content_type, body)
        else:
            kept = (answer.status, answer.content_type, body)
            repo.insert_answer(
                conn, login, key, claim.fingerprint, claim.now, claim.now - KEEP, kept
            )


def _place(login: str, key: str) -> bytes:
    return f"idempotency/{login}/{key}".encode()


def _opened(app: App, login: str, key: str, body: bytes) -> bytes:
    if not body.startswith(PREFIX.encode()):
        return body
    cipher = app.sensitive.cipher
    if cipher is None:
        raise CryptoError("crypto.key_missing", field="answer", place=f"Idempotency-Key {key}")
    try:
        return cipher.open(body.decode("ascii"), _place(login, key))
    except EnvelopeError as error:
        raise CryptoError("crypto.key_wrong", kid=error.kid) from None


def release(claim: Claim) -> None:
    """The first request failed on the server's side: a retry may run it again."""
    if claim.held:
        with claim.app.db.write() as conn:
            repo.release(conn, claim.login, claim.key)
