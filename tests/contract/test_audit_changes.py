"""Every configuration change is in the audit log once, with who and what (SEC-4), on
SQLite and PostgreSQL — and no secret is: not a channel's secret, a password or a token."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oaflow.domain.errors import ForbiddenError, UnauthenticatedError
from oaflow.domain.orgfile import org_to_yaml
from oaflow.notify.channels.base import Endpoint, Outgoing, SendResult
from oaflow.processes import builtin_source, demo_organisation
from oaflow.services import (
    access,
    audit,
    auth,
    calendar,
    catalog,
    delivery,
    deputies,
    notify_admin,
    organisation,
)
from oaflow.services.app import App
from oaflow.services.delivery import Claimed

from .driver import who

SECRET = "SEC-do-not-log-7f3a"
PASSWORD = "a-new-password-9"
T1 = datetime(2024, 3, 11, 1, 0, tzinfo=UTC)


def make_every_change(app: App, tmp_path: Path) -> str:
    """One of each configuration change, as the administrator (``admin``) or a person for
    themselves (``prd.head``); the API token's secret."""
    admin, own = who(app, "admin"), who(app, "prd.head")
    org_file = tmp_path / "org.yaml"
    org_file.write_text(org_to_yaml(demo_organisation()), encoding="utf-8")
    organisation.import_org(app, "admin", org_file, address="10.1.1.1")
    days = tmp_path / "days.csv"
    days.write_text("date,kind,name\n2024-05-06,off,公司活动\n", encoding="utf-8")
    calendar.set_day(app, admin, date(2024, 3, 22), "off", "团建")
    calendar.reset_day(app, admin, date(2024, 3, 22))
    calendar.import_days(app, admin, days)
    calendar.set_hours(app, admin, "09:00-12:00,13:00-18:00")
    calendar.set_timezone(app, admin, "Asia/Shanghai")
    calendar.set_weekend(app, admin, "sat,sun")
    calendar.confirm_year(app, admin, 2099)
    text, file = builtin_source("customer-complaint")
    catalog.publish(app, admin, text + "\n# v2\n", file)
    hook = {"url": "https://hooks.example/x", "secret": SECRET}
    notify_admin.add_channel(app, admin, "hook", "webhook", hook)
    notify_admin.change_channel(app, admin, "hook", {"secret": SECRET + "2"})
    notify_admin.set_channel_enabled(app, admin, "hook", False)
    notify_admin.set_channel_enabled(app, admin, "hook", True)
    notify_admin.remove_channel(app, admin, "hook")
    notify_admin.set_template(app, admin, "task_assigned", "zh", "{{ task }}", "请处理")
    notify_admin.reset_template(app, admin, "task_assigned", "zh")
    access.grant(app, admin, "customer-complaint", "view", ["head"])
    access.set_policy(app, admin, "contract", ["leg"])
    deputies.set_deputy(app, own, "prd.head", "prd.staff", T1, T1.replace(day=15))
    deputies.clear_deputy(app, own, "prd.head")
    notify_admin.set_preferences(app, own, "prd.head", muted=["digest"])
    secret, token = auth.create_token(app, own, "prd.head", "erp", ["read"], 30)
    auth.revoke_token(app, own, token.id)
    auth.set_password(app, own, "prd.head", PASSWORD)
    delivery.redrive(app, admin, None)
    delivery.discard(app, admin, [999])
    return secret


#: (who, action, target) of each change above, in order
EXPECTED = [
    ("admin", "org.import", "organisation"),
    ("admin", "calendar.day_set", "day:2024-03-22"),
    ("admin", "calendar.day_reset", "day:2024-03-22"),
    ("admin", "calendar.import", "calendar"),
    ("admin", "calendar.hours", "calendar"),
    ("admin", "calendar.timezone", "calendar"),
    ("admin", "calendar.weekend", "calendar"),
    ("admin", "calendar.confirm_year", "year:2099"),
    ("admin", "process.publish", "process:customer-complaint"),
    ("admin", "channel.add", "channel:hook"),
    ("admin", "channel.change", "channel:hook"),
    ("admin", "channel.disable", "channel:hook"),
    ("admin", "channel.enable", "channel:hook"),
    ("admin", "channel.remove", "channel:hook"),
    ("admin", "template.set", "template:task_assigned/zh"),
    ("admin", "template.reset", "template:task_assigned/zh"),
    ("admin", "access.grant", "process:customer-complaint"),
    ("admin", "policy.set", "policy:contract"),
    ("prd.head", "deputy.set", "user:prd.head"),
    ("prd.head", "deputy.clear", "user:prd.head"),
    ("prd.head", "prefs.set", "user:prd.head"),
    ("prd.head", "token.create", None),
    ("prd.head", "token.revoke", None),
    ("prd.head", "password.set", "user:prd.head"),
    ("admin", "outbox.redrive", "deliveries:dead"),
    ("admin", "outbox.discard", "deliveries:999"),
]


def test_every_configuration_change_is_recorded_once_with_who_and_what(
    demo_app: App, tmp_path: Path
) -> None:
    before = audit.verify(demo_app, who(demo_app, "auditor")).audit_entries
    secret = make_every_change(demo_app, tmp_path)
    found = audit.entries(demo_app, who(demo_app, "auditor"), limit=1000)
    new = list(reversed([e for e in found if e.seq > before]))
    got = [(e.actor, e.action, e.target if "token" not in e.action else None) for e in new]
    assert got == EXPECTED
    assert all(e.at == demo_app.now() for e in new)
    by_action = {e.action: e for e in new}
    assert by_action["org.import"].address == "10.1.1.1"
    assert by_action["process.publish"].detail["version"] == 2
    assert by_action["channel.add"].detail["settings"] == ["secret", "url"]
    assert by_action["access.grant"].detail == {"permission": "view", "roles": ["head"]}
    assert by_action["token.create"].detail["scopes"] == ["read"]
    everything = json.dumps([e.detail for e in found], ensure_ascii=False, default=str)
    for never in (SECRET, PASSWORD, secret, auth.digest(secret)):
        assert never not in everything
    assert audit.verify(demo_app, who(demo_app, "auditor")).intact


def test_a_refused_change_leaves_only_its_refusal(demo_app: App) -> None:
    """The change's transaction rolls back with anything it wrote; the refusal is written
    after, in its own."""
    staff = who(demo_app, "prd.staff")
    with pytest.raises(ForbiddenError), audit.denials_recorded(demo_app, staff):
        calendar.set_hours(demo_app, staff, "08:00-12:00")
    last = audit.entries(demo_app, who(demo_app, "auditor"), limit=1)[0]
    assert (last.actor, last.action, last.target) == ("prd.staff", "access.denied", "system")
    assert last.detail == {"permission": "administer", "code": "access.denied"}


def test_sign_ins_are_recorded_with_where_they_came_from(demo_app: App) -> None:
    auth.sign_in(demo_app, "prd.head", "demo", "192.0.2.1")
    with pytest.raises(UnauthenticatedError):
        auth.sign_in(demo_app, "prd.head", "wrong", "192.0.2.9")
    last = audit.entries(demo_app, who(demo_app, "auditor"), limit=2)
    assert [(e.actor, e.action, e.address) for e in reversed(last)] == [
        ("prd.head", "sign_in", "192.0.2.1"),
        ("prd.head", "sign_in.failed", "192.0.2.9"),
    ]


def test_the_worker_disabling_a_gone_webhook_is_recorded(demo_app: App) -> None:
    """A 410 from a receiver disables its endpoint: a change of configuration by the system."""
    admin = who(demo_app, "admin")
    hook = {"url": "https://h.example/", "secret": SECRET}
    notify_admin.add_channel(demo_app, admin, "hook", "webhook", hook)
    found = notify_admin.channels(demo_app, admin)[0]
    claimed = Claimed(
        delivery_id=0,
        attempt=1,
        endpoint=Endpoint(found.id, "webhook", "hook", {}),
        message=Outgoing("m", "test", "s", "t", "", ""),
    )
    delivery.record(demo_app, claimed, SendResult("gone", "410"), demo_app.now())
    last = audit.entries(demo_app, admin, limit=1)[0]
    assert (last.actor, last.action, last.target) == ("system", "channel.disable", "channel:hook")
