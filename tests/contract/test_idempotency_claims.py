"""An Idempotency-Key's claim rides in the request's first write transaction (INT-3, docs/
adr/0017), on both databases: it commits with the change or not at all; a retry that
claimed the key first makes the later request's change roll back; an expired answer is
claimed over; a request that wrote nothing keeps its answer in a row of its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from oaflow.domain.errors import ConflictError
from oaflow.services import idempotency
from oaflow.services.app import App
from oaflow.storage.tables import idempotency_keys, instances

from .driver import COMPLAINT, Driver

LOGIN = "csd.staff"


def rows(app: App) -> list[dict[str, Any]]:
    with app.db.read() as conn:
        return [dict(r._mapping) for r in conn.execute(select(idempotency_keys))]


def count_instances(app: App) -> int:
    with app.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(instances)).scalar_one())


def claim(app: App, key: str, mark: str = "print") -> idempotency.Claim:
    found = idempotency.check(app, LOGIN, key, mark)
    assert isinstance(found, idempotency.Claim)
    return found


def start_under(app: App, under: idempotency.Claim) -> None:
    """A request's change (a new complaint, on the engine's own transaction) under a claim."""
    with idempotency.running(under):
        Driver(app).start("customer-complaint", LOGIN, COMPLAINT)


def test_the_claim_commits_with_the_change_in_one_transaction(demo_app: App) -> None:
    first = claim(demo_app, "k1")
    assert rows(demo_app) == []  # checking wrote nothing
    start_under(demo_app, first)
    assert first.held and not first.lost
    [row] = rows(demo_app)
    assert (row["login"], row["key"], row["fingerprint"], row["status"]) == (
        LOGIN,
        "k1",
        "print",
        None,
    )
    idempotency.remember(first, idempotency.Answer(201, "application/json", b'{"ok":1}'))
    kept = idempotency.check(demo_app, LOGIN, "k1", "print")
    assert kept == idempotency.Answer(201, "application/json", b'{"ok":1}')


def test_a_change_that_fails_takes_its_claim_with_it(demo_app: App) -> None:
    first = claim(demo_app, "k2")
    with pytest.raises(RuntimeError), idempotency.running(first), demo_app.db.write():
        raise RuntimeError("the change failed")
    assert not first.held and rows(demo_app) == []
    start_under(demo_app, first)  # the request's next write claims it
    assert first.held and len(rows(demo_app)) == 1


def test_a_retry_that_claimed_first_rolls_the_later_change_back(demo_app: App) -> None:
    first, retry = claim(demo_app, "k3"), claim(demo_app, "k3")  # both found no claim
    start_under(demo_app, retry)
    with pytest.raises(ConflictError) as refused:
        start_under(demo_app, first)
    assert refused.value.code == "idempotency.in_flight"
    assert first.lost and not first.held
    assert count_instances(demo_app) == 1  # the later start rolled back with its claim
    # the refused request keeps nothing; the first answer is the retry's
    idempotency.remember(retry, idempotency.Answer(201, "application/json", b"{}"))
    assert idempotency.check(demo_app, LOGIN, "k3", "print").status == 201  # type: ignore[union-attr]


def test_only_the_first_committed_write_claims(demo_app: App) -> None:
    first = claim(demo_app, "k4")
    start_under(demo_app, first)
    start_under(demo_app, first)  # a second write of the same request claims nothing more
    assert count_instances(demo_app) == 2 and len(rows(demo_app)) == 1


def test_an_expired_answer_is_claimed_over(demo_app: App) -> None:
    old = claim(demo_app, "k5")
    start_under(demo_app, old)
    idempotency.remember(old, idempotency.Answer(200, "text/plain", b"old"))
    with demo_app.db.write() as conn:
        day_ago = demo_app.now() - idempotency.KEEP - timedelta(seconds=1)
        conn.execute(update(idempotency_keys).values(created_at=day_ago))
    again = claim(demo_app, "k5", "another request")  # an expired key is free again
    start_under(demo_app, again)
    assert again.held
    [row] = rows(demo_app)
    assert (row["fingerprint"], row["status"], row["body"]) == ("another request", None, None)


def test_a_request_that_wrote_nothing_keeps_its_answer_in_a_new_row(demo_app: App) -> None:
    refused = claim(demo_app, "k6")
    idempotency.remember(refused, idempotency.Answer(404, "application/json", b"{}"))
    [row] = rows(demo_app)
    assert (row["fingerprint"], row["status"]) == ("print", 404)
    assert idempotency.check(demo_app, LOGIN, "k6", "print") == idempotency.Answer(
        404, "application/json", b"{}"
    )


def test_an_answer_kept_without_a_claim_replaces_an_expired_one(demo_app: App) -> None:
    old = claim(demo_app, "k9")
    idempotency.remember(old, idempotency.Answer(404, "text/plain", b"old"))
    with demo_app.db.write() as conn:
        day_ago = demo_app.now() - idempotency.KEEP - timedelta(seconds=1)
        conn.execute(update(idempotency_keys).values(created_at=day_ago))
    again = claim(demo_app, "k9", "another request")
    idempotency.remember(again, idempotency.Answer(400, "text/plain", b"new"))
    assert idempotency.check(demo_app, LOGIN, "k9", "another request") == idempotency.Answer(
        400, "text/plain", b"new"
    )


def test_release_frees_a_held_claim_and_leaves_others_alone(demo_app: App) -> None:
    held = claim(demo_app, "k7")
    start_under(demo_app, held)
    idempotency.release(held)
    assert rows(demo_app) == []
    other = claim(demo_app, "k8")
    start_under(demo_app, claim(demo_app, "k8"))  # a retry holds it
    idempotency.release(other)  # the refused one never held it: the retry's claim stays
    assert [r["key"] for r in rows(demo_app)] == ["k8"]
