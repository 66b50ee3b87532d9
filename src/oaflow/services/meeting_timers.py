"""The clocks of weekly meetings (MTG-1/2), swept by the worker and ``oaflow tick``
(services/timers.py): a schedule's report is prepared before its meeting; a meeting without
resolutions 24 hours after it reminds its organiser (the department's head); an action
item reminds its owner when 75% of its time is used, warns the owner and the head of their
department at its deadline, and escalates to the department's leader 24 working hours
later. Each check is one transaction that claims its row (PostgreSQL: ``FOR UPDATE SKIP
LOCKED``; SQLite: the write lock), so it fires once with several workers."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Connection, update

from oaflow.domain import meetings as rules
from oaflow.domain.errors import OAFlowError
from oaflow.domain.meetings import ItemEvent, MeetingState
from oaflow.domain.model import Message
from oaflow.domain.org import Organisation
from oaflow.domain.security import SYSTEM_LOGIN
from oaflow.services.app import App
from oaflow.services.meetings import meeting_message_data, prepare_meeting
from oaflow.services.timers import RETRY_FAILED, Sweep
from oaflow.storage import meeting_repo as repo
from oaflow.storage.runtime_store import RuntimeStore
from oaflow.storage.tables import action_items, meeting_schedules, meetings

log = logging.getLogger(__name__)
#: the row a check claimed: its clock's column and id (set aside when the check fails)
Claimed = list[tuple["Column[Any]", int]]
#: a report whose meeting ended longer ago than this is not prepared any more (downtime)
STALE = timedelta(hours=24)
EVENTS = {
    ItemEvent.REMINDER: "action_item_reminder",
    ItemEvent.OVERDUE: "action_item_overdue",
    ItemEvent.ESCALATION: "action_item_escalation",
}


def next_due(app: App) -> datetime | None:
    """When the next check of a schedule, a meeting or an action item is due."""
    with app.db.read() as conn:
        return repo.next_due(conn)


def fire_one(app: App, now: datetime) -> bool:
    """Handle one due check in a transaction of its own; False when none is due. A check
    that fails (say, a process version that cannot be read any more) is set aside for
    ``RETRY_FAILED`` and logged, so that it does not block the checks behind it."""
    claimed: list[tuple[Column[Any], int]] = []
    try:
        with app.db.write() as conn:
            return (
                _schedule(app, conn, now, claimed)
                or _minutes(app, conn, now, claimed)
                or _item(app, conn, now, claimed)
            )
    except OAFlowError as error:
        if not claimed:
            raise
        column, row_id = claimed[-1]
        log.warning("meeting check %s %s failed, retried later: %s", column, row_id, error)
        with app.db.write() as conn:
            conn.execute(
                update(column.table)
                .where(column.table.c.id == row_id)
                .values({column.name: now + RETRY_FAILED})
            )
        return True


def _schedule(app: App, conn: Connection, now: datetime, claimed: Claimed) -> bool:
    schedule = repo.claim_schedule(conn, now)
    if schedule is None:
        return False
    claimed.append((meeting_schedules.c.next_at, schedule["id"]))
    held = schedule["next_at"] + timedelta(hours=schedule["prepare_hours"])
    if held + STALE >= now:
        prepare_meeting(app, conn, schedule["department"], held, schedule, SYSTEM_LOGIN)
        return True
    # the system was down past the meeting: on to the next one, nothing prepared late
    clock = rules.parse_at(schedule["at_time"])
    following = rules.next_meeting(app.calendar, schedule["weekday"], clock, now)
    repo.set_next(conn, schedule["id"], rules.prepare_at(following, schedule["prepare_hours"]))
    return True


def _minutes(app: App, conn: Connection, now: datetime, claimed: Claimed) -> bool:
    meeting = repo.claim_meeting(conn, now)
    if meeting is None:
        return False
    claimed.append((meetings.c.check_at, meeting["id"]))
    repo.set_meeting(conn, meeting["id"], check_at=None, reminded=True)
    if meeting["state"] != MeetingState.PREPARED.value:
        return True
    org = app.org(conn)
    department = meeting["department"]
    organiser = org.head_of(department) or org.leader_of(department)
    data = meeting_message_data(app, org, meeting["code"], department, meeting["held_at"])
    recipients = (organiser,) if organiser else ()
    message = Message(
        f"meeting:{meeting['code']}:minutes_due", "meeting_minutes_due", recipients, data=data
    )
    RuntimeStore.on(conn, app.sensitive).insert_messages(None, [message], now)
    return True


def _item(app: App, conn: Connection, now: datetime, claimed: Claimed) -> bool:
    item = repo.claim_item(conn, now)
    if item is None:
        return False
    claimed.append((action_items.c.check_at, item["id"]))
    schedule = rules.item_schedule(app.calendar, item["created_at"], item["due_at"])
    fired = list(item["sla_fired"])
    due = rules.due_events(schedule, fired, now)
    fired += [e.value for e in due]
    open_ = item["state"] == "open"
    check_at = rules.next_check(schedule, fired) if open_ else None
    if not repo.set_item(conn, item["id"], item["version"], sla_fired=fired, check_at=check_at):
        return True  # changed meanwhile (marked done): nothing is sent
    if open_ and due:
        found = repo.item(conn, item["id"])
        assert found is not None
        org = app.org(conn)
        messages = [_item_message(app, org, found, event, now) for event in due]
        RuntimeStore.on(conn, app.sensitive).insert_messages(None, messages, now)
    return True


def _item_message(
    app: App, org: Organisation, item: dict[str, Any], event: ItemEvent, now: datetime
) -> Message:
    owner, department = item["owner"], item["department"] or item["meeting_department"]
    recipients: tuple[str | None, ...] = (owner,)
    if event is ItemEvent.OVERDUE:
        recipients = (owner, org.head_of(department))
    elif event is ItemEvent.ESCALATION:
        recipients = (org.leader_of(department), org.head_of(item["meeting_department"]))
    hours = app.calendar.working_hours_between(now, item["due_at"])
    data = {
        "business_key": item["meeting"],
        "node_zh": f"行动项“{item['title']}”",
        "node_en": f"Action item '{item['title']}'",
        "note": _local(app, item["due_at"]),
        "page": "/actions",
        "items": [
            {
                "task": item["title"],
                "business_key": item["meeting"],
                "due_at": item["due_at"].isoformat(),
                "remaining_hours": round(hours, 1),
            }
        ],
    }
    people = tuple(dict.fromkeys(r for r in recipients if r))
    return Message(f"action:{item['id']}:{event.value}", EVENTS[event], people, data=data)


def _local(app: App, at: datetime) -> str:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(app.calendar.tz)).strftime("%Y-%m-%d %H:%M")


SWEEP = Sweep("meetings", next_due, fire_one)
