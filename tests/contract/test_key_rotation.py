"""Key rotation (SEC-3, docs/adr/0008) on SQLite and PostgreSQL: `keys rotate` seals every
sensitive value with the current key — plain values from before encryption too — so that
the old key can be removed; run again it changes nothing; `keys status` counts the values
per key; only administrators rotate."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oaflow.domain.errors import ForbiddenError
from oaflow.domain.security import SYSTEM
from oaflow.services import catalog, keys, queries
from oaflow.services.app import App
from oaflow.storage.tables import instances

from .driver import COMPLAINT, Driver, who
from .sensitive import CANARY, K2, WRONG, app_with, fails_closed
from .test_sensitive_at_rest import CLAIM

FORM = {**COMPLAINT, "phone": CANARY}


def counts(app: App) -> dict[str, tuple[int, int]]:
    """Per key id ("" for plain values): the values in instances and in tasks."""
    found = keys.status(app, who(app, "auditor"))
    return {k.kid: (k.instances, k.tasks) for k in found.keys}


def phones(app: App) -> list[str]:
    with app.db.read() as conn:
        data = conn.execute(select(instances.c.data).order_by(instances.c.id)).scalars()
        return [d["phone"] for d in data]


def test_rotation_seals_every_value_with_the_new_key_and_the_old_one_can_go(
    demo_app: App, keys_setting: str
) -> None:
    plain = app_with(demo_app, "")  # a database from before encryption
    older = Driver(plain).start("customer-complaint", "csd.staff", FORM)
    plain.db.dispose()
    sealed = Driver(demo_app).start("customer-complaint", "csd.staff", FORM)
    assert counts(demo_app) == {"test1": (1, 0), "": (1, 0)}
    rotated = app_with(demo_app, f"{K2},{keys_setting}")  # k2 first: current
    try:
        seen: list[tuple[int, int]] = []
        done = keys.rotate(rotated, who(rotated, "admin"), lambda d, t: seen.append((d, t)), 2)
        assert (done.kid, done.resealed) == ("k2", 2)
        assert seen and seen[-1][0] == seen[-1][1] == done.rows
        assert all(p.startswith("enc:v1:k2:") for p in phones(demo_app))
        assert keys.rotate(rotated, who(rotated, "admin")).resealed == 0  # idempotent
        assert counts(rotated) == {"k2": (2, 0), "test1": (0, 0)}
    finally:
        rotated.db.dispose()
    only_new = app_with(demo_app, K2)  # the old key removed
    try:
        for key in (older, sealed):
            view = queries.instance_detail(only_new, SYSTEM, key)
            assert next(f.value for f in view.form if f.name == "phone") == CANARY
    finally:
        only_new.db.dispose()
    with fails_closed("crypto.key_unknown"):  # the old key alone opens nothing any more
        queries.instance_detail(demo_app, SYSTEM, sealed)


def test_rotation_reaches_the_outputs_of_tasks(demo_app: App, keys_setting: str) -> None:
    catalog.publish(demo_app, SYSTEM, CLAIM, "claim.yaml")
    d = Driver(demo_app)
    d.start("secret-claim", "mkt.staff", {"title": "差旅", "amount": 500})
    d.approve("mkt.head", "check")
    pay = d.complete("fin.head", "pay", paid=480)
    assert counts(demo_app) == {"test1": (2, 1)}  # amount and paid in the data, paid in pay's
    rotated = app_with(demo_app, f"{K2},{keys_setting}")
    try:
        assert keys.rotate(rotated, who(rotated, "admin")).resealed == 3
        assert counts(rotated) == {"k2": (2, 1), "test1": (0, 0)}
        detail = queries.task_detail(rotated, who(rotated, "fin.head"), pay)
        assert detail.outputs["paid"] == 480
    finally:
        rotated.db.dispose()


def test_rotation_needs_an_administrator_a_key_and_the_right_keys(demo_app: App) -> None:
    Driver(demo_app).start("customer-complaint", "csd.staff", FORM)
    with pytest.raises(ForbiddenError):
        keys.rotate(demo_app, who(demo_app, "csd.head"))
    keyless = app_with(demo_app, "")
    wrong_old = app_with(demo_app, f"{K2},{WRONG}")
    try:
        with fails_closed("crypto.rotate_without_key"):
            keys.rotate(keyless, who(keyless, "admin"))
        before = phones(demo_app)
        with fails_closed("crypto.key_wrong"):  # the old key's check value does not open
            keys.rotate(wrong_old, who(wrong_old, "admin"))
        assert phones(demo_app) == before
    finally:
        keyless.db.dispose()
        wrong_old.db.dispose()


def test_status_names_the_keys_their_checks_and_values(demo_app: App) -> None:
    Driver(demo_app).start("customer-complaint", "csd.staff", FORM)
    (only,) = keys.status(demo_app, who(demo_app, "admin")).keys
    assert (only.kid, only.current, only.configured, only.check) == ("test1", True, True, "ok")
    wrong = app_with(demo_app, WRONG)
    try:
        (used,) = keys.status(wrong, who(wrong, "admin")).keys
        assert used.check == "wrong"
    finally:
        wrong.db.dispose()
    with pytest.raises(ForbiddenError):
        keys.status(demo_app, who(demo_app, "csd.staff"))


def test_servers_and_workers_check_the_keys_before_they_start(demo_app: App) -> None:
    keys.check_keys(demo_app)  # nothing sealed yet: nothing to check
    Driver(demo_app).start("customer-complaint", "csd.staff", FORM)
    keys.check_keys(demo_app)
    for keys_setting, code in (("", "crypto.database_encrypted"), (WRONG, "crypto.key_wrong")):
        other = app_with(demo_app, keys_setting)
        try:
            with fails_closed(code):
                keys.check_keys(other)
        finally:
            other.db.dispose()
