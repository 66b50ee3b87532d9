"""Proving who calls (SEC-1): passwords (argon2id), browser sessions, API tokens of other
systems, throttled failed sign-ins. The API is where identity is proven; what a proven
caller may then do is decided by services/authz.py like for everyone."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from oaflow.domain.errors import (
    InputError,
    NotFoundError,
    OAFlowError,
    ThrottledError,
    UnauthenticatedError,
    as_denial,
)
from oaflow.domain.org import Organisation
from oaflow.domain.security import SYSTEM, Permission, Principal, granted, principal_of
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.storage import auth_repo

SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_LIMIT = 5  # failed sign-ins per account in the window
ADDRESS_LIMIT = 30  # per address: a whole office may sign in from behind one NAT
THROTTLE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 8
SCOPES = ("read", "write")
TOKEN_PREFIX = "oaf_"
_HASHER = PasswordHasher()  # argon2id with the library's recommended parameters


@dataclass(frozen=True)
class Caller:
    """A proven caller: who, what a token lets them do, and the session's form token."""

    principal: Principal
    scopes: frozenset[str]
    csrf: str | None = None  # a browser session's; None for a token


@dataclass(frozen=True)
class SignedIn:
    token: str  # goes into the HttpOnly cookie; only its hash is stored
    csrf: str
    expires_at: datetime
    principal: Principal


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    login: str
    scopes: tuple[str, ...]
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None


def digest(secret: str) -> str:
    """Tokens are random (≥ 256 bits): a plain SHA-256 keeps them safe at rest."""
    return hashlib.sha256(secret.encode()).hexdigest()


# -- passwords ------------------------------------------------------------------------------
def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def set_password(app: App, who: Principal, login: str, password: str) -> None:
    """Set ``login``'s password: one's own, or anyone's for an administrator."""
    if len(password) < MIN_PASSWORD:
        raise InputError("auth.password_short", minimum=MIN_PASSWORD)
    with app.db.read() as conn:  # refused before the hash, which is slow on purpose: a
        _may_set_password(app, conn, who, login)  # refusal must not cost the server one
    hashed = hash_password(password)  # not while holding a transaction
    with app.db.write() as conn:
        _may_set_password(app, conn, who, login)  # again: roles may have changed meanwhile
        auth_repo.set_password_hashes(conn, {login: hashed}, app.now())
        auth_repo.end_sessions_of(conn, [login])  # a changed password signs everyone out
        audit.record(app, conn, who, AuditAction.PASSWORD_SET, f"user:{login}")


def _may_set_password(app: App, conn: Connection, who: Principal, login: str) -> None:
    if login not in app.org(conn).users:
        raise NotFoundError("access.unknown_user", login=login)
    if login != who.login:
        authz.authorize(app, conn, who, Permission.ADMINISTER)


def seed_passwords(app: App, logins: Iterable[str], password: str) -> None:
    """Give users one password (the demo's `demo`): hashed once per process, stored for
    each."""
    hashed = _shared_hash(password)
    chosen = list(logins)
    with app.db.write() as conn:
        auth_repo.set_password_hashes(conn, dict.fromkeys(chosen, hashed), app.now())
        audit.record(app, conn, SYSTEM, AuditAction.PASSWORD_SEED, "users", users=len(chosen))


@cache
def _shared_hash(password: str) -> str:
    return hash_password(password)


# -- sign-in and sessions -------------------------------------------------------------------
def sign_in(app: App, login: str, password: str, address: str = "") -> SignedIn:
    """A new session for ``login``, or one error for every wrong login or password (the
    answer does not tell which, nor does its timing: an unknown login is checked against a
    hash too); after THROTTLE_LIMIT failures in THROTTLE_WINDOW for the account, or
    ADDRESS_LIMIT for the address, a pause."""
    now = app.now()
    keys = [f"login:{login}", f"address:{address}"]
    # The hash is checked (deliberately slow) outside any transaction: on SQLite a write
    # transaction holds the database's one write lock, and sign-ins holding it for their
    # hash kept every change waiting — under load for longer than the busy timeout.
    with app.db.read() as conn:
        _refuse_if_throttled(conn, keys, now)
        stored = auth_repo.password_hash(conn, login)
    matches = _verified(stored or _shared_hash("\x00no such user"), password)
    with app.db.write() as conn:
        _refuse_if_throttled(conn, keys, now)  # failures counted meanwhile count too
        org = app.org(conn)
        user = org.users.get(login)
        if auth_repo.password_hash(conn, login) != stored:  # the password was set meanwhile
            matches = False
        if user is None or not user.active or stored is None or not matches:
            for key in keys:
                auth_repo.record_failure(conn, key, now, now - THROTTLE_WINDOW)
            audit.record_from(
                app, conn, login, address, AuditAction.SIGN_IN_FAILED, f"user:{login}"
            )
            failed = UnauthenticatedError("auth.bad_credentials")
        else:
            auth_repo.clear_failures(conn, keys[:1])
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            expires = now + SESSION_LIFETIME
            auth_repo.add_session(
                conn,
                token_hash=digest(token),
                login=login,
                csrf=csrf,
                address=address[:64],
                created_at=now,
                expires_at=expires,
            )
            audit.record_from(app, conn, login, address, AuditAction.SIGN_IN, f"user:{login}")
            return SignedIn(token, csrf, expires, principal_of(org, login))
    raise failed  # after the transaction: the failures are counted


def _verified(stored: str, password: str) -> bool:
    try:
        return bool(_HASHER.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def _refuse_if_throttled(conn: Connection, keys: list[str], now: datetime) -> None:
    counts = auth_repo.failures(conn, keys)
    for key, (count, first) in counts.items():
        limit = ADDRESS_LIMIT if key.startswith("address:") else THROTTLE_LIMIT
        if count >= limit and first >= now - THROTTLE_WINDOW:
            wait = int((first + THROTTLE_WINDOW - now).total_seconds()) + 1
            raise ThrottledError("auth.throttled", retry_after=wait, minutes=wait // 60 + 1)


def by_session(app: App, token: str) -> Caller:
    """The caller of a browser session, if it is valid and its user active."""
    with app.db.read() as conn:
        found = auth_repo.session(conn, digest(token))
        if found is None or found["expires_at"] <= app.now():
            raise UnauthenticatedError("auth.session_ended")
        principal = _active(app.org(conn), found["login"])
    return Caller(principal, frozenset(SCOPES), found["csrf"])


def sign_out(app: App, token: str, address: str = "") -> None:
    with app.db.write() as conn:
        found = auth_repo.session(conn, digest(token))
        if auth_repo.end_session(conn, digest(token)) and found is not None:
            login = str(found["login"])
            audit.record_from(app, conn, login, address, AuditAction.SIGN_OUT, f"user:{login}")


def _active(org: Organisation, login: str) -> Principal:
    try:
        return principal_of(org, login)
    except OAFlowError:  # deactivated or removed since: the session or token has ended
        raise UnauthenticatedError("auth.session_ended") from None


# -- API tokens -----------------------------------------------------------------------------
def create_token(
    app: App, who: Principal, login: str, name: str, scopes: Iterable[str], days: int
) -> tuple[str, TokenView]:
    """A token acting as ``login`` (one's own, or anyone's for an administrator) with
    ``scopes``, valid for ``days``; the secret is shown once and only its hash is kept."""
    wanted = tuple(dict.fromkeys(s.strip() for s in scopes if s.strip()))
    if not wanted or any(s not in SCOPES for s in wanted):
        raise InputError("auth.token_scopes", scopes=list(wanted), known=list(SCOPES))
    if not 1 <= days <= 366:
        raise InputError("auth.token_days", days=days)
    if not name.strip():
        raise InputError("auth.token_name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = app.now()
    with app.db.write() as conn:
        principal_of(app.org(conn), login)  # an active user
        if login != who.login:
            authz.authorize(app, conn, who, Permission.ADMINISTER)
        values = {
            "token_hash": digest(secret),
            "name": name.strip()[:100],
            "login": login,
            "scopes": list(wanted),
            "created_at": now,
            "created_by": who.login,
            "expires_at": now + timedelta(days=days),
        }
        token_id = auth_repo.add_token(conn, **values)
        detail: dict[str, Any] = {"name": values["name"], "login": login, "scopes": list(wanted)}
        audit.record(
            app,
            conn,
            who,
            AuditAction.TOKEN_CREATE,
            f"token:{token_id}",
            **detail,
            expires_at=values["expires_at"],
        )
    return secret, _token_view({**values, "id": token_id, "revoked_at": None})


def by_token(app: App, secret: str) -> Caller:
    with app.db.read() as conn:
        found = auth_repo.token_by_hash(conn, digest(secret))
        if found is None or found["revoked_at"] is not None or found["expires_at"] <= app.now():
            raise UnauthenticatedError("auth.token_invalid")
        principal = _active(app.org(conn), found["login"])
    return Caller(principal, frozenset(found["scopes"]))


def tokens(app: App, who: Principal) -> list[TokenView]:
    """The tokens ``who`` may see: all of them for auditors and administrators, else theirs."""
    every = granted(who, Permission.AUDIT)
    with app.db.read() as conn:
        rows = auth_repo.tokens(conn, None if every else who.login)
    return [_token_view(r) for r in rows]


def revoke_token(app: App, who: Principal, token_id: int) -> None:
    with app.db.write() as conn:
        found = auth_repo.token_by_id(conn, token_id)
        missing = NotFoundError("auth.token_not_found", token_id=token_id)
        if found is None:
            raise missing
        if not (found["login"] == who.login or granted(who, Permission.AUDIT)):
            raise as_denial(missing, Permission.ADMINISTER.value, f"token:{token_id}")
        if found["login"] != who.login:
            authz.authorize(app, conn, who, Permission.ADMINISTER)
        auth_repo.revoke_tokens(conn, [token_id], app.now())
        audit.record(
            app, conn, who, AuditAction.TOKEN_REVOKE, f"token:{token_id}", login=found["login"]
        )


def _token_view(row: Mapping[str, Any]) -> TokenView:
    return TokenView(
        id=int(row["id"]),
        name=str(row["name"]),
        login=str(row["login"]),
        scopes=tuple(row["scopes"]),
        created_at=row["created_at"],
        created_by=str(row["created_by"]),
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


def end_access(app: App, conn: Connection, logins: Iterable[str]) -> None:
    """Deactivated or removed users: their sessions end and their tokens are revoked, in
    the caller's transaction."""
    gone = list(logins)
    auth_repo.end_sessions_of(conn, gone)
    auth_repo.revoke_tokens_of(conn, gone, app.now())
