"""Delivering the outbox (NTF-1..5) on SQLite and PostgreSQL, with the recording channel and
the fake clock: routing, content, retries at the expected times, dead letters and re-drive,
Retry-After, 410, throttling, a crash between send and mark, a rolled-back transition."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ForbiddenError, InputError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.notify.channels.base import SendResult
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.services import delivery, notify_admin, runtime
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, who

HALF = 0.5  # a draw that makes the jitter zero


def channels_of(recorder: RecordingChannel) -> delivery.Channels:
    return lambda kind: recorder


def setup_channels(app: App) -> None:
    smtp = {"host": "127.0.0.1", "port": 2525, "tls": "none", "sender": "oa@demo.oaflow.local"}
    notify_admin.add_channel(app, who(app, "admin"), "mail", "email", smtp)
    notify_admin.add_channel(
        app,
        who(app, "admin"),
        "csd-dingtalk",
        "dingtalk",
        {"url": "https://oapi.dingtalk.com/robot/send?access_token=t", "secret": "SECabc"},
        department="csd",
    )
    notify_admin.add_channel(
        app,
        who(app, "admin"),
        "audit-hook",
        "webhook",
        {"url": "https://hooks.example/x", "secret": "s"},
    )


def started(app: App) -> str:
    return Driver(app).start("customer-complaint", "csd.staff", COMPLAINT)


def by_endpoint(app: App) -> list[tuple[str, str, str | None]]:
    return [(d["endpoint"], d["event"], d["login"]) for d in delivery.deliveries(app)]


def test_a_new_task_reaches_its_people_by_email_the_group_robot_and_the_webhook(
    demo_app: App, clock: FixedClock
) -> None:
    setup_channels(demo_app)
    started(demo_app)
    recorder = RecordingChannel()
    assert delivery.deliver_due(demo_app, channels_of(recorder), clock.now(), draw=lambda: HALF)
    assert sorted(by_endpoint(demo_app)) == [
        ("audit-hook", "task_assigned", None),
        ("csd-dingtalk", "task_assigned", None),
        ("mail", "task_assigned", "csd.head"),
    ]
    mail = next(d.message for d in recorder.deliveries if d.endpoint.kind == "email")
    assert mail.address == "csd.head@demo.oaflow.local" and mail.address_name == "马丽娟"
    assert "投诉受理确认" in mail.subject and "TS202403001" in mail.subject
    assert "剩余时间：4.0 小时" in mail.text and "请审批" in mail.text
    assert "/a/" in mail.link and mail.link in mail.text  # a signed action link
    assert {d["status"] for d in delivery.deliveries(demo_app)} == {"sent"}


def test_preferences_mute_events_and_channels(demo_app: App, clock: FixedClock) -> None:
    setup_channels(demo_app)
    notify_admin.set_preferences(
        demo_app, who(demo_app, "csd.head"), "csd.head", muted=["task_assigned"]
    )
    started(demo_app)
    delivery.deliver_due(demo_app, channels_of(RecordingChannel()), clock.now())
    assert ("mail", "task_assigned", "csd.head") not in by_endpoint(demo_app)
    with pytest.raises(ForbiddenError):  # someone else's preferences: administrators only
        notify_admin.set_preferences(
            demo_app, who(demo_app, "csd.staff"), "csd.head", channels=["inapp"]
        )
    with pytest.raises(InputError):
        notify_admin.set_preferences(
            demo_app, who(demo_app, "csd.head"), "csd.head", channels=["pigeon"]
        )


def test_sensitive_fields_never_reach_a_message_even_through_a_template(
    demo_app: App, clock: FixedClock
) -> None:
    setup_channels(demo_app)
    body = "电话：{{ form.phone }} 客户：{{ form.customer }}"
    notify_admin.set_template(
        demo_app, who(demo_app, "admin"), "task_assigned", "zh", "{{ task }}", body
    )
    started(demo_app)
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    texts = [d.message.text + d.message.html for d in recorder.deliveries]
    assert texts and all(COMPLAINT["phone"] not in t for t in texts)
    assert all("电话：***" in t and COMPLAINT["customer"] in t for t in texts)


def test_a_failing_endpoint_is_retried_with_backoff_then_dead_lettered_and_redriven(
    demo_app: App, clock: FixedClock
) -> None:
    notify_admin.add_channel(
        demo_app, who(demo_app, "admin"), "hook", "webhook", {"url": "https://h.example/"}
    )
    started(demo_app)
    recorder = RecordingChannel([SendResult("retry", "503")] * 10)
    channels, start = channels_of(recorder), clock.now()
    for _ in range(20):  # run the worker at every instant something is due
        delivery.deliver_due(demo_app, channels, clock.now(), draw=lambda: HALF)
        due = delivery.next_due(demo_app)
        if due is None:
            break
        clock.set(due)
    offsets = [(d.now - start).total_seconds() for d in recorder.deliveries]
    # 30 s doubling each time, at most an hour: about three hours in all
    assert offsets == [0, 30, 90, 210, 450, 930, 1890, 3810, 7410, 11010]
    (dead,) = delivery.deliveries(demo_app, "dead")
    assert dead["attempts"] == 10 and dead["last_error"] == "503"
    with pytest.raises(ForbiddenError):
        delivery.redrive(demo_app, who(demo_app, "csd.staff"), None)
    assert delivery.redrive(demo_app, who(demo_app, "admin"), [dead["id"]]) == 1
    delivery.deliver_due(demo_app, channels, clock.now())
    assert [d["status"] for d in delivery.deliveries(demo_app)] == ["sent"]


def test_jitter_stays_within_its_share() -> None:
    policy = delivery.RetryPolicy()
    for draw in (0.0, 0.5, 0.999):
        wait = policy.delay(3, lambda d=draw: d).total_seconds()  # type: ignore[misc]
        assert 120 * 0.8 <= wait <= 120 * 1.2
    assert policy.delay(20, lambda: HALF) == policy.longest_delay


def test_retry_after_is_honoured_and_a_410_disables_the_endpoint(
    demo_app: App, clock: FixedClock
) -> None:
    notify_admin.add_channel(
        demo_app, who(demo_app, "admin"), "hook", "webhook", {"url": "https://h.example/"}
    )
    started(demo_app)
    recorder = RecordingChannel([SendResult("retry", "429", retry_after=600), SendResult("gone")])
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now(), draw=lambda: HALF)
    assert delivery.next_due(demo_app) == clock.now() + timedelta(seconds=600)
    clock.advance(timedelta(seconds=600))
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    (hook,) = notify_admin.channels(demo_app, SYSTEM)
    assert not hook.enabled and "410" in hook.disabled_reason
    Driver(demo_app).approve("csd.head", "triage")  # more messages: not sent to a dead hook
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    assert len(recorder.deliveries) == 2
    assert {d["status"] for d in delivery.deliveries(demo_app)} == {"dead"}


def test_robots_are_throttled_to_their_limit_per_minute(demo_app: App, clock: FixedClock) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    notify_admin.add_channel(
        demo_app, who(demo_app, "admin"), "wecom", "wecom", {"url": url}, per_minute=2
    )
    for _ in range(5):
        started(demo_app)
    recorder = RecordingChannel()
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    assert len(recorder.deliveries) == 2
    clock.advance(timedelta(seconds=59))
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    assert len(recorder.deliveries) == 2
    clock.advance(timedelta(seconds=1))
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    assert len(recorder.deliveries) == 4


def test_a_crash_between_send_and_mark_sends_once_more_with_the_same_id(
    demo_app: App, clock: FixedClock
) -> None:
    notify_admin.add_channel(
        demo_app, who(demo_app, "admin"), "hook", "webhook", {"url": "https://h.example/"}
    )
    started(demo_app)
    recorder = RecordingChannel()
    delivery.route_pending(demo_app, clock.now())
    claimed = delivery.claim(demo_app, clock.now())
    assert isinstance(claimed, delivery.Claimed)
    delivery.send(claimed, channels_of(recorder), clock.now())  # ... and the worker dies here
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    assert len(recorder.deliveries) == 1  # the lease holds
    clock.advance(delivery.DEFAULT_POLICY.lease)
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    ids = [d.message.message_id for d in recorder.deliveries]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert [d["status"] for d in delivery.deliveries(demo_app)] == ["sent"]
    delivery.record(demo_app, claimed, SendResult("sent"), clock.now())  # the late mark: no-op
    assert [d["attempts"] for d in delivery.deliveries(demo_app)] == [2]


def test_a_rolled_back_transition_sends_nothing(demo_app: App, clock: FixedClock) -> None:
    notify_admin.add_channel(
        demo_app, who(demo_app, "admin"), "hook", "webhook", {"url": "https://h.example/"}
    )
    started(demo_app)
    delivery.deliver_due(demo_app, channels_of(RecordingChannel()), clock.now())
    task = Driver(demo_app).task("csd.head", "triage")

    def crash(hot: object) -> None:
        raise RuntimeError("power cut before commit")

    with pytest.raises(RuntimeError):
        runtime.act(
            demo_app,
            who(demo_app, "csd.head"),
            task,
            Command(Action.APPROVE, "csd.head"),
            also=crash,
        )
    recorder = RecordingChannel()
    assert delivery.deliver_due(demo_app, channels_of(recorder), clock.now()) == 0
    assert recorder.deliveries == []


def test_a_broken_channel_setting_or_template_is_refused_and_changes_nothing(
    demo_app: App,
) -> None:
    with pytest.raises(InputError, match="url"):
        notify_admin.add_channel(
            demo_app, who(demo_app, "admin"), "x", "dingtalk", {"url": "ftp://nope"}
        )
    with pytest.raises(InputError, match="phon"):
        notify_admin.set_template(
            demo_app, who(demo_app, "admin"), "overdue", "zh", "{{ task }}", "{{ phon }}"
        )
    with pytest.raises(InputError, match="line"):
        notify_admin.set_template(
            demo_app, who(demo_app, "admin"), "overdue", "zh", "{{ task }}", "{% if %}"
        )
    with pytest.raises(ForbiddenError):
        notify_admin.set_template(
            demo_app, who(demo_app, "csd.staff"), "overdue", "zh", "{{ task }}", "ok"
        )
    assert notify_admin.channels(demo_app, SYSTEM) == []
    assert not any(t.customised for t in notify_admin.template_list(demo_app, SYSTEM))


def test_an_administrator_tries_a_channel_before_relying_on_it(demo_app: App) -> None:
    setup_channels(demo_app)
    recorder = RecordingChannel([SendResult("failed", "535 authentication failed")])
    result = delivery.try_channel(demo_app, who(demo_app, "admin"), "mail", channels_of(recorder))
    assert (result.outcome, result.detail) == ("failed", "535 authentication failed")
    assert (
        delivery.try_channel(
            demo_app, who(demo_app, "admin"), "mail", channels_of(recorder)
        ).outcome
        == "sent"
    )
    assert [d.message.address for d in recorder.deliveries] == ["admin@demo.oaflow.local"] * 2
    assert delivery.deliveries(demo_app) == []  # nothing written
    with pytest.raises(ForbiddenError):
        delivery.try_channel(demo_app, who(demo_app, "csd.staff"), "mail", channels_of(recorder))


def test_a_channel_fixed_after_failing_sends_its_dead_letters_again(
    demo_app: App, clock: FixedClock
) -> None:
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/abc-token"
    notify_admin.add_channel(
        demo_app, who(demo_app, "admin"), "fs", "feishu", {"url": url, "secret": "old"}
    )
    (shown,) = notify_admin.channels(demo_app, SYSTEM)
    assert "abc-token" not in str(shown.settings) and "old" not in str(shown.settings)
    started(demo_app)
    recorder = RecordingChannel([SendResult("failed", "19021 sign match fail")])
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    (dead,) = delivery.deliveries(demo_app, "dead")
    assert "sign match fail" in dead["last_error"]
    with pytest.raises(InputError):  # checked like a new channel; nothing changes
        notify_admin.change_channel(demo_app, who(demo_app, "admin"), "fs", {"url": "ftp://x"})
    notify_admin.change_channel(demo_app, who(demo_app, "admin"), "fs", {"secret": "new"})
    assert delivery.redrive(demo_app, who(demo_app, "admin"), None) == 1
    delivery.deliver_due(demo_app, channels_of(recorder), clock.now())
    assert recorder.deliveries[-1].endpoint.settings["secret"] == "new"
    assert [d["status"] for d in delivery.deliveries(demo_app)] == ["sent"]


def test_company_wide_channels_skip_personal_messages_unless_asked(
    demo_app: App, clock: FixedClock
) -> None:
    notify_admin.add_channel(
        demo_app, who(demo_app, "admin"), "all", "webhook", {"url": "https://h.example/"}
    )
    notify_admin.add_channel(
        demo_app,
        who(demo_app, "admin"),
        "urges",
        "webhook",
        {"url": "https://u.example/"},
        events=["urge"],
    )
    started(demo_app)
    task = Driver(demo_app).task("csd.head", "triage")
    runtime.annotate(demo_app, who(demo_app, "csd.staff"), task, Action.URGE, (), "请尽快")
    delivery.deliver_due(demo_app, channels_of(RecordingChannel()), clock.now())
    assert sorted(by_endpoint(demo_app)) == [
        ("all", "task_assigned", None),
        ("urges", "urge", None),
    ]
