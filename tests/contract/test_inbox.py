"""The in-app notification centre (NTF-2): every recipient gets their copy, read/unread."""

from __future__ import annotations

from typing import Any

import pytest

from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import InputError, NotFoundError
from oaflow.services import messages, timers
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, as_dicts, who


def notes(app: App, login: str, unread_only: bool = False) -> dict[str, Any]:
    return dict(as_dicts(app, messages.notifications(app, who(app, login), unread_only)))


def reminded(app: App, clock: FixedClock) -> None:
    """A complaint whose handling task 生产部 never acknowledges, 50 hours on."""
    d = Driver(app)
    clock.set(parse_instant("2024-03-04T09:00"))
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    clock.set(parse_instant("2024-03-04T10:00"))
    d.approve("csd.head", "triage")
    timers.tick(app, clock, parse_instant("2024-03-06T12:00"))


def test_every_recipient_sees_their_notifications_unread_first(
    demo_app: App, clock: FixedClock
) -> None:
    reminded(demo_app, clock)
    mine = notes(demo_app, "prd.head")
    assert mine["unread"] == 4
    events = [i["event"] for i in mine["items"]]
    assert events == ["ack_escalation", "ack_reminder", "ack_reminder", "task_assigned"]
    assert (
        mine["items"][0]["node"] == "原因分析与处理"
        and mine["items"][0]["business_key"] == "TS202403001"
    )
    leader = notes(demo_app, "vp.ops")  # the supervising leader got the escalation
    assert [i["event"] for i in leader["items"]] == ["ack_escalation"]
    assert notes(demo_app, "sal.head")["items"] == []


def test_marking_read_one_or_all_of_ones_own(demo_app: App, clock: FixedClock) -> None:
    reminded(demo_app, clock)
    first = notes(demo_app, "prd.head")["items"][-1]["id"]
    assert (
        messages.mark_read(demo_app, who(demo_app, "vp.ops"), [first]) == 0
    )  # not theirs: nothing changes
    assert messages.mark_read(demo_app, who(demo_app, "prd.head"), [first]) == 1
    assert notes(demo_app, "prd.head")["unread"] == 3
    assert len(notes(demo_app, "prd.head", unread_only=True)["items"]) == 3
    assert messages.mark_read(demo_app, who(demo_app, "prd.head"), None) == 3
    assert notes(demo_app, "prd.head")["unread"] == 0
    with pytest.raises(InputError):
        messages.mark_read(demo_app, who(demo_app, "prd.head"), [])
    with pytest.raises(NotFoundError):
        notes(demo_app, "nobody")
