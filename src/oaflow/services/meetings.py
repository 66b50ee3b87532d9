"""Weekly cross-department meetings (MTG-1/2), the use cases: a department's schedule, the
report prepared before each meeting (by the timer, or now by hand), the meetings one may see,
resolutions entered as action items (all or nothing), "no resolutions", the action items of
a person or a department, and marking one's item done.

Who may do what: a schedule is the business of the department's head (or an
administrator); a meeting is seen by its participants, the members of its department and
the roles that see everything; resolutions are entered by members of its department; an
item is marked done by its owner. What a caller may not see is answered as missing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain import meetings as rules
from oaflow.domain.errors import ConflictError, InputError, NotFoundError, as_denial
from oaflow.domain.ids import key_scope
from oaflow.domain.meetings import MeetingState
from oaflow.domain.model import Message
from oaflow.domain.org import Organisation
from oaflow.domain.security import Permission, Principal, granted
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.meeting_report import item_view, participants, prepare
from oaflow.services.meeting_views import (
    MEETING_STATES,
    WEEKDAY_NAMES,
    MeetingSummary,
    MeetingView,
    ScheduleView,
    report_of,
    snapshot,
)
from oaflow.services.view_parts import Names
from oaflow.services.views import Dept
from oaflow.storage import meeting_repo as repo
from oaflow.storage.runtime_store import RuntimeStore

CODE_PATTERN = "MTG{yyyy}{MM}{seq:02}"
MAX_LIST = 500


class MeetingAudit(StrEnum):
    """The audit log's names of the changes made here (SEC-4)."""

    SCHEDULE_ADD = "meeting.schedule_add"
    SCHEDULE_REMOVE = "meeting.schedule_remove"
    PREPARE = "meeting.prepare"
    RESOLVE = "meeting.resolve"
    NO_RESOLUTIONS = "meeting.no_resolutions"
    ITEM_DONE = "action.done"


# -- who may -------------------------------------------------------------------------------
def sees(who: Principal, department: str, invited: Sequence[str] = ()) -> bool:
    mine = {*who.departments, *who.headed, *who.supervised}
    return who.sees_all or department in mine or who.login in invited


def member(who: Principal, department: str) -> bool:
    """Whether ``who`` belongs to ``department`` (its head does): they enter its meetings'
    resolutions."""
    return who.is_system or department in who.departments


def _manages(org: Organisation, who: Principal, department: str) -> bool:
    """The department's own head (not a head further up) or an administrator."""
    return org.head_of(department) == who.login or granted(who, Permission.ADMINISTER)


def _check_manages(org: Organisation, who: Principal, department: str) -> None:
    if not _manages(org, who, department):
        raise authz.forbidden(who, Permission.ADMINISTER, f"department:{department}")


def _missing_meeting(code: str) -> NotFoundError:
    return as_denial(NotFoundError("meeting.not_found", code=code), "view", f"meeting:{code}")


def _known_department(org: Organisation, department: str) -> None:
    if department not in org.departments:
        raise InputError("meeting.department_unknown", department=department)


# -- schedules -----------------------------------------------------------------------------
def add_schedule(
    app: App,
    who: Principal,
    department: str,
    weekday: str | int,
    at: str,
    participants_: Sequence[str] = (),
    prepare_hours: float = rules.DEFAULT_PREPARE_HOURS,
) -> ScheduleView:
    """A weekly meeting of ``department`` on ``weekday`` at ``at`` (local), its report
    prepared ``prepare_hours`` before; ``participants_`` are invited besides the heads."""
    day, clock = rules.parse_weekday(weekday), rules.parse_at(at)
    hours = rules.check_prepare_hours(prepare_hours)
    now = app.now()
    with app.db.write() as conn:
        org = app.org(conn)
        _known_department(org, department)
        _check_manages(org, who, department)
        for login in participants_:
            if login not in org.users or not org.users[login].active:
                raise InputError("meeting.participant_unknown", login=login)
        existing = repo.schedules(conn, [department])
        if existing:
            raise ConflictError(
                "meeting.schedule_exists",
                department=org.departments[department].name,
                schedule_id=existing[0]["id"],
            )
        held = rules.next_meeting(app.calendar, day, clock, now)
        row = {
            "department": department,
            "weekday": day,
            "at_time": clock.strftime("%H:%M"),
            "participants": list(dict.fromkeys(participants_)),
            "prepare_hours": hours,
            "active": True,
            "next_at": rules.prepare_at(held, hours),
            "created_by": who.login,
            "created_at": now,
        }
        schedule_id = repo.add_schedule(conn, row)
        detail = {"weekday": day, "at": row["at_time"], "prepare_hours": hours}
        audit.record(
            app, conn, who, MeetingAudit.SCHEDULE_ADD, f"department:{department}", **detail
        )
        return _schedule_view(Names(org), {**row, "id": schedule_id})


def schedules(app: App, who: Principal) -> list[ScheduleView]:
    """The schedules of the departments ``who`` belongs to, heads or supervises (all of
    them for those who see everything)."""
    with app.db.read() as conn:
        names = Names(app.org(conn))
        rows = repo.schedules(conn)
    return [_schedule_view(names, r) for r in rows if sees(who, r["department"])]


def managed_departments(app: App, who: Principal) -> list[Dept]:
    """The departments whose schedules ``who`` keeps (heads; administrators: all)."""
    with app.db.read() as conn:
        org = app.org(conn)
    names = Names(org)
    return [names.known_dept(code) for code in org.departments if _manages(org, who, code)]


def remove_schedule(app: App, who: Principal, schedule_id: int) -> None:
    """End a schedule: no more meetings are prepared from it (the past ones stay)."""
    with app.db.write() as conn:
        row = repo.schedule(conn, schedule_id)
        if row is None or not sees(who, row["department"]):
            target = f"schedule:{schedule_id}"
            missing = NotFoundError("meeting.schedule_not_found", schedule_id=schedule_id)
            raise as_denial(missing, "administer", target)
        _check_manages(app.org(conn), who, row["department"])
        repo.end_schedule(conn, schedule_id)
        target = f"department:{row['department']}"
        audit.record(app, conn, who, MeetingAudit.SCHEDULE_REMOVE, target, id=schedule_id)


def _schedule_view(names: Names, row: dict[str, Any]) -> ScheduleView:
    next_at = row["next_at"]
    return ScheduleView(
        id=row["id"],
        department=names.known_dept(row["department"]),
        weekday=row["weekday"],
        weekday_name=WEEKDAY_NAMES[row["weekday"]],
        at=row["at_time"],
        prepare_hours=row["prepare_hours"],
        participants=names.people(row["participants"]),
        next_meeting=next_at + timedelta(hours=row["prepare_hours"]) if next_at else None,
        next_report=next_at,
        created_by=names.known(row["created_by"]),
        created_at=row["created_at"],
    )


# -- preparing -------------------------------------------------------------------------------
def prepare_now(app: App, who: Principal, department: str) -> MeetingView:
    """Prepare the report of ``department``'s next meeting now (its schedule then moves on
    to the one after); without a schedule, of a meeting held now. A meeting prepared and
    not held yet is not prepared again (nor the one after it)."""
    with app.db.write() as conn:
        org = app.org(conn)
        _known_department(org, department)
        _check_manages(org, who, department)
        coming = repo.coming_meeting(conn, department, app.now())
        if coming is not None:
            raise ConflictError(
                "meeting.already_prepared", code=coming["code"], held=coming["held_at"]
            )
        found = repo.schedules(conn, [department])
        schedule = found[0] if found else None
        held = app.now()
        if schedule is not None and schedule["next_at"] is not None:
            held = schedule["next_at"] + timedelta(hours=schedule["prepare_hours"])
        code = prepare_meeting(app, conn, department, held, schedule, who.login)
        audit.record(app, conn, who, MeetingAudit.PREPARE, f"meeting:{code}")
    return meeting(app, who, code)


def prepare_meeting(
    app: App,
    conn: Connection,
    department: str,
    held_at: datetime,
    schedule: dict[str, Any] | None,
    actor: str,
) -> str:
    """Write the meeting held at ``held_at`` with its report, send the report's message to
    the participants, and move the schedule to its next meeting; the meeting's code."""
    org = app.org(conn)
    now = app.now()
    report = prepare(app, conn, department, held_at)
    extra = schedule["participants"] if schedule else []
    invited = participants(org, conn, department, extra)
    store = RuntimeStore.on(conn, app.sensitive)
    scope = key_scope(CODE_PATTERN, held_at.astimezone(ZoneInfo(app.calendar.tz)))
    code = scope.format(store.next_sequence(scope.prefix))
    repo.add_meeting(
        conn,
        {
            "code": code,
            "schedule_id": schedule["id"] if schedule else None,
            "department": department,
            "held_at": held_at,
            "state": MeetingState.PREPARED.value,
            "participants": list(invited),
            "report": snapshot(report),
            "prepared_at": now,
            "prepared_by": actor,
            "check_at": rules.minutes_check_at(held_at),
            "reminded": False,
        },
    )
    if schedule is not None:
        clock = rules.parse_at(schedule["at_time"])
        following = rules.next_meeting(app.calendar, schedule["weekday"], clock, held_at)
        repo.set_next(conn, schedule["id"], rules.prepare_at(following, schedule["prepare_hours"]))
    data = meeting_message_data(app, org, code, department, held_at)
    data["items"] = [_risk_item(line) for line in report.at_risk]
    message = Message(f"meeting:{code}:report", "meeting_report", invited, data=data)
    store.insert_messages(None, [message], now)
    return code


def meeting_message_data(
    app: App, org: Organisation, code: str, department: str, held_at: datetime
) -> dict[str, Any]:
    """What every message about a meeting carries: its code, its name and time, its page."""
    name = org.departments[department].name if department in org.departments else None
    zh, en = (name.zh, name.en or name.zh) if name else (department, department)
    local = held_at.astimezone(ZoneInfo(app.calendar.tz)).strftime("%Y-%m-%d %H:%M")
    return {
        "business_key": code,
        "node_zh": f"{zh}周例会 {code}",
        "node_en": f"{en} weekly meeting {code}",
        "note": local,
        "page": f"/meetings/{code}",
    }


def _risk_item(line: Any) -> dict[str, Any]:
    return {
        "title": line.title,
        "node_zh": line.node.name.zh if line.node else "",
        "node_en": line.node.name.en if line.node else "",
        "business_key": line.business_key,
        "due_at": line.due_at.isoformat() if line.due_at else None,
        "remaining_hours": line.remaining_hours,
    }


# -- reading meetings ------------------------------------------------------------------------
def meetings(app: App, who: Principal, limit: int = 100) -> list[MeetingSummary]:
    """The meetings ``who`` may see, newest first."""
    if not 1 <= limit <= MAX_LIST:
        raise InputError("audit.limit", limit=limit, most=MAX_LIST)
    scope = None if who.sees_all else {*who.departments, *who.headed, *who.supervised}
    with app.db.read() as conn:
        names = Names(app.org(conn))
        rows = repo.meeting_list(conn, scope, who.login, limit)
    return [
        MeetingSummary(
            code=r["code"],
            department=names.known_dept(r["department"]),
            held_at=r["held_at"],
            state=MeetingState(r["state"]),
            state_label=MEETING_STATES[MeetingState(r["state"])],
            items=int(r["items"]),
            open_items=int(r["open"]),
        )
        for r in rows
    ]


def meeting(app: App, who: Principal, code: str) -> MeetingView:
    """One meeting with its report and resolutions (its participants, its department's
    members and those who see everything)."""
    with app.db.read() as conn:
        row = visible(conn, who, code)
        names = Names(app.org(conn))
        items = repo.items_of(conn, [row["id"]])
    now = app.now()
    state = MeetingState(row["state"])
    return MeetingView(
        code=row["code"],
        department=names.known_dept(row["department"]),
        held_at=row["held_at"],
        state=state,
        state_label=MEETING_STATES[state],
        prepared_at=row["prepared_at"],
        prepared_by=names.known(row["prepared_by"]),
        minutes_at=row["minutes_at"],
        reminded=bool(row["reminded"]),
        participants=names.people(row["participants"]),
        report=report_of(row["report"]),
        actions=tuple(item_view(names, r, now, app.calendar) for r in items),
        may_resolve=member(who, row["department"]),
    )


def visible(conn: Connection, who: Principal, code: str) -> dict[str, Any]:
    row = repo.meeting(conn, code)
    if row is None or not sees(who, row["department"], row["participants"]):
        raise _missing_meeting(code)
    return row
