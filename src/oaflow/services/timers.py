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
from oaflow.services.retry import retried
from oaflow.services.runtime import load_world
from oaflow.storage import settings_repo
from oaflow.storage.runtime_store import RuntimeStore

LAST_TICK = "last_tick"
RETRY_FAILED = timedelta(minutes=15)
log = logging.getLogger(__name__)


def fire_one(app: App, now: datetime) -> int | None:
    """Handle one due check; the task's id, or None when nothing is due at ``now``.

    A check that fails (say, a definition that cannot resolve a recipient any more) is set
    aside for ``RETRY_FAILED`` and logged, so that it does not block the checks behind it.
    """
    # a person who acted on the task meanwhile wins (a conflict): look again
    return retried(lambda: _fire_once(app, now), None, also_on=(ConflictError,))


def _fire_once(app: App, now: datetime) -> int | None:
    task_id: int | None = None
    try:
        with RuntimeStore.transaction(app.db, app.sensitive) as store:
            task_id = store.claim_due(now)
            if task_id is None:
                return None
            world, instance, task, related = load_world(app, store, task_id, now)
            store.write(check_sla(world, instance, task, related))
            return task_id
    except ConflictError:
        raise
    except OAFlowError as error:
        assert task_id is not None
        _set_aside(app, task_id, now, error)
        return task_id


def _set_aside(app: App, task_id: int, now: datetime, error: OAFlowError) -> None:
    log.warning("SLA check of task %s failed, retried in %s: %s", task_id, RETRY_FAILED, error)
    with RuntimeStore.transaction(app.db, app.sensitive) as store:
        store.defer_check(task_id, now + RETRY_FAILED)


def fire_due(app: App, now: datetime, limit: int | None = None) -> int:
    """Handle every check due at ``now`` (at most ``limit``); how many were handled."""
    count = 0
    while limit is None or count < limit:
        if fire_one(app, now) is None:
            break
        count += 1
    return count


def next_due(app: App) -> datetime | None:
    with RuntimeStore.transaction(app.db, app.sensitive) as store:
        return store.next_due()


def tick(
    app: App,
    clock: FixedClock,
    until: datetime,
    progress: Callable[[datetime, int], None] | None = None,
) -> int:
    """Replay time up to ``until``: handle each due check at its own instant, in order."""
    last = max(settings_repo.get_instant(app.db, LAST_TICK) or clock.now(), clock.now())
    if until < last:
        raise InputError("tick.backwards", until=until, last=last)
    handled = 0
    while (due := next_due(app)) is not None and due <= until:
        clock.set(max(due, clock.now()))
        handled += fire_due(app, clock.now())
        if progress is not None:
            progress(clock.now(), handled)
    clock.set(max(until, clock.now()))
    settings_repo.set_instant(app.db, LAST_TICK, until)
    return handled
