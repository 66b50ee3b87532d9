"""The read use cases behind the pages: the inbox filtered, sorted and paged in the service
(only the page's tasks become summaries), the tasks one finished (已办), the board of the
open tasks one may see, copies (抄送) and the unread count, the start form's fields."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import update

from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import ForbiddenError
from oaflow.domain.states import Action, TaskState
from oaflow.engine.runtime import Command
from oaflow.services import catalog, messages, queries, runtime
from oaflow.services.app import App
from oaflow.services.views import BoardFilter, InboxFilter, Sla, TaskSummary
from oaflow.storage.tables import instances, tasks

from .driver import COMPLAINT, Driver, who


def complaints(app: App, clock: FixedClock, count: int) -> list[str]:
    d = Driver(app)
    keys = []
    for n in range(count):
        clock.set(parse_instant(f"2024-03-04T{9 + n % 8:02d}:00"))
        kind = ("quality", "logistics", "service")[n % 3]
        keys.append(d.start("customer-complaint", "csd.staff", {**COMPLAINT, "complaint_type": kind,
                                                                 "title": f"投诉{n}"}))  # fmt: skip
    return keys


def test_inbox_filters_sorts_and_pages(demo_app: App, clock: FixedClock) -> None:
    keys = complaints(demo_app, clock, 7)
    head = who(demo_app, "csd.head")
    first = queries.inbox(demo_app, head, InboxFilter(limit=3))
    assert first.total == 7 and len(first.items) == 3
    rest = queries.inbox(demo_app, head, InboxFilter(offset=3, limit=10))
    shown = [t.business_key for t in (*first.items, *rest.items)]
    assert sorted(shown) == sorted(keys)
    dues = [t.due_at for t in (*first.items, *rest.items)]
    assert dues == sorted(dues)  # soonest deadline first
    newest = queries.inbox(demo_app, head, InboxFilter(sort="created", limit=10)).items
    assert [t.created_at for t in newest] == sorted(t.created_at for t in newest)
    assert queries.inbox(demo_app, head, InboxFilter(q="投诉3")).total == 1
    assert queries.inbox(demo_app, head, InboxFilter(q=keys[0])).total == 1
    assert queries.inbox(demo_app, head, InboxFilter(process="annual-budget")).total == 0
    by_state = {s: queries.inbox(demo_app, head, InboxFilter(sla=s)).total for s in Sla}
    assert sum(by_state.values()) == 7 and by_state[Sla.ON_TRACK] > 0


PRIORITY = {"high": 0, "normal": 1, "low": 2}


def test_the_inbox_narrowed_in_the_database_is_every_task_narrowed_by_hand(
    demo_app: App, clock: FixedClock
) -> None:
    """The inbox's page and count come from the database (sorted, narrowed, offset there):
    they equal what narrowing, sorting and paging all of one's open tasks by hand gives, for
    every filter, sort and page — ties broken by the task's id, tasks without a deadline
    last."""
    keys = complaints(demo_app, clock, 9)
    head = who(demo_app, "csd.head")
    clock.set(parse_instant("2024-03-05T10:00"))
    for task in queries.tasks_for(demo_app, head)[:3]:  # some acknowledged
        runtime.act(demo_app, head, task.id, Command(Action.ACK, "csd.head"))
    with demo_app.db.write() as conn:  # priorities, equal deadlines and none at all
        for n, key in enumerate(keys):
            priority = ("high", "normal", "low")[n % 3]
            conn.execute(
                update(instances).where(instances.c.business_key == key).values(priority=priority)
            )
        ids = sorted(t.id for t in queries.tasks_for(demo_app, head))
        conn.execute(update(tasks).where(tasks.c.id.in_(ids[:2])).values(due_at=None))
        same = queries.tasks_for(demo_app, head)[-1].due_at
        conn.execute(update(tasks).where(tasks.c.id.in_(ids[4:7])).values(due_at=same))
    every = queries.tasks_for(demo_app, head)  # all open tasks, unpaged (the oracle's input)
    assert len(every) == 9

    def by_hand(wanted: InboxFilter) -> tuple[list[int], int]:
        chosen = [
            t
            for t in every
            if (wanted.process is None or t.process == wanted.process)
            and (wanted.state is None or t.state is wanted.state)
            and (wanted.priority is None or t.priority == wanted.priority)
            and (wanted.sla is None or t.sla is wanted.sla)
            and (
                wanted.department is None
                or (t.department and t.department.code) == wanted.department
            )
            and (
                not wanted.q
                or any(
                    wanted.q.casefold() in text.casefold()
                    for text in (t.title, t.business_key, t.node.name.zh, t.node.name.en)
                )
            )
        ]
        order = {
            "due": lambda t: (t.due_at is None, t.due_at or clock.now(), t.id),
            "created": lambda t: (t.created_at, t.id),
            "priority": lambda t: (PRIORITY[t.priority], t.id),
        }[wanted.sort]
        chosen.sort(key=order)
        page = chosen[wanted.offset : wanted.offset + wanted.limit]
        return [t.id for t in page], len(chosen)

    def ids_of(items: tuple[TaskSummary, ...]) -> list[int]:
        return [t.id for t in items]

    filters = itertools.product(
        (None, "customer-complaint", "annual-budget"),
        (None, TaskState.ACKNOWLEDGED, TaskState.PENDING),
        (None, "high", "low"),
        (None, "csd", "fin"),
        ("due", "created", "priority"),
        ((0, 50), (0, 4), (4, 4), (8, 4)),
    )
    for process, state, priority, department, sort, (offset, limit) in filters:
        wanted = InboxFilter(process, state, None, department, priority, None, sort, offset, limit)
        page = queries.inbox(demo_app, head, wanted)
        assert (ids_of(page.items), page.total) == by_hand(wanted), wanted
    # a search: titles, business keys (in any case), node names in Chinese and English (in
    # any case); LIKE's wildcards are only characters; with other filters and pages
    searches = itertools.product(
        ("投诉", "投诉3", keys[0].lower(), "受理", "accept", "ACCEPT COMP", "%", "_", "无此任务"),
        (None, TaskState.ACKNOWLEDGED),
        (None, "high"),
        ("due", "priority"),
        ((0, 50), (2, 3)),
    )
    for q, state, priority, sort, (offset, limit) in searches:
        wanted = InboxFilter(None, state, None, None, priority, q, sort, offset, limit)
        page = queries.inbox(demo_app, head, wanted)
        assert (ids_of(page.items), page.total) == by_hand(wanted), wanted
    pages = ((0, 50), (1, 2))
    for sla, q, (offset, limit) in itertools.product(Sla, (None, "投诉", "受理"), pages):
        wanted = InboxFilter(sla=sla, q=q, offset=offset, limit=limit)
        page = queries.inbox(demo_app, head, wanted)
        assert (ids_of(page.items), page.total) == by_hand(wanted), wanted
    assert by_hand(InboxFilter(q="accept"))[1] == 9 and by_hand(InboxFilter(q="投诉3"))[1] == 1
    assert by_hand(InboxFilter(q="%"))[1] == 0


def test_done_by_me_newest_first_and_only_mine(demo_app: App, clock: FixedClock) -> None:
    complaints(demo_app, clock, 3)
    head = who(demo_app, "csd.head")
    for n, task in enumerate(queries.tasks_for(demo_app, head)):
        clock.set(parse_instant(f"2024-03-05T{10 + n:02d}:00"))
        runtime.act(demo_app, head, task.id, Command(Action.APPROVE, "csd.head"))
    done = queries.done_by(demo_app, head, 0, 2)
    assert done.total == 3 and len(done.items) == 2
    assert done.items[0].finished_at > done.items[1].finished_at
    assert all(t.state is TaskState.APPROVED for t in done.items)
    assert queries.done_by(demo_app, who(demo_app, "csd.staff")).total == 0


def test_board_shows_the_open_tasks_in_scope_by_filter(demo_app: App, clock: FixedClock) -> None:
    complaints(demo_app, clock, 3)
    clock.set(parse_instant("2024-03-05T10:00"))
    head = who(demo_app, "csd.head")
    first = queries.tasks_for(demo_app, head)[0]  # one goes on to its department
    runtime.act(demo_app, head, first.id, Command(Action.APPROVE, "csd.head"))
    leader = queries.board(demo_app, who(demo_app, "vp.market"), BoardFilter())
    assert len(leader) == 3  # csd's supervising leader sees every complaint
    handling = [t for t in leader if t.node.id == "handle"]
    assert len(handling) == 1
    department = handling[0].department
    assert department is not None
    only = queries.board(
        demo_app, who(demo_app, "vp.market"), BoardFilter(department=department.code)
    )
    assert [t.id for t in only] == [handling[0].id]
    mine = queries.board(demo_app, who(demo_app, "csd.head"), BoardFilter(owner="csd.head"))
    assert {t.node.id for t in mine} == {"triage"}
    assert queries.board(demo_app, who(demo_app, "fin.staff"), BoardFilter()) == []


def test_copies_and_unread_count(demo_app: App, clock: FixedClock) -> None:
    complaints(demo_app, clock, 1)
    head = who(demo_app, "csd.head")
    task = queries.tasks_for(demo_app, head)[0]
    runtime.annotate(demo_app, head, task.id, Action.CC, ("fin.staff",), "请知悉")
    copies = messages.notifications(demo_app, who(demo_app, "fin.staff"), False, 10, 0, "cc")
    assert copies.total == 1 and copies.items[0].note == "请知悉"
    assert messages.unread_count(demo_app, who(demo_app, "fin.staff")) == 1
    assert messages.notifications(demo_app, head, False, 10, 0, "cc").total == 0


def test_start_form_for_those_who_may_start(demo_app: App) -> None:
    form = catalog.start_form(demo_app, who(demo_app, "csd.staff"), "customer-complaint")
    names = [f.name for f in form.fields]
    assert names[0] == "title" and "phone" in names
    phone = next(f for f in form.fields if f.name == "phone")
    assert phone.sensitive
    kind = next(f for f in form.fields if f.name == "complaint_type")
    assert kind.values == ("quality", "logistics", "service") and kind.required
    startable = [p.key for p in catalog.startable(demo_app, who(demo_app, "fin.staff"))]
    assert "customer-complaint" not in startable and "annual-budget" in startable
    with pytest.raises(ForbiddenError):  # only csd starts complaints
        catalog.start_form(demo_app, who(demo_app, "fin.staff"), "customer-complaint")
