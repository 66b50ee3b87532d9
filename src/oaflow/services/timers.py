"""Firing due SLA checks (TIME-7): the worker's loop and `oaflow tick`.

Each check is one transaction: claim a due task (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
the write lock on SQLite), let the engine handle its due events, write the task's new
``check_at`` with the messages, exception records and history (ADR 0003). A task completed
in between has no ``check_at`` any more, or loses the version check: nothing is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError, InputError, OAFlowError
from oaflow.engine.checks import check_sla
from oaflow.services.app import App
from oaflow.services.runtime import InstanceMoved, load_world, write_decision
from oaflow.storage import settings_repo
from oaflow.storage.hotpath import HotPath

LAST_TICK = "last_tick"
RETRY_FAILED = timedelta(minutes=15)
log = logging.getLogger(__name__)


def fire_one(app: App, now: datetime) -> int | None:
    """Handle one due check; the task's id, or None when nothing is due at ``now``.

    A check that fails (say, a definition that cannot resolve a recipient any more) is set
    aside for ``RETRY_FAILED`` and logged, so that it does not block the checks behind it.
    """
    task_id: int | None = None
    for _ in range(5):
        try:
            with app.db.raw_write() as dbapi:
                hot = HotPath(dbapi, app.db.dialect)
                task_id = hot.claim_due(now)
                if task_id is None:
                    return None
                world, instance, task, related = load_world(app, hot, task_id, now)
                version = instance.version
                decision = check_sla(world, instance, task, related)
                write_decision(hot, decision, app, expected_version=version, at=now)
                return task_id
        except (InstanceMoved, ConflictError):
            continue  # a person acted on it meanwhile: look again
        except OAFlowError as error:
            assert task_id is not None
            _set_aside(app, task_id, now, error)
            return task_id
    return None


def _set_aside(app: App, task_id: int, now: datetime, error: OAFlowError) -> None:
    log.warning("SLA check of task %s failed, retried in %s: %s", task_id, RETRY_FAILED, error)
    with app.db.raw_write() as dbapi:
        HotPath(dbapi, app.db.dialect).defer_check(task_id, now + RETRY_FAILED)


def fire_due(app: App, now: datetime, limit: int | None = None) -> int:
    """Handle every check due at ``now`` (at most ``limit``); how many were handled."""
    count = 0
    while limit is None or count < limit:
        if fire_one(app, now) is None:
            break
        count += 1
    return count


def next_due(app: App) -> datetime | None:
    with app.db.raw_write() as dbapi:
        return HotPath(dbapi, app.db.dialect).next_due()


def tick(
    app: App,
    clock: FixedClock,
    until: datetime,
    progress: Callable[[datetime, int], None] | None = None,
) -> int:
    """Replay time up to ``until``: handle each due check at its own instant, in order."""
    last = max(settings_repo.get_instant(app.db, LAST_TICK) or clock.now(), clock.now())
    if until < last:
        raise InputError(
            f"cannot tick back to {until.isoformat()}: "
            f"time was already ticked to {last.isoformat()}",
            "give an --until later than the last tick",
        )
    handled = 0
    while (due := next_due(app)) is not None and due <= until:
        clock.set(max(due, clock.now()))
        handled += fire_due(app, clock.now())
        if progress is not None:
            progress(clock.now(), handled)
    clock.set(max(until, clock.now()))
    settings_repo.set_instant(app.db, LAST_TICK, until)
    return handled
