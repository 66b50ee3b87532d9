"""Signed action links (NTF-5) and the daily digest, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import ConflictError, ForbiddenError, InputError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.services import action_links, delivery, digest, notify_admin, runtime
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, instance_view, outbox, who


def mailed_link(app: App, clock: FixedClock, login: str = "csd.head") -> str:
    """The action link in the last mail ``login`` got."""
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    if not notify_admin.channels(app, SYSTEM):
        notify_admin.add_channel(app, who(app, "admin"), "mail", "email", smtp)
    recorder = RecordingChannel()
    delivery.deliver_due(app, lambda kind: recorder, clock.now())
    mails = [d.message for d in recorder.deliveries if d.message.address.startswith(login)]
    assert mails and "/a/" in mails[-1].link
    return mails[-1].link.rsplit("/", 1)[-1]


def triage_state(app: App) -> str:
    (instance,) = instance_view(app, "TS202403001")["tasks"][:1]
    return str(instance["state"])


def test_a_link_acts_once_for_its_person(demo_app: App, clock: FixedClock) -> None:
    Driver(demo_app).start("customer-complaint", "csd.staff", COMPLAINT)
    token = mailed_link(demo_app, clock)
    clock.advance(timedelta(hours=1))
    done = action_links.use_link(demo_app, token)
    assert done.action == "approve" and done.login == "csd.head"
    assert done.state.value == "approved"
    with pytest.raises(ConflictError, match="used already"):
        action_links.use_link(demo_app, token)
    assert Driver(demo_app).task("prd.head", "handle")  # the process went on, once


def test_a_tampered_or_expired_link_does_nothing(demo_app: App, clock: FixedClock) -> None:
    Driver(demo_app).start("customer-complaint", "csd.staff", COMPLAINT)
    token = mailed_link(demo_app, clock)
    with pytest.raises(InputError, match="cannot be used"):
        action_links.use_link(demo_app, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    clock.advance(action_links.LINK_LIFETIME + timedelta(seconds=1))
    with pytest.raises(InputError, match="expired"):
        action_links.use_link(demo_app, token)
    assert Driver(demo_app).task("csd.head", "triage")  # still open


def test_a_link_checks_the_rights_again_when_used(demo_app: App, clock: FixedClock) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    token = mailed_link(demo_app, clock)
    task = d.task("csd.head", "triage")
    runtime.annotate(
        demo_app, who(demo_app, "csd.head"), task, Action.TRANSFER, ("csd.staff",), "请代办"
    )
    with pytest.raises(ForbiddenError):
        action_links.use_link(demo_app, token)
    # the refusal rolled back, so the link is not spent: it fails for the same reason again
    with pytest.raises(ForbiddenError):
        action_links.use_link(demo_app, token)


def test_the_digest_comes_once_a_working_day_at_the_chosen_hour(
    demo_app: App, clock: FixedClock
) -> None:
    Driver(demo_app).start("customer-complaint", "csd.staff", COMPLAINT)
    notify_admin.set_preferences(demo_app, who(demo_app, "csd.head"), "csd.head", digest_hour=9)
    clock.set(parse_instant("2024-03-02T09:30"))  # a Saturday: no digest
    assert digest.write_digests(demo_app, clock.now()) == 0
    clock.set(parse_instant("2024-03-04T08:59"))  # Monday, before the hour
    assert digest.write_digests(demo_app, clock.now()) == 0
    clock.set(parse_instant("2024-03-04T09:00"))
    assert digest.write_digests(demo_app, clock.now()) == 1
    assert digest.write_digests(demo_app, clock.now() + timedelta(hours=3)) == 0  # once a day
    (message,) = [m for m in outbox(demo_app) if m["event"] == "digest"]
    assert message["recipients"] == ["csd.head"]
    (item,) = message["data"]["items"]
    assert item["business_key"] == "TS202403001" and item["node_zh"] == "投诉受理确认"
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    notify_admin.add_channel(demo_app, who(demo_app, "admin"), "mail", "email", smtp)
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, lambda kind: recorder, clock.now())
    (mail,) = [d.message for d in recorder.deliveries if d.message.event == "digest"]
    assert "TS202403001" in mail.text and "投诉受理确认" in mail.text
    assert "小时" in mail.text and mail.link.endswith("/tasks") and mail.link in mail.text


def test_an_urge_on_an_acknowledged_task_links_to_the_task_not_to_an_action(
    demo_app: App, clock: FixedClock
) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    task = d.ack("prd.head", "handle")
    runtime.annotate(demo_app, who(demo_app, "csd.staff"), task, Action.URGE, (), "客户在等")
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    notify_admin.add_channel(demo_app, who(demo_app, "admin"), "mail", "email", smtp)
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, lambda kind: recorder, clock.now())
    (urge,) = [d.message for d in recorder.deliveries if d.message.event == "urge"]
    assert urge.link.endswith(f"/tasks/{task}")
