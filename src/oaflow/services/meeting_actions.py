"""Resolutions of weekly meetings as action items (MTG-2), the use cases: enter them (all or
nothing), mark a meeting as one without resolutions, list the items of a person or of one's
departments, and mark one's own item done. Who may: see services/meetings.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from oaflow.domain import meetings as rules
from oaflow.domain.errors import ConflictError, ForbiddenError, InputError, NotFoundError, as_denial
from oaflow.domain.meetings import ItemInput, ItemState, MeetingState
from oaflow.domain.org import Organisation
from oaflow.domain.security import Permission, Principal
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.meeting_report import item_view
from oaflow.services.meeting_views import ActionItemView
from oaflow.services.meetings import MeetingAudit, member, sees, visible
from oaflow.services.view_parts import Names
from oaflow.storage import meeting_repo as repo

NOTE_LENGTH = 2000


# -- resolutions -----------------------------------------------------------------------------
def resolve(
    app: App, who: Principal, code: str, items: Sequence[ItemInput]
) -> list[ActionItemView]:
    """Enter the meeting's resolutions as action items — every one or none: an item
    without an owner, an owner who is not a user or a deadline in the past refuses all.
    Answers all the meeting's items."""
    now = app.now()
    with app.db.write() as conn:
        row = _resolvable(conn, who, code, now)
        rules.check_items(items, now)
        org = app.org(conn)
        rows = [
            _item_row(org, row["id"], n, item, who, now, app) for n, item in enumerate(items, 1)
        ]
        repo.lock_meeting(conn, row["id"])
        repo.add_items(conn, rows)
        repo.set_meeting(
            conn, row["id"], state=MeetingState.MINUTED.value, minutes_at=now, check_at=None
        )
        audit.record(app, conn, who, MeetingAudit.RESOLVE, f"meeting:{code}", items=len(rows))
        names = Names(org)
        entered = repo.items_of(conn, [row["id"]])
    return [item_view(names, r, now, app.calendar) for r in entered]


def _resolvable(conn: Connection, who: Principal, code: str, now: datetime) -> dict[str, Any]:
    row = visible(conn, who, code)
    if not member(who, row["department"]):
        raise authz.forbidden(who, Permission.HANDLE, f"meeting:{code}")
    if row["held_at"] > now:
        raise ConflictError("meeting.not_held_yet", code=code, held=row["held_at"])
    return row


def _item_row(
    org: Organisation,
    meeting_id: int,
    number: int,
    item: ItemInput,
    who: Principal,
    now: datetime,
    app: App,
) -> dict[str, Any]:
    owner = item.owner.strip()
    user = org.users.get(owner)
    if user is None or not user.active:
        raise InputError("action.owner_unknown", number=number, owner=owner)
    assert item.due_at is not None  # checked by check_items
    schedule = rules.item_schedule(app.calendar, now, item.due_at)
    return {
        "meeting_id": meeting_id,
        "title": item.title.strip(),
        "owner": owner,
        "department": org.primary_department(owner),
        "due_at": item.due_at,
        "state": ItemState.OPEN.value,
        "done_at": None,
        "done_note": "",
        "created_by": who.login,
        "created_at": now,
        "check_at": rules.next_check(schedule, ()),
        "sla_fired": [],
        "version": 1,
    }


def no_resolutions(app: App, who: Principal, code: str) -> None:
    """Mark a meeting as one that decided nothing: no reminder follows."""
    now = app.now()
    with app.db.write() as conn:
        row = _resolvable(conn, who, code, now)
        repo.lock_meeting(conn, row["id"])
        count = len(repo.items_of(conn, [row["id"]]))
        if count:
            raise ConflictError("meeting.has_actions", code=code, count=count)
        repo.set_meeting(
            conn,
            row["id"],
            state=MeetingState.NO_RESOLUTIONS.value,
            minutes_at=now,
            check_at=None,
        )
        audit.record(app, conn, who, MeetingAudit.NO_RESOLUTIONS, f"meeting:{code}")


# -- action items ----------------------------------------------------------------------------
def action_items(
    app: App, who: Principal, mine: bool = False, open_only: bool = False
) -> list[ActionItemView]:
    """``who``'s own items (``mine``), or those of the meetings ``who`` may see: of their
    departments, or all for those who see everything. Open ones first, by deadline."""
    with app.db.read() as conn:
        names = Names(app.org(conn))
        if mine:
            rows = repo.item_list(conn, who.login, None, open_only)
        else:
            scope = None if who.sees_all else {*who.departments, *who.headed, *who.supervised}
            rows = repo.item_list(conn, None, scope, open_only)
            if scope is not None:  # and one's own, from meetings of other departments
                found = {r["id"] for r in rows}
                rows += [
                    r
                    for r in repo.item_list(conn, who.login, None, open_only)
                    if r["id"] not in found
                ]
    now = app.now()
    return [item_view(names, r, now, app.calendar) for r in rows]


def mark_done(app: App, who: Principal, item_id: int, note: str = "") -> ActionItemView:
    """The owner marks their item done, with a note of what was done; its reminders stop."""
    if len(note) > NOTE_LENGTH:
        raise InputError("action.note_too_long", most=NOTE_LENGTH)
    now = app.now()
    with app.db.write() as conn:
        row = repo.item(conn, item_id)
        target = f"action:{item_id}"
        if row is None or not (row["owner"] == who.login or sees(who, row["meeting_department"])):
            raise as_denial(NotFoundError("action.not_found", item_id=item_id), "handle", target)
        if row["owner"] != who.login:
            refused = ForbiddenError("action.not_yours", item_id=item_id, owner=row["owner"])
            raise as_denial(refused, "handle", target)
        if row["state"] == ItemState.DONE.value:
            raise ConflictError("action.already_done", item_id=item_id, done=row["done_at"])
        changes = {"state": "done", "done_at": now, "done_note": note.strip(), "check_at": None}
        if not repo.set_item(conn, item_id, row["version"], **changes):
            raise ConflictError("action.already_done", item_id=item_id, done=now)
        audit.record(app, conn, who, MeetingAudit.ITEM_DONE, target)
        names = Names(app.org(conn))
        return item_view(names, {**row, **changes}, now, app.calendar)
