"""Weekly meetings (MTG-1/2) on both databases, with the simulated clock: a schedule, its
report prepared before the meeting and sent to the participants, the 24-hour reminder when
no resolutions come, resolutions as action items with their reminder, overdue warning and
escalation, done by their owners — and bad input refused with nothing written."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from oaflow.domain.meetings import ItemInput
from oaflow.services import exceptions, meeting_actions, meeting_timers, meetings, timers
from oaflow.services.app import App
from oaflow.storage import tables
from oaflow.storage.database import Database

from .driver import COMPLAINT, Driver, who

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENTS = (
    "meeting_report",
    "meeting_minutes_due",
    "action_item_reminder",
    "action_item_overdue",
    "action_item_escalation",
)


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


def sent(app: App) -> list[tuple[str, str, list[str]]]:
    """The meetings' messages: (message id, event, recipients), in order."""
    o = tables.outbox.c
    query = select(o.message_id, o.event, o.recipients).where(o.event.in_(EVENTS)).order_by(o.id)
    with app.db.read() as conn:
        return [(r.message_id, r.event, list(r.recipients)) for r in conn.execute(query)]


def counts(app: App) -> dict[str, int]:
    found = {}
    with app.db.read() as conn:
        for table in (tables.meeting_schedules, tables.meetings, tables.action_items):
            found[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
        found["audit"] = conn.execute(select(func.count()).select_from(tables.audit)).scalar_one()
    return found


def refused(app: App, error: type[Exception], code: str, call: Any) -> None:
    """``call`` raises ``error`` with ``code`` and changes nothing but the audit log."""
    before = counts(app)
    with pytest.raises(error) as raised:
        call()
    assert getattr(raised.value, "code", None) == code
    after = counts(app)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }


def two_complaints(app: App) -> tuple[str, str]:
    """Customer service's two complaints: one with 生产部 (quality), one left at triage."""
    d = Driver(app)
    handled = d.start("customer-complaint", "csd.head", COMPLAINT)
    d.approve("csd.head", "triage")
    waiting = d.start("customer-complaint", "csd.head", {**COMPLAINT, "title": "投诉：发货延迟"})
    code = exceptions.open_exception(
        app, who(app, "csd.head"), handled, "handle", "原料短缺，无法按期返工"
    )
    with app.db.write() as conn:
        e = tables.exceptions
        conn.execute(update(e).where(e.c.code == code).values(resources="2 名质检工程师"))
    return handled, waiting


def test_a_week_of_meetings_from_report_to_done_items(demo_app: App, clock: FixedClock) -> None:
    app = demo_app
    handled, waiting = two_complaints(app)
    head, staff = who(app, "csd.head"), who(app, "csd.staff")
    schedule = meetings.add_schedule(app, head, "csd", "mon", "10:00", ["fin.head"])
    assert schedule.next_meeting == at("2024-03-04T10:00")
    assert schedule.next_report == at("2024-03-04T08:00")

    timers.tick(app, clock, at("2024-03-04T08:00"))
    [listed] = meetings.meetings(app, head)
    code = listed.code
    assert code == "MTG20240301"
    meeting = meetings.meeting(app, head, code)
    report = meeting.report
    assert report.running == 2
    assert [(p.business_key, p.node.id if p.node else None) for p in report.progress] == [
        (handled, "handle"),
        (waiting, "triage"),
    ]
    # the one with an exception reported on its step, the other's triage (4 h) overdue
    assert [(p.business_key, p.sla.value) for p in report.at_risk] == [
        (handled, "exception"),
        (waiting, "exception"),
    ]
    assert {e.business_key for e in report.exceptions} == {handled, waiting}
    assert [(e.business_key, e.resources) for e in report.resources] == [
        (handled, "2 名质检工程师")
    ]
    assert [p.login for p in meeting.participants] == ["csd.head", "prd.head", "fin.head"]
    assert sent(app) == [
        (f"meeting:{code}:report", "meeting_report", ["csd.head", "prd.head", "fin.head"])
    ]
    # too early for resolutions; a participant from another department may read, not enter
    item = ItemInput("补充产能数据", "prd.head", at("2024-03-07T18:00"))
    refused(
        app,
        ConflictError,
        "meeting.not_held_yet",
        lambda: meeting_actions.resolve(app, staff, code, [item]),
    )
    prd = who(app, "prd.head")
    assert meetings.meeting(app, prd, code).may_resolve is False
    refused(
        app,
        ForbiddenError,
        "access.denied",
        lambda: meeting_actions.resolve(app, prd, code, [item]),
    )
    refused(
        app,
        NotFoundError,
        "meeting.not_found",
        lambda: meetings.meeting(app, who(app, "log.head"), code),
    )

    timers.tick(app, clock, at("2024-03-05T10:30"))  # 24 hours after, nothing entered
    reminder = (f"meeting:{code}:minutes_due", "meeting_minutes_due", ["csd.head"])
    assert sent(app)[1:] == [reminder]

    items = [item, ItemInput("电话回访客户", "csd.staff", at("2024-03-08T18:00"))]
    entered = meeting_actions.resolve(app, staff, code, items)
    assert [
        (i.title, i.owner.login, i.department.code if i.department else "") for i in entered
    ] == [
        ("补充产能数据", "prd.head", "prd"),
        ("电话回访客户", "csd.staff", "csd"),
    ]
    assert meetings.meeting(app, head, code).state == "minuted"
    first, second = (i.id for i in entered)
    refused(
        app, ForbiddenError, "action.not_yours", lambda: meeting_actions.mark_done(app, head, first)
    )
    clock.set(at("2024-03-06T09:00"))
    meeting_actions.mark_done(app, staff, second, "已回访，客户满意")

    timers.tick(app, clock, at("2024-03-13T11:00"))
    action = [m for m in sent(app) if m[0].startswith("action:")]
    assert action == [
        (f"action:{first}:reminder", "action_item_reminder", ["prd.head"]),  # Thu 11:15
        (f"action:{first}:overdue", "action_item_overdue", ["prd.head"]),  # Thu 18:00
        (f"action:{first}:escalation", "action_item_escalation", ["vp.ops", "csd.head"]),
    ]
    # the next Monday's meeting shows the open item of this one
    later = meetings.meetings(app, head)[0]
    assert later.code == "MTG20240302"
    assert [a.id for a in meetings.meeting(app, head, later.code).report.earlier_actions] == [first]
    mine = meeting_actions.action_items(app, prd, mine=True)
    assert [(a.id, a.sla.value) for a in mine] == [(first, "overdue")]
    done = meeting_actions.mark_done(app, prd, first, "产能数据已补充")
    assert done.state == "done" and done.done_note == "产能数据已补充"
    refused(
        app,
        ConflictError,
        "action.already_done",
        lambda: meeting_actions.mark_done(app, prd, first),
    )

    meetings.remove_schedule(app, head, schedule.id)
    meeting_actions.no_resolutions(app, head, later.code)
    before = sent(app)
    timers.tick(app, clock, at("2024-03-29T18:00"))
    assert sent(app) == before
    assert meeting_timers.next_due(app) is None


def test_bad_schedules_and_resolutions_are_refused_and_change_nothing(
    demo_app: App, clock: FixedClock
) -> None:
    app = demo_app
    head = who(app, "csd.head")
    add = meetings.add_schedule
    refused(
        app, InputError, "meeting.bad_weekday", lambda: add(app, head, "csd", "funday", "10:00")
    )
    refused(app, InputError, "meeting.bad_time", lambda: add(app, head, "csd", "mon", "25:00"))
    refused(
        app,
        InputError,
        "meeting.participant_unknown",
        lambda: add(app, head, "csd", "mon", "10:00", ["nobody"]),
    )
    refused(
        app,
        ForbiddenError,
        "access.denied",
        lambda: add(app, who(app, "csd.staff"), "csd", "mon", "10:00"),
    )
    refused(
        app, InputError, "meeting.department_unknown", lambda: add(app, head, "xyz", "mon", "10:00")
    )
    add(app, head, "csd", "周一", "10:00")
    refused(
        app, ConflictError, "meeting.schedule_exists", lambda: add(app, head, "csd", "tue", "09:00")
    )

    code = meetings.prepare_now(app, head, "csd").code
    refused(
        app,
        ConflictError,
        "meeting.already_prepared",
        lambda: meetings.prepare_now(app, head, "csd"),
    )
    clock.set(at("2024-03-04T11:00"))
    staff = who(app, "csd.staff")
    good = ItemInput("回访", "csd.staff", at("2024-03-08T18:00"))
    for code_, items in (
        ("action.no_owner", [good, ItemInput("无人负责", " ", at("2024-03-08T18:00"))]),
        ("action.owner_unknown", [good, ItemInput("外人", "nobody", at("2024-03-08T18:00"))]),
        ("action.due_past", [good, ItemInput("过期", "csd.staff", at("2024-03-01T18:00"))]),
        ("action.no_title", [ItemInput("", "csd.staff", at("2024-03-08T18:00"))]),
        ("action.no_items", []),
    ):
        refused(
            app,
            InputError,
            code_,
            lambda items=items: meeting_actions.resolve(app, staff, code, items),
        )
    refused(
        app,
        NotFoundError,
        "meeting.not_found",
        lambda: meeting_actions.resolve(app, staff, "MTG20990101", [good]),
    )
    [item] = meeting_actions.resolve(app, staff, code, [good])
    refused(
        app,
        ConflictError,
        "meeting.has_actions",
        lambda: meeting_actions.no_resolutions(app, staff, code),
    )
    refused(
        app,
        NotFoundError,
        "action.not_found",
        lambda: meeting_actions.mark_done(app, who(app, "log.staff"), item.id),
    )


def test_a_check_that_fails_is_set_aside_and_blocks_nothing(
    demo_app: App, clock: FixedClock
) -> None:
    app = demo_app
    meetings.add_schedule(app, who(app, "csd.head"), "csd", "mon", "10:00")
    broken = tables.meeting_schedules
    with app.db.write() as conn:  # a row no check can handle (written by hand)
        conn.execute(update(broken).values(at_time="99:99"))
    clock.set(at("2024-03-04T08:00"))
    assert meeting_timers.fire_one(app, clock.now()) is True  # prepared, then failed
    assert meeting_timers.next_due(app) == at("2024-03-04T08:15")
    assert meeting_timers.fire_one(app, clock.now()) is False
    assert meetings.meetings(app, who(app, "csd.head")) == []  # rolled back


def test_two_workers_prepare_a_report_once(demo_app: App, clock: FixedClock) -> None:
    """TIME-7: the schedule's row is claimed (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite:
    the write lock), so two workers at the same instant prepare one meeting."""
    meetings.add_schedule(demo_app, who(demo_app, "csd.head"), "csd", "mon", "10:00")
    clock.set(at("2024-03-04T08:00"))
    apps = [
        App(
            db=Database(demo_app.db.url),
            clock=clock,
            calendar=demo_app.calendar,
            cipher=demo_app.sensitive.cipher,
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(len(apps))
    fired: list[bool] = []

    def work(app: App) -> None:
        barrier.wait()
        while meeting_timers.fire_one(app, clock.now()):
            fired.append(True)

    threads = [threading.Thread(target=work, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for app in apps:
        app.db.dispose()
    assert len(fired) == 1
    assert [m[1] for m in sent(demo_app)] == ["meeting_report"]
