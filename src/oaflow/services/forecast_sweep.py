"""Warning the owners of instances at risk of missing their deadline (issue 15 item 4) as one
of the timers' sweeps (services/timers.py): at the start of each working day (the first
period of the business calendar) the worker (or ``oaflow tick``) works out the forecasts of
all running instances (services/forecast.py) and sends ``forecast_at_risk`` (完工预测预警)
through the outbox to the initiator of each one at risk and the owners of its open tasks —
in-app and through their channels, with a link to the instance.

Owners read the warning as their day begins. An instance is warned at most once a day (in
the business calendar's time zone): the message's id names the instance and the day, and the
outbox keeps a message id once, so a second sweep that day, or a second worker, adds
nothing. The last sweep's instant is kept in ``settings`` (``MARK``), locked while a sweep
runs, so that a day is swept once. Late instances (the deadline passed) are not warned
here: their tasks' SLA already escalates them; nor are those whose forecast has no history
in it (``_from_history``): the limits alone are the SLA's to speak for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.forecast import Source
from oaflow.domain.model import Message
from oaflow.services.app import App
from oaflow.services.forecast import EVERYTHING, InstanceForecast, running_forecasts
from oaflow.services.timers import Sweep
from oaflow.storage import instance_list, settings_repo
from oaflow.storage.runtime_store import RuntimeStore

EVENT = "forecast_at_risk"
#: the name in ``settings`` of the last sweep's instant
MARK = "forecast_sweep"
#: how far a working day is looked for (the longest holidays are shorter)
LOOK_DAYS = 40


def next_due(app: App) -> datetime | None:
    """The start of the first working day after the last sweep; with none yet, the start
    of the latest working day (at once); None while no instance runs."""
    with app.db.read() as conn:
        if not instance_list.any_running(conn):
            return None
        last = settings_repo.read_instant(conn, MARK)
    if last is None:
        return day_start(app.calendar, app.now())
    return next_day_start(app.calendar, last)


def fire_one(app: App, now: datetime) -> bool:
    """Sweep once if no sweep ran since the start of the working day of ``now``. True when
    it warned someone (a sweep that finds nothing at risk is not counted as a handled
    check).

    The forecasts are worked out in a read transaction, so that the write lock (SQLite) is
    not held meanwhile; the warnings and the mark are then written in one short transaction
    that checks the mark again under its lock: of two workers sweeping at once, one writes
    (and the messages' ids would keep a day's warning single anyway). A sweep that stops
    before writing is done again by the next round."""
    with app.db.read() as conn:
        if not _due(app, settings_repo.read_instant(conn, MARK), now):
            return False
        found = running_forecasts(app, conn, EVERYTHING, None, now)
    at_risk = [f for f in found if f.at_risk and _from_history(f)]
    with app.db.write() as conn:
        if not _due(app, settings_repo.lock_instant(conn, MARK), now):
            return False
        store = RuntimeStore.on(conn, app.sensitive)
        new = sum(
            store.insert_messages(f.instance_id, [warning(app, f, now)], now) for f in at_risk
        )
        settings_repo.write_instant(conn, MARK, now)
        return new > 0


def _due(app: App, last: datetime | None, now: datetime) -> bool:
    """Whether no sweep ran since the working day of ``now`` began."""
    start = day_start(app.calendar, now)
    return last is None or (start is not None and last < start)


def _from_history(found: InstanceForecast) -> bool:
    """Whether the history speaks in the forecast: a node still to come (or open) has
    enough finished tasks. Without it, the forecast only restates the time limits, which the
    tasks' own SLA warnings, overdue notices and escalations already speak for."""
    return any(n.source is Source.HISTORY for n in found.nodes)


def _start_of(calendar: WorkingCalendar, day: date) -> datetime:
    zone = ZoneInfo(calendar.tz)
    return datetime.combine(day, calendar.periods[0][0], tzinfo=zone).astimezone(UTC)


def day_start(calendar: WorkingCalendar, at: datetime) -> datetime | None:
    """When the latest working day at or before ``at`` began (its first period)."""
    day = at.astimezone(ZoneInfo(calendar.tz)).date()
    for back in range(LOOK_DAYS):
        d = day - timedelta(days=back)
        if calendar.is_working_day(d) and _start_of(calendar, d) <= at:
            return _start_of(calendar, d)
    return None


def next_day_start(calendar: WorkingCalendar, after: datetime) -> datetime | None:
    """When the first working day that begins after ``after`` begins."""
    day = after.astimezone(ZoneInfo(calendar.tz)).date()
    for ahead in range(LOOK_DAYS):
        d = day + timedelta(days=ahead)
        if calendar.is_working_day(d) and _start_of(calendar, d) > after:
            return _start_of(calendar, d)
    return None


def warning(app: App, found: InstanceForecast, now: datetime) -> Message:
    """The day's warning of an instance at risk, to its initiator and its tasks' owners."""
    zone = ZoneInfo(app.calendar.tz)
    day = now.astimezone(zone).date().isoformat()

    def local(at: datetime | None) -> str:
        return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""

    median, p90, due = local(found.median), local(found.p90), local(found.deadline)
    data = {
        "business_key": found.business_key,
        "title": found.title,
        "process_zh": found.process_name.zh,
        "process_en": found.process_name.get("en"),
        "node_zh": "、".join(n.name.zh for n in found.current),
        "node_en": ", ".join(n.name.get("en") for n in found.current),
        "note_zh": f"预计 {median} 完成（九成把握在 {p90} 前），完成期限 {due}",
        "note_en": f"Expected to finish {median} (9 in 10 by {p90}); due {due}.",
        "page": f"/instances/{found.business_key}",
        "expected": found.median.isoformat(),
        "expected_p90": found.p90.isoformat(),
        "deadline": found.deadline.isoformat() if found.deadline else None,
    }
    people = (found.initiator.login, *found.owners)
    return Message(
        f"{EVENT}/{found.business_key}/{day}", EVENT, tuple(dict.fromkeys(people)), None, data
    )


SWEEP = Sweep("forecasts", next_due, fire_one)
