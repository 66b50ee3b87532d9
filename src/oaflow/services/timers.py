"""Firing due checks (TIME-7): the worker's loop and `oaflow tick`.

Tasks are not the only things with a clock: exception reports (EXC-2), meetings and their
action items (MTG-1/2) have theirs. Each kind is a ``Sweep``: when its next check is due, and
how to handle one due check in a transaction of its own. The loop handles the due checks of
every sweep, tasks' first.

A task's check is one transaction: claim a due task (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the write lock on SQLite), let the engine handle its due events, write the task's
new ``check_at`` with the messages, exception records and history (ADR 0003). A task
completed in between has no ``check_at`` any more, or loses the version check: nothing is
sent.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError, InputError, OAFlowError
from oaflow.engine.checks import check_sla
from oaflow.services import telemetry
from oaflow.services.app import App
from oaflow.services.runtime import load_world
from oaflow.storage import settings_repo
from oaflow.storage.runtime_store import InstanceMoved, RuntimeStore

LAST_TICK = "last_tick"
RETRY_FAILED = timedelta(minutes=15)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    """One kind of thing with a clock."""

    name: str
    #: when its next check is due (None: nothing pending)
    next_due: Callable[[App], datetime | None]
    #: handle one check due at ``now`` in its own transaction; False when none is due
    fire_one: Callable[[App, datetime], bool]
    #: work nobody waits for (the metrics' roll-up): not where a replay starts
    housekeeping: bool = False


#: the modules of the kinds besides tasks, each with its ``SWEEP``
SWEEP_MODULES = (
    "oaflow.services.exception_timers",
    "oaflow.services.meeting_timers",
    "oaflow.services.archive_jobs",
    "oaflow.services.service_calls",
    "oaflow.services.survey_sweep",
    "oaflow.services.forecast_sweep",
    "oaflow.services.metric_days",
)


@cache
def sweeps() -> tuple[Sweep, ...]:
    """The sweeps besides tasks' (imported when first needed: their modules use this one's
    services)."""
    return tuple(importlib.import_module(name).SWEEP for name in SWEEP_MODULES)


#: due task checks claimed and handled in one transaction: one commit (on PostgreSQL one
#: WAL flush) for many checks; small enough that a batch holds its rows briefly
BATCH = 25


def fire_tasks(app: App, now: datetime, limit: int = BATCH) -> int:
    """Handle up to ``limit`` due task checks in one transaction; how many were handled.

    The batch is first tried whole: the checks' tasks read in one query, every check
    written, their history rows and messages held to the end and written together
    (``RuntimeStore.batched``), one commit. Should one fail, that try is rolled back and the
    batch is handled again check by check, each a savepoint of its own (``_one_by_one``): a
    savepoint costs two round trips per check on PostgreSQL, and checks seldom fail
    (docs/adr/0016)."""
    try:
        with RuntimeStore.transaction(app.db, app.sensitive) as store, store.batched():
            claimed = store.claim_due(now, limit)
            store.preload_actions(claimed)
            for task_id in claimed:
                world, instance, task, related = load_world(app, store, task_id, now)
                store.write(check_sla(world, instance, task, related))
        return len(claimed)
    except (OAFlowError, InstanceMoved):
        return _one_by_one(app, now, limit)


def _one_by_one(app: App, now: datetime, limit: int) -> int:
    """The due checks, each a savepoint of its own: a check that fails (say, a definition
    that cannot resolve a recipient any more) is undone alone and set aside for
    ``RETRY_FAILED`` and logged, so that it does not block the checks behind it; a check
    whose instance a person moved meanwhile is undone alone and stays due (the next round
    takes it again)."""
    handled = 0
    with RuntimeStore.transaction(app.db, app.sensitive) as store:
        for task_id in store.claim_due(now, limit):
            try:
                with store.savepoint():
                    world, instance, task, related = load_world(app, store, task_id, now)
                    store.write(check_sla(world, instance, task, related))
            except (ConflictError, InstanceMoved):
                continue
            except OAFlowError as error:
                log.warning(
                    "SLA check of task %s failed, retried in %s: %s", task_id, RETRY_FAILED, error
                )
                store.defer_check(task_id, now + RETRY_FAILED)
            handled += 1
    return handled


def fire_due(app: App, now: datetime, limit: int | None = None) -> int:
    """Handle every check due at ``now`` (at most ``limit``); how many were handled."""
    count = 0
    while limit is None or count < limit:
        batch = BATCH if limit is None else min(BATCH, limit - count)
        handled = fire_tasks(app, now, batch)
        if handled or any(s.fire_one(app, now) for s in sweeps()):
            count += handled or 1
            continue
        break
    if count:
        telemetry.TIMERS_FIRED.inc(count)
    return count


def next_due(app: App, housekeeping: bool = True) -> datetime | None:
    """When the next check of any kind is due (without ``housekeeping``, the sweeps of
    work nobody waits for are left out)."""
    with RuntimeStore.transaction(app.db, app.sensitive) as store:
        task = store.next_due()
    kinds = [s for s in sweeps() if housekeeping or not s.housekeeping]
    return min((d for d in (task, *(s.next_due(app) for s in kinds)) if d), default=None)


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
