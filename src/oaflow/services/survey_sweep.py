"""Opening the satisfaction surveys (MTR-2) as one of the timers' sweeps
(services/timers.py), off the engine's path: the transaction that completes an instance
writes nothing for the survey; the worker (or ``oaflow tick``) later looks at the instances
that ended, in the order they ended, and opens the surveys of those that completed
(services/surveys.py).

A watermark in ``settings`` — the end and id of the last instance looked at — makes each
sweep one short range read on the index of ``instances.ended_at``. An instance is looked at
``SETTLE`` after it ended, so that one whose completing transaction committed a moment
after a later one's is not passed over. An instance that ended more than ``MAX_AGE`` before
the sweep (a database upgraded with years of history, a worker that was down for weeks) is
passed over without asking: a survey is about work people remember."""

from __future__ import annotations

from datetime import datetime, timedelta

from oaflow.services import surveys
from oaflow.services.app import App
from oaflow.services.timers import Sweep
from oaflow.storage import survey_repo as repo

#: how long after its end an instance is looked at
SETTLE = timedelta(minutes=1)
#: instances that ended longer ago than this are not asked about any more
MAX_AGE = timedelta(days=30)


def next_due(app: App) -> datetime | None:
    """When the first ended instance the sweep has not looked at is due."""
    with app.db.read() as conn:
        found = repo.next_ended(conn, repo.read_mark(conn))
    return found["ended_at"] + SETTLE if found else None


def fire_one(app: App, now: datetime) -> bool:
    """Look at the next ended instance due at ``now`` in a transaction of its own: open its
    surveys (when it completed and its process asks) and move the watermark past it. False
    when none is due (then nothing is written)."""
    due = next_due(app)
    if due is None or due > now:
        return False
    with app.db.write() as conn:
        locked = repo.lock_mark(conn)
        oldest = now - MAX_AGE
        mark = locked if locked is not None and locked[0] >= oldest else (oldest, 0)
        found = repo.next_ended(conn, mark)
        if found is None or found["ended_at"] + SETTLE > now:
            if mark != locked:  # skip what ended too long ago, in one step
                repo.set_mark(conn, mark)
            return False
        repo.set_mark(conn, (found["ended_at"], found["id"]))
        surveys.open_for_instance(app, conn, found["id"], now)
        return True


SWEEP = Sweep("surveys", next_due, fire_one)
