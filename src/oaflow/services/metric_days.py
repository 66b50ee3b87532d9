"""The metrics' daily roll-up (MTR-1, docs/adr/0015): the tallies of a period's nodes,
departments and processes (domain/rollup.py), read from the days the worker has summed up
and made on the spot for the rest.

- **Rolling up**: once a day has ended on the business calendar (and ``SETTLE`` more, for
  transactions still committing), the worker's sweep tallies its finished tasks and
  completed instances and keeps a row per group, with the day's counts of finished tasks
  and ended instances. One day per round, oldest first, under a mark in ``settings`` that
  a second worker waits for. ``oaflow report rollup`` does every ended day at once.
- **Reading a period** for a caller who sees everything: its whole days that are kept, in
  the calendar's current time zone, and whose counts still match the tasks and instances
  (a history written into the past afterwards — a demo, an import — makes them differ),
  are read from the roll-up; the other days, and the parts of days at the period's edges,
  are tallied on the spot from the tasks. A caller who sees only part of the instances
  gets tallies made on the spot over the period: the roll-up is of everything.

Either way the tallies are the same sums, so the metrics do not depend on what was rolled
up (tests/contract/test_metric_days.py compares the two on the same history).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain.rollup import (
    DEPARTMENT,
    NODE,
    PROCESS,
    Key,
    Tally,
    tally_instances,
    tally_tasks,
)
from oaflow.domain.security import Scope
from oaflow.services.app import App
from oaflow.services.timers import Sweep
from oaflow.storage import rollup_repo as repo
from oaflow.storage.metrics_sql import Window

#: how long after a day ends it is rolled up
SETTLE = timedelta(minutes=5)
TASK_KINDS = (NODE, DEPARTMENT)
INSTANCE_KINDS = (PROCESS,)
_EVERYTHING = Scope(everything=True)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """When ``day`` begins in ``zone``, as an aware instant."""
    return datetime.combine(day, time(0), tzinfo=zone)


def task_tallies(
    app: App, conn: Connection, window: Window, kinds: tuple[str, ...] = TASK_KINDS
) -> dict[Key, Tally]:
    """The tallies of ``kinds`` (nodes and departments) of the tasks finished in
    ``window``."""
    zone = ZoneInfo(app.calendar.tz)

    def live(part: Window) -> dict[Key, Tally]:
        return tally_tasks(repo.task_facts(conn, part, zone))

    return _collect(app, conn, window, kinds, live, counted="tasks")


def instance_tallies(app: App, conn: Connection, window: Window) -> dict[Key, Tally]:
    """The process tallies of the instances completed in ``window``."""

    def live(part: Window) -> dict[Key, Tally]:
        return tally_instances(repo.instance_facts(conn, part))

    return _collect(app, conn, window, INSTANCE_KINDS, live, counted="instances")


def _collect(
    app: App,
    conn: Connection,
    window: Window,
    kinds: tuple[str, ...],
    live: Callable[[Window], dict[Key, Tally]],
    counted: str,
) -> dict[Key, Tally]:
    """The tallies of ``kinds`` over ``window``: kept days read, the rest made by ``live``;
    ``counted`` is which of a day's counts ("tasks", "instances") vouches for them."""
    if not window.scope.everything:
        return _only(live(window), kinds)
    zone = ZoneInfo(app.calendar.tz)
    whole: dict[Key, Tally] = {}
    for start, end, kept in _spans(conn, window, zone, counted):
        if kept:
            first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
            days = (first, last - timedelta(days=1))
            repo.add_tallies(conn, *days, kinds, window.process, into=whole)
            continue
        for key, tally in _only(
            live(Window(start, end, window.process, window.scope)), kinds
        ).items():
            whole.setdefault(key, Tally()).merge(tally)
    return whole


def _only(tallies: dict[Key, Tally], kinds: tuple[str, ...]) -> dict[Key, Tally]:
    return {key: tally for key, tally in tallies.items() if key[0] in kinds}


def _spans(
    conn: Connection, window: Window, zone: ZoneInfo, counted: str
) -> Iterator[tuple[datetime, datetime, bool]]:
    """``window`` cut into spans of whole kept days whose counts match (True) and the
    rest (False), in order."""
    first = window.start.astimezone(zone).date()
    if midnight(first, zone) < window.start:
        first += timedelta(days=1)
    last = window.end.astimezone(zone).date()  # the day after the last whole day
    if last <= first:
        yield window.start, window.end, False
        return
    kept = repo.stored_days(conn, first, last - timedelta(days=1), zone.key, counted)
    if midnight(first, zone) > window.start:
        yield window.start, midnight(first, zone), False
    days = [first + timedelta(days=n) for n in range((last - first).days)]
    for is_kept, group in groupby(days, key=lambda d: d in kept):
        run = list(group)
        start, end = midnight(run[0], zone), midnight(run[-1] + timedelta(days=1), zone)
        if is_kept:  # the counts of the run's days still those of its tasks (instances)?
            is_kept = repo.count_in(conn, counted, start, end) == sum(kept[d] for d in run)
        yield start, end, is_kept
    if midnight(last, zone) < window.end:
        yield midnight(last, zone), window.end, False


# -- rolling up ---------------------------------------------------------------------------------
def next_day(app: App, conn: Connection) -> date | None:
    """The first day not rolled up yet (in the calendar's zone); None: nothing happened."""
    zone = app.calendar.tz
    mark = repo.read_mark(conn)
    if mark is not None and mark[0] == zone:
        return mark[1] + timedelta(days=1)
    first = repo.first_activity(conn)
    return first.astimezone(ZoneInfo(zone)).date() if first else None


def next_due(app: App) -> datetime | None:
    """When the first day not rolled up can be: SETTLE after it ends."""
    with app.db.read() as conn:
        day = next_day(app, conn)
    if day is None:
        return None
    return midnight(day + timedelta(days=1), ZoneInfo(app.calendar.tz)) + SETTLE


def roll_up(app: App, conn: Connection, day: date, now: datetime) -> None:
    """Tally ``day`` and keep it (replacing what was kept of it)."""
    zone = ZoneInfo(app.calendar.tz)
    start, end = midnight(day, zone), midnight(day + timedelta(days=1), zone)
    window = Window(start, end, None, _EVERYTHING)
    tallies = {
        **tally_tasks(repo.task_facts(conn, window, zone)),
        **tally_instances(repo.instance_facts(conn, window)),
    }
    repo.write_day(conn, day, zone.key, tallies, (start, end), now)


def fire_one(app: App, now: datetime) -> bool:
    """Roll up the first day not rolled up if it ended ``SETTLE`` before ``now``, in a
    transaction of its own, and move the mark past it; a run of days in which nothing
    happened is marked at once. Always False: a day summed up is not a check anyone waits
    for (the worker comes back while days are due)."""
    due = next_due(app)
    if due is None or due > now:
        return False
    zone = ZoneInfo(app.calendar.tz)
    last_due = (now - SETTLE).astimezone(zone).date() - timedelta(days=1)
    with app.db.write() as conn:
        mark = repo.lock_mark(conn)
        if mark is not None and mark[0] != zone.key:  # the calendar moved: start again
            repo.clear(conn)
        day = next_day(app, conn)
        if day is None or day > last_due:
            return False
        busy = repo.first_activity(conn, since=midnight(day, zone))
        quiet_until = busy.astimezone(zone).date() if busy else last_due + timedelta(days=1)
        if quiet_until > day:  # nothing happened from ``day`` on: mark the quiet days
            last = min(quiet_until - timedelta(days=1), last_due)
            repo.mark_quiet(conn, day, last, zone.key, now)
            repo.set_mark(conn, (zone.key, last))
            return False
        roll_up(app, conn, day, now)
        repo.set_mark(conn, (zone.key, day))
    return False


def roll_up_all(
    app: App, now: datetime, again: bool = False, progress: Callable[[int, int], None] | None = None
) -> int:
    """Roll up every day that ended ``SETTLE`` before ``now`` and is not yet (with
    ``again``, every day from the first, afresh); how many days were rolled up.
    ``progress`` is told (done, in all) after each day."""
    zone = ZoneInfo(app.calendar.tz)
    if again:
        with app.db.write() as conn:
            repo.lock_mark(conn)
            repo.clear(conn)
    with app.db.read() as conn:
        first = next_day(app, conn)
    if first is None:
        return 0
    last = (now - SETTLE).astimezone(zone).date() - timedelta(days=1)
    total = max(0, (last - first).days + 1)
    done = 0
    while (due := next_due(app)) is not None and due <= now:
        fire_one(app, now)
        with app.db.read() as conn:
            reached = next_day(app, conn)
        done = (reached - first).days if reached else 0
        if progress is not None:
            progress(done, total)
    return done


def kept(app: App) -> tuple[str | None, str | None]:
    """The first and last day the roll-up holds (ISO dates), in the calendar's zone."""
    with app.db.read() as conn:
        return repo.kept_span(conn, app.calendar.tz)


SWEEP = Sweep("rollup", next_due, fire_one, housekeeping=True)
