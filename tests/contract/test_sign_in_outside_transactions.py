"""A sign-in checks its password hash (slow on purpose) while it holds no connection: on
SQLite a write transaction holds the database's one write lock, and sign-ins that held it
for their hash kept every change waiting — under load past the busy timeout ("database is
locked" reached a client). The same for setting a password. Both databases."""

from __future__ import annotations

from typing import Any

import pytest

from oaflow.domain.errors import ForbiddenError, NotFoundError, UnauthenticatedError
from oaflow.domain.security import SYSTEM
from oaflow.services import auth
from oaflow.services.app import App

from .driver import who


def held(app: App) -> int:
    return int(app.db.engine.pool.checkedout())  # type: ignore[attr-defined]


def test_the_hash_is_checked_and_made_while_no_connection_is_held(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    verified, hashed = auth._verified, auth.hash_password

    def verify(stored: str, password: str) -> bool:
        seen.append(held(demo_app))
        return verified(stored, password)

    def make(password: str) -> str:
        seen.append(held(demo_app))
        return hashed(password)

    monkeypatch.setattr(auth, "_verified", verify)
    monkeypatch.setattr(auth, "hash_password", make)
    assert auth.sign_in(demo_app, "csd.head", "demo", "192.0.2.1").principal.login == "csd.head"
    with pytest.raises(UnauthenticatedError):
        auth.sign_in(demo_app, "csd.head", "wrong", "192.0.2.1")
    auth.set_password(demo_app, SYSTEM, "csd.staff", "a-new-password")
    assert seen == [0, 0, 0]


def test_a_password_set_while_the_old_one_was_checked_refuses_the_sign_in(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified = auth._verified

    def set_meanwhile(stored: str, password: str) -> Any:
        matches = verified(stored, password)  # the old password matches the old hash
        auth.set_password(demo_app, SYSTEM, "csd.head", "changed-meanwhile")
        return matches

    monkeypatch.setattr(auth, "_verified", set_meanwhile)
    with pytest.raises(UnauthenticatedError) as refused:
        auth.sign_in(demo_app, "csd.head", "demo", "192.0.2.1")
    assert refused.value.code == "auth.bad_credentials"
    monkeypatch.setattr(auth, "_verified", verified)
    assert auth.sign_in(demo_app, "csd.head", "changed-meanwhile").principal.login == "csd.head"


def test_a_password_one_may_not_set_is_refused_before_any_hash_is_made(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hash costs the server tens of milliseconds of CPU and its memory: a caller who may
    not set the password (someone else's, a login nobody has) must not make it spend them."""
    made: list[str] = []
    hashed = auth.hash_password

    def make(password: str) -> str:
        made.append(password)
        return hashed(password)

    monkeypatch.setattr(auth, "hash_password", make)
    staff = who(demo_app, "csd.staff")
    with pytest.raises(ForbiddenError):
        auth.set_password(demo_app, staff, "csd.head", "taken-over-1")
    with pytest.raises(NotFoundError):
        auth.set_password(demo_app, staff, "nobody.here", "taken-over-2")
    assert made == []
    assert auth.sign_in(demo_app, "csd.head", "demo").principal.login == "csd.head"  # unchanged
    auth.set_password(demo_app, staff, "csd.staff", "my-own-new-one")  # one's own: hashed once
    assert made == ["my-own-new-one"]
