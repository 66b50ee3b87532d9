"""Out-of-office delegation (ORG-3, 代理) on a real database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ForbiddenError, InputError, NotFoundError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.present.words import holder_text
from oaflow.services import deputies, queries
from oaflow.services.app import App
from oaflow.storage.database import Database

from .driver import COMPLAINT, Driver, as_dicts, tasks_of, who

DAY = timedelta(days=1)


def instance_of(app: App, key: str) -> dict[str, Any]:
    return dict(as_dicts(app, queries.instance_detail(app, SYSTEM, key)))


def away(app: App, clock: FixedClock, start: timedelta = DAY, length: timedelta = DAY) -> None:
    """csd.head (马丽娟) is away from now + ``start`` for ``length``; vp.market stands in."""
    now = clock.now()
    deputies.set_deputy(
        app, who(app, "csd.head"), "csd.head", "vp.market", now + start, now + start + length
    )


def created_event(app: App, key: str) -> dict[str, object]:
    events = instance_of(app, key)["timeline"]
    (event,) = [e for e in events if e["kind"] == "task_created" and e["node"] == "投诉受理确认"]
    return dict(event["data"])


def test_a_task_created_in_the_period_goes_to_the_deputy_and_both_see_it(
    demo_app: App, clock: FixedClock
) -> None:
    away(demo_app, clock)
    clock.advance(DAY + timedelta(hours=1))
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.staff", COMPLAINT)
    (mine,) = tasks_of(demo_app, "vp.market")
    (theirs,) = tasks_of(demo_app, "csd.head")
    assert mine["id"] == theirs["id"]
    assert (mine["assignee"], mine["on_behalf_of"]) == ("vp.market", "csd.head")
    assert (mine["as_deputy_of"], mine["delegated_to"]) == ("csd.head", None)
    assert (theirs["as_deputy_of"], theirs["delegated_to"]) == (None, "vp.market")
    assert (mine["assignee_name"], mine["on_behalf_of_name"]) == ("宋文博", "马丽娟")
    assert holder_text(queries.tasks_for(demo_app, who(demo_app, "vp.market"))[0], "zh") == (
        "宋文博 (代 马丽娟)"
    )
    assert created_event(demo_app, key)["on_behalf_of"] == "csd.head"
    with pytest.raises(ForbiddenError):
        d.do(mine["id"], Action.APPROVE, "csd.head")
    d.do(mine["id"], Action.APPROVE, "vp.market")
    events = instance_of(demo_app, key)["timeline"]
    acted = [e["actor"] for e in events if e["task_id"] == mine["id"] and e["actor"]]
    assert acted == ["vp.market"]
    assert tasks_of(demo_app, "csd.head") == []
    detail = queries.task_detail(demo_app, who(demo_app, "csd.head"), mine["id"])
    assert as_dicts(demo_app, detail)["on_behalf_of"] == "csd.head"


@pytest.mark.parametrize("when", [timedelta(hours=1), 2 * DAY + timedelta(hours=1)])
def test_before_and_after_the_period_tasks_go_to_the_person(
    demo_app: App, clock: FixedClock, when: timedelta
) -> None:
    away(demo_app, clock)
    clock.advance(when)
    key = Driver(demo_app).start("customer-complaint", "csd.staff", COMPLAINT)
    (task,) = tasks_of(demo_app, "csd.head")
    assert (task["assignee"], task["on_behalf_of"], task["delegated_to"]) == (
        "csd.head",
        None,
        None,
    )
    assert tasks_of(demo_app, "vp.market") == []
    assert "on_behalf_of" not in created_event(demo_app, key)


def test_list_and_clear(demo_app: App, clock: FixedClock) -> None:
    away(demo_app, clock, start=timedelta(0))
    admin = who(demo_app, "admin")
    (row,) = as_dicts(demo_app, deputies.list_deputies(demo_app, admin))
    assert (row["user_name"], row["deputy_name"], row["active"]) == ("马丽娟", "宋文博", True)
    assert (row["starts"], row["ends"]) == ("2024-03-01 09:00", "2024-03-02 09:00")
    assert deputies.list_deputies(demo_app, who(demo_app, "vp.market"))  # the deputy sees it
    assert deputies.list_deputies(demo_app, who(demo_app, "sal.head")) == []  # others do not
    with pytest.raises(ForbiddenError):
        deputies.clear_deputy(demo_app, who(demo_app, "csd.staff"), "csd.head")
    assert deputies.clear_deputy(demo_app, who(demo_app, "csd.head"), "csd.head") == 1
    assert deputies.list_deputies(demo_app, admin) == []


@pytest.mark.parametrize(
    ("login", "deputy", "start", "end", "error", "text"),
    [
        ("csd.head", "csd.head", 0, 1, InputError, "own deputy"),
        ("csd.head", "nobody", 0, 1, InputError, "not an active user"),
        ("nobody", "csd.staff", 0, 1, NotFoundError, "does not exist"),
        ("csd.head", "csd.staff", 1, 1, InputError, "ends before it starts"),
        ("csd.head", "csd.staff", 2, 1, InputError, "ends before it starts"),
        ("csd.head", "csd.staff", 1, 3, InputError, "already has deputy"),
    ],
)
def test_bad_input_changes_nothing(
    demo_app: App,
    clock: FixedClock,
    login: str,
    deputy: str,
    start: int,
    end: int,
    error: type[Exception],
    text: str,
) -> None:
    away(demo_app, clock)  # day 1 to day 2
    admin = who(demo_app, "admin")
    before = deputies.list_deputies(demo_app, admin)
    now = clock.now()
    with pytest.raises(error, match=text):
        deputies.set_deputy(demo_app, admin, login, deputy, now + start * DAY, now + end * DAY)
    assert deputies.list_deputies(demo_app, admin) == before


def test_an_inactive_deputy_is_refused(demo_app: App, clock: FixedClock) -> None:
    from dataclasses import replace

    from oaflow.services import organisation

    with demo_app.db.read() as conn:
        org = demo_app.org(conn)
    users = dict(org.users)
    users["vp.market"] = replace(users["vp.market"], active=False)
    organisation.store(demo_app, replace(org, users=users))
    with pytest.raises(InputError, match="not an active user"):
        away(demo_app, clock)
    assert deputies.list_deputies(demo_app, who(demo_app, "admin")) == []


def test_a_delegation_made_elsewhere_reaches_an_app_that_already_read_the_organisation(
    demo_app: App, clock: FixedClock
) -> None:
    """The hot path keeps the delegations with the organisation it caches; another process
    (here another App on the same database) setting or clearing one makes it read them
    again."""
    other = App(
        db=Database(demo_app.db.url),
        clock=clock,
        calendar=demo_app.calendar,
        cipher=demo_app.sensitive.cipher,
    )
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")  # the organisation is cached now
    now = clock.now()
    deputies.set_deputy(other, SYSTEM, "csd.head", "vp.market", now - DAY, now + DAY)
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    (review,) = tasks_of(demo_app, "vp.market")
    assert (review["node_id"], review["on_behalf_of"]) == ("review", "csd.head")
    deputies.clear_deputy(other, SYSTEM, "csd.head")
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    d.complete("prd.head", "handle", cause="包装", solution="补发")
    own = [t for t in tasks_of(demo_app, "csd.head") if t["assignee"] == "csd.head"]
    assert [(t["node_id"], t["on_behalf_of"]) for t in own] == [("review", None)]
    other.db.dispose()
