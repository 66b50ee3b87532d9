"""Deterministic races on PostgreSQL: knowing that a transaction waits for another."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from oaflow.services.app import App

WAIT = 30  # seconds: an upper bound for a stuck test, never a pause


def wait_for_lock_waiter(app: App, second: threading.Thread) -> None:
    """PostgreSQL: until a session of this database waits on a lock, or ``second`` ended.

    Each look is its own transaction: PostgreSQL keeps one snapshot of pg_stat_activity
    for a whole transaction, so looking again inside one would never see the wait begin.
    """
    event = threading.Event()
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    with app.db.engine.connect() as conn:
        for _ in range(3000):
            waiting = conn.execute(query).scalar_one()
            conn.commit()
            if waiting or not second.is_alive():
                return
            event.wait(0.01)
    pytest.fail("the second transaction neither waited for the first nor ended")
