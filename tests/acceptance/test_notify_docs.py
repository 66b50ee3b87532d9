"""docs/notifications.md is true: its example session runs as written, its webhook
verification snippet verifies what the webhook channel sends, and its numbers and names are
the code's (see the page's "How this page is tested")."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from doc_session import Step, blocks, check, files, squeeze, steps

from oaflow.bootstrap import build_app
from oaflow.config import Settings
from oaflow.domain.clock import FixedClock
from oaflow.domain.labels import MESSAGE_EVENTS
from oaflow.domain.security import SYSTEM
from oaflow.notify import links, sandbox, templates
from oaflow.notify.channels import webhook
from oaflow.notify.channels.base import Endpoint, Outgoing
from oaflow.notify.channels.registry import KNOWN_SETTINGS
from oaflow.present.json_view import jsonable
from oaflow.services import action_links, authz, catalog, delivery, messages, notify_admin

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"
TEXT = DOC.read_text(encoding="utf-8")
PAGE = "docs/notifications.md"


def argv(step: Step) -> list[str]:
    return shlex.split(step.command)[1:]


def option_values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == option]


# -- the example session ---------------------------------------------------------------------
def test_the_doc_shows_every_channel_kind_and_the_commands_it_explains() -> None:
    session = steps(TEXT, PAGE)
    commands = [s.command for s in session]
    assert commands[0] == "oaflow --now 2024-03-01T09:00 init --demo"
    added = [argv(s) for s in session if argv(s)[:3] == ["notify", "channel", "add"]]
    kinds = {option_values(a, "--kind")[0] for a in added}
    assert kinds == {"email", "dingtalk", "feishu", "wecom", "webhook"}
    for args in added:  # nothing the examples configure may point outside this machine
        for setting in option_values(args, "--set"):
            name, _, value = setting.partition("=")
            if name == "url":
                assert value.startswith(("http://127.0.0.1:", "https://127.0.0.1:")), setting
            if name == "host":
                assert value == "127.0.0.1", setting
    assert any(  # a department's DingTalk group robot with its signing secret
        option_values(a, "--kind") == ["dingtalk"]
        and option_values(a, "--department")
        and any(s.startswith("secret=SEC") for s in option_values(a, "--set"))
        for a in added
    )
    starts = {tuple(argv(s)[:3]) for s in session}
    for wanted in (
        ("notify", "channel", "list"),
        ("notify", "channel", "set"),
        ("notify", "template", "show"),
        ("notify", "template", "preview"),
        ("notify", "template", "set"),
        ("notify", "template", "list"),
        ("outbox", "list"),
        ("outbox", "retry", "--all"),
    ):
        assert any(s[: len(wanted)] == wanted for s in starts), wanted
    assert any(argv(s)[:2] == ["notify", "prefs"] for s in session)
    assert any(argv(s)[:2] == ["link", "use"] for s in session)
    assert not any("worker" in argv(s) for s in session), "the doc test must not send"
    body_files = [
        option_values(argv(s), "--body-file")[0] for s in session if "--body-file" in argv(s)
    ]
    assert body_files and set(body_files) <= set(files(TEXT)), body_files
    assert all(s.expected for s in session), "every step shows its output"
    assert any(s.exit_code == 1 for s in session), "the session shows refusals"


def secrets_given(session: list[Step]) -> set[str]:
    """What the session's channels were given that `channel list` must not show: secrets,
    passwords and the keys in robot urls (the query, or what follows ``/hook/``)."""
    found: set[str] = set()
    for step in session:
        args = argv(step)
        if args[:2] != ["notify", "channel"] or args[2] not in ("add", "set") or step.exit_code:
            continue  # a refused channel keeps nothing
        for setting in option_values(args, "--set"):
            name, _, value = setting.partition("=")
            if name in ("secret", "password"):
                found.add(value)
            elif name == "url" and ("?" in value or "/hook/" in value):
                found.add(re.split(r"\?|/hook/", value, maxsplit=1)[1])
    return found


def test_the_example_session_runs_as_written(
    tmp_path: Path, oaflow_run: Callable[..., Any]
) -> None:
    for name, content in files(TEXT).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    session = steps(TEXT, PAGE)
    secrets = secrets_given(session)
    assert len(secrets) >= 6, secrets  # a password, three robot keys, three secrets
    for step in session:
        result = oaflow_run(argv(step), tmp_path, expect=None, columns=100)
        check(step, result, PAGE)
        if argv(step)[:3] == ["notify", "channel", "list"]:
            shown = [s for s in secrets if s in result.out + result.err]
            assert not shown, f"{PAGE}:{step.line}: $ {step.command}\nunmasked: {shown}"
    assert_routed_as_the_doc_says(tmp_path / "oaflow.db")


def assert_routed_as_the_doc_says(db: Path) -> None:
    """The page says where the complaint's first message goes once the worker routes it;
    route it (routing sends nothing) and look."""
    app = build_app(
        Settings(), FixedClock(datetime(2024, 3, 1, 1, 5, tzinfo=UTC)), f"sqlite:///{db}"
    )
    try:
        assert delivery.route_pending(app, app.now()) == 1
        routed = {(d["endpoint"], d["login"]) for d in delivery.deliveries(app)}
    finally:
        app.db.dispose()
    assert routed == {("mail", "csd.head"), ("csd-dingtalk", None), ("audit-hook", None)}
    assert "becomes three deliveries: an e-mail to 马丽娟 (`csd.head`)" in squeeze(TEXT)
    assert_definition_change_as_the_doc_says(db)


def assert_definition_change_as_the_doc_says(db: Path) -> None:
    """A new version of the complaint process: its message has the id the page shows, names
    the process and reaches the people it involves and the administrators by e-mail only (no
    department robot, and audit-hook does not take it)."""
    source = Path(catalog.__file__).parent.parent / "processes" / "customer-complaint.yaml"
    app = build_app(
        Settings(), FixedClock(datetime(2024, 3, 1, 1, 10, tzinfo=UTC)), f"sqlite:///{db}"
    )
    try:
        admin = authz.principal(app, "admin")
        catalog.publish(app, admin, source.read_text(encoding="utf-8"), source.name)
        sent = jsonable(messages.outbox(app, SYSTEM), "zh", app.calendar.tz)
        (message,) = [m for m in sent if m["event"] == "definition_changed"]
        assert delivery.route_pending(app, app.now()) == 1
        routed = {
            (d["endpoint"], d["login"])
            for d in delivery.deliveries(app)
            if d["message_id"] == message["message_id"]
        }
    finally:
        app.db.dispose()
    assert message["message_id"] == "definition/customer-complaint/v2"
    assert message["message_id"].isascii()
    assert message["data"]["process_zh"] == "客户投诉"
    assert f"e.g. `{message['message_id']}`" in TEXT
    # the change notice (VER-2): the departments the process involves and the administrators
    assert {("mail", "admin"), ("mail", "csd.head")} <= routed, routed
    assert all(endpoint == "mail" and login for endpoint, login in routed), routed


# -- the webhook verification snippet ----------------------------------------------------------
def snippet() -> Callable[..., bool]:
    """``verify_oaflow_webhook`` from the page's Python block."""
    (code,) = [
        "\n".join(b.lines)
        for b in blocks(TEXT)
        if b.info == "python" and "def verify_oaflow_webhook" in "\n".join(b.lines)
    ]
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    verify: Callable[..., bool] = namespace["verify_oaflow_webhook"]
    return verify


def sent_request(secret: str, now: datetime) -> httpx.Request:
    """The request the webhook channel makes for a message with Chinese text."""
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    message = Outgoing(
        message_id="TS202403001/3/task_assigned",
        event="task_assigned",
        subject="【待处理】投诉受理确认 · TS202403001",
        text="各位同事，您好：\n\n您有一项新的待办需要处理。",
        html="",
        link="http://127.0.0.1:8000/tasks/1",
        data={"business_key": "TS202403001", "task_id": 1},
    )
    settings = {"url": "http://127.0.0.1:9100/x", "secret": secret}
    endpoint = Endpoint(1, "webhook", "audit-hook", settings)
    with httpx.Client(transport=httpx.MockTransport(receiver)) as http:
        result = webhook.WebhookChannel(http).send(endpoint, message, now)
    assert result.outcome == "sent", result
    (request,) = seen
    return request


def test_the_snippet_verifies_what_the_webhook_channel_sends() -> None:
    verify = snippet()
    secret, now = "whsec_8KqZ2mP4", datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
    request = sent_request(secret, now)
    message_id = request.headers["X-OAFlow-Message-Id"]
    timestamp = request.headers["X-OAFlow-Timestamp"]
    signature = request.headers["X-OAFlow-Signature"]
    body, at = request.content, now.timestamp() + 10
    assert signature == webhook.sign_webhook(secret, message_id, timestamp, body)
    assert verify(secret, message_id, timestamp, signature, body, now=at)
    assert verify(secret, message_id, timestamp, signature, body) is False  # now: too old
    assert not verify("another secret", message_id, timestamp, signature, body, now=at)
    assert not verify(secret, message_id, timestamp, signature, body + b" ", now=at)
    assert not verify(secret, "TS202403001/4/task_assigned", timestamp, signature, body, now=at)
    assert not verify(secret, message_id, timestamp, "", body, now=at)
    assert not verify(secret, message_id, timestamp, signature, body, now=at + 301)
    fresh = str(int(datetime.now(UTC).timestamp()))
    signed = webhook.sign_webhook(secret, message_id, fresh, body)
    assert verify(secret, message_id, fresh, signed, body)  # on the real clock
    assert webhook.verify_webhook_signature(secret, message_id, fresh, body, signed)


# -- the numbers and names -----------------------------------------------------------------------
def table_rows(first_cell: str) -> dict[str, list[str]]:
    """Rows of the page's tables whose first cell is a backquoted name, by that name."""
    rows: dict[str, list[str]] = {}
    for line in TEXT.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and re.fullmatch(first_cell, cells[0]):
            rows.setdefault(cells[0].strip("`"), cells)
    return rows


def test_the_events_recipients_table_matches_the_code() -> None:
    personal = [f"`{e}`" for e in notify_admin.PERSONAL_EVENTS]
    named = f"{', '.join(personal[:-1])} and {personal[-1]}"
    assert f"every message except the personal ones — {named}" in squeeze(TEXT)
    assert set(notify_admin.COMPANY_EVENTS) | set(notify_admin.PERSONAL_EVENTS) == set(
        templates.EVENTS
    )
    rows = table_rows(r"`[a-z_]+`")
    for event in templates.EVENTS:
        assert event in rows, f"no row for {event}"
        cells = rows[event]
        assert cells[1] == MESSAGE_EVENTS[event].zh, cells
        group = "yes" if event in notify_admin.GROUP_EVENTS else "no"
        assert cells[-1] == group, cells


def test_the_channel_table_matches_the_code() -> None:
    rows = table_rows(r"`[a-z]+`")
    for kind, settings in KNOWN_SETTINGS.items():
        cells = rows[kind]
        assert [f"`{s}`" for s in settings] == re.findall(r"`[a-z_]+`", cells[2]), cells
        per_minute = notify_admin.DEFAULT_PER_MINUTE.get(kind, 0)
        assert cells[-1] == (f"{per_minute}" if per_minute else "0 (no limit)"), cells
    wanted = ", ".join(
        f"{name} {notify_admin.DEFAULT_PER_MINUTE[kind]}"
        for name, kind in (("WeCom", "wecom"), ("DingTalk", "dingtalk"), ("Feishu", "feishu"))
    )
    assert wanted in squeeze(TEXT)


def test_the_variables_and_sandbox_limits_are_the_code_s() -> None:
    section = TEXT.split("### Variables", 1)[1].split("### The sandbox", 1)[0]
    names = {m for m in re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE)}
    assert names == set(templates.VARIABLES)
    section_text = squeeze(TEXT.split("### The sandbox", 1)[1].split("### Changing", 1)[0])
    assert ", ".join(f"`{f}`" for f in sorted(sandbox.ENV.filters)) in section_text
    for number, what in (
        (sandbox.INT_BITS_LIMIT, "bits"),
        (sandbox.VALUE_LIMIT, "items"),
        (templates.SOURCE_LIMIT, "characters"),
        (templates.SUBJECT_LIMIT, "characters"),
        (templates.BODY_LIMIT, "characters"),
    ):
        assert f"{number} {what}" in section_text, (number, what)
    assert f"nested {sandbox.MAX_LOOP_DEPTH} deep" in section_text


def test_the_delivery_numbers_are_the_code_s() -> None:
    text = squeeze(TEXT.replace("**", ""))
    policy = delivery.DEFAULT_POLICY
    assert f"after {policy.first_delay.seconds} s, doubling" in text
    assert f"up to at most {policy.longest_delay.seconds // 3600} h" in text
    assert f"±{round(policy.jitter * 100)} %" in text
    assert f"A delivery has {policy.attempts} attempts" in text
    assert f"after the {policy.attempts}th failure it is dead" in text
    assert f"a lease of {policy.lease.seconds // 60} minutes" in text
    waits = [policy.delay(n, lambda: 0.5) for n in range(1, policy.attempts)]  # no jitter
    shown = [
        f"{w.seconds} s"
        if w.seconds < 60
        else f"{w.seconds // 60} min"
        if w.seconds < 3600
        else f"{w.seconds // 3600} h"
        for w in waits
    ]
    assert all(w.seconds % 60 == 0 or w.seconds < 60 for w in waits), waits
    assert f"{', '.join(shown[:-1])} and {shown[-1]} apart" in text, shown
    total = sum(waits, timedelta()).total_seconds() / 60
    assert f"{total:g} minutes from the first to the last" in text
    assert f"away for about {round(total / 60)} hours" in text
    assert f"for {action_links.LINK_LIFETIME.days * 24} hours" in text
    assert f"more than {links.MAX_FUTURE_SKEW.seconds // 60} minutes in the future" in text
    assert f"the timeout is {webhook.DEFAULT_TIMEOUT:g} seconds" in text
    assert f"`{Settings.model_fields['base_url'].default}`" in text
    personal = ",".join(notify_admin.DEFAULT_PREFERENCES["channels"])
    assert f"`--channels {personal}` | `{personal}`" in text
    for header in ("X-OAFlow-Message-Id", "X-OAFlow-Timestamp", "X-OAFlow-Signature"):
        assert f"`{header}`" in text
