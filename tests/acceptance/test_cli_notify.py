"""Notifications through the real `oaflow` command (NTF-1..5, SPEC §18).

A real SMTP server (aiosmtpd) and a local HTTP server on 127.0.0.1 play the mail server, a
DingTalk group robot and webhook receivers. They check signatures with the platforms'
documented algorithms, written out here independently of the product code.

The complaints start on the real clock (no ``--now``), as `oaflow worker` runs on it: the
only message due is then the triage's 新待办 (its reminders and warnings lie hours ahead),
so each channel gets exactly one message. Retry back-off is real time too (30 s at first):
the tests never wait for it; they look at the delivery records after one worker run.
"""

from __future__ import annotations

import base64
import dataclasses
import email
import email.policy
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from served import free_port

pytestmark = pytest.mark.acceptance

Cli = Any  # the `cli` fixture (tests/acceptance/conftest.py): `oaflow` on a demo database
FORM = {
    "title": "物流延迟投诉",
    "customer": "华南某门店",
    "complaint_type": "logistics",
    "description": "到货延迟五天",
}
DING_SECRET = "SECa1b2c3d4e5f6"
HOOK_SECRET = "whsec_acceptance_0123"
HEAD_MAIL = "csd.head@demo.oaflow.local"
TRIAGE = "投诉受理确认"
WORKER = ("worker", "--exit-when-idle", "--poll", "0.05")
ACTION_LINK = re.compile(r"https?://[^\s<>\"]+/a/[\w.-]+")


# --- the mail server ----------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        """(envelope recipients, parsed message) of each message received."""
        found = []
        for envelope in self.envelopes:
            raw = envelope.original_content or envelope.content
            assert isinstance(raw, bytes)
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            found.append((list(envelope.rcpt_tos), parsed))
        return found


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


# --- the robot and webhook receivers ------------------------------------------------------


def dingtalk_signature_ok(query: dict[str, list[str]], secret: str) -> bool:
    """sign = urlquote(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))."""
    timestamp, sign = query["timestamp"][0], query["sign"][0]  # parse_qs has unquoted it
    mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return hmac.compare_digest(base64.b64encode(mac.digest()).decode(), sign)


def webhook_signature_ok(headers: dict[str, str], raw: bytes, secret: str) -> bool:
    """X-OAFlow-Signature = "sha256=" + hex HMAC-SHA256(secret, f"{id}.{timestamp}." + body)."""
    signed = f"{headers['x-oaflow-message-id']}.{headers['x-oaflow-timestamp']}.".encode() + raw
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("x-oaflow-signature", ""))


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    signature_ok: bool

    @property
    def body(self) -> Any:
        return json.loads(self.raw)


class Receivers:
    """What the HTTP server saw. Paths: /robot/send (DingTalk, signed), /hook (a signed
    webhook, 204); /status/NNN (a webhook receiver that always answers NNN)."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def handle(self, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, bytes]:
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        ok = True
        if parts.path == "/robot/send":
            ok = dingtalk_signature_ok(query, DING_SECRET)
            answer = {"errcode": 0, "errmsg": "ok"} if ok else {"errcode": 310000}
            status, body = 200, json.dumps(answer).encode()
        elif parts.path == "/hook":
            ok = webhook_signature_ok(headers, raw, HOOK_SECRET)
            status, body = (204, b"") if ok else (401, b"bad signature")
        elif parts.path.startswith("/status/"):
            status, body = int(parts.path.rsplit("/", 1)[1]), b"not today"
        else:
            status, body = 404, b""
        with self.lock:
            self.seen.append(Seen(parts.path, query, headers, raw, ok))
        return status, body

    def at(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]


class Handler(BaseHTTPRequestHandler):
    server: ReceiverServer

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, body = self.server.receivers.handle(self.path, headers, raw)
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.receivers = Receivers()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def http_server() -> Iterator[ReceiverServer]:
    httpd = ReceiverServer()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


# --- helpers ------------------------------------------------------------------------------


def on_real_clock(cli: Cli) -> Cli:
    """The same database without --now: the worker refuses simulated time, and action
    links are issued on the real clock."""
    return dataclasses.replace(cli, now=None)


def start_complaint(cli: Cli) -> str:
    """Start a complaint as csd.staff; its business key. The triage goes to csd.head."""
    data = json.dumps(FORM, ensure_ascii=False)
    key = cli("start", "customer-complaint", "--as", "csd.staff", "--data", data).out.strip()
    assert re.fullmatch(r"TS\d{9}", key), key
    return str(key)


def add_email(cli: Cli, port: int) -> None:
    cli(
        "notify",
        "channel",
        "add",
        "company-mail",
        "--kind",
        "email",
        "--set",
        "host=127.0.0.1",
        "--set",
        f"port={port}",
        "--set",
        "tls=none",
        "--set",
        "sender=oa@demo.oaflow.local",
        "--as",
        "admin",
    )


def add_webhook(cli: Cli, name: str, url: str, secret: str = HOOK_SECRET) -> None:
    cli(
        "notify",
        "channel",
        "add",
        name,
        "--kind",
        "webhook",
        "--set",
        f"url={url}",
        "--set",
        f"secret={secret}",
        "--as",
        "admin",
    )


def deliveries(cli: Cli) -> list[dict[str, Any]]:
    rows = cli.json("outbox", "list", "--deliveries", "--as", "auditor")
    assert isinstance(rows, list), rows
    return rows


def by_endpoint(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {r["endpoint"]: r for r in rows}
    assert len(found) == len(rows), rows  # one delivery per endpoint
    return found


# --- 1 and 4: everything delivered, and the action link in the mail -----------------------


@dataclass
class Delivered:
    cli: Cli
    key: str
    mails: list[tuple[list[str], EmailMessage]]
    robot: list[Seen]
    hooks: list[Seen]
    worker_out: str


@pytest.fixture(scope="module")
def delivered(fresh_cli: Any) -> Iterator[Delivered]:
    """E-mail, csd's DingTalk robot and a webhook configured; a complaint started; one
    worker run."""
    cli = on_real_clock(fresh_cli())
    with smtp_server() as (mailbox, port), http_server() as httpd:
        add_email(cli, port)
        cli(
            "notify",
            "channel",
            "add",
            "csd-dingtalk",
            "--kind",
            "dingtalk",
            "--department",
            "csd",
            "--set",
            f"url={httpd.base}/robot/send?access_token=t",
            "--set",
            f"secret={DING_SECRET}",
            "--as",
            "admin",
        )
        add_webhook(cli, "erp-hook", f"{httpd.base}/hook")
        key = start_complaint(cli)
        worker = cli(*WORKER)
        received = httpd.receivers
        yield Delivered(
            cli,
            key,
            mailbox.messages(),
            received.at("/robot/send"),
            received.at("/hook"),
            worker.out,
        )


def test_the_worker_delivers_mail_robot_and_webhook(delivered: Delivered) -> None:
    key = delivered.key
    assert "已投递 3" in delivered.worker_out, delivered.worker_out

    # the mail: to 马丽娟, Chinese subject and both parts intact
    assert len(delivered.mails) == 1, delivered.mails
    rcpt, mail = delivered.mails[0]
    assert rcpt == [HEAD_MAIL]
    assert mail["To"].addresses[0].addr_spec == HEAD_MAIL
    assert mail["To"].addresses[0].display_name == "马丽娟"
    assert mail["From"].addresses[0].addr_spec == "oa@demo.oaflow.local"
    subject = str(mail["Subject"])
    assert TRIAGE in subject and key in subject, subject
    message_id = f"{key}/3/task_assigned"
    assert mail["X-OAFlow-Message-Id"] == message_id
    assert mail.get_content_type() == "multipart/alternative"
    text_part, html_part = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text_part is not None and html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    for part in (text, html):
        assert "马丽娟" in part and key in part and FORM["title"] in part, part
    assert ACTION_LINK.search(text), text  # she may act on it: a signed action link

    # the DingTalk robot: one signed markdown message, without a personal action link
    assert len(delivered.robot) == 1, delivered.robot
    robot = delivered.robot[0]
    assert robot.signature_ok, robot
    assert robot.query["access_token"] == ["t"]
    assert robot.body["msgtype"] == "markdown"
    markdown = robot.body["markdown"]
    assert TRIAGE in markdown["title"] and key in markdown["title"], markdown
    assert key in markdown["text"] and "/a/" not in markdown["text"], markdown

    # the webhook: signed JSON, its id the outbox message's id
    assert len(delivered.hooks) == 1, delivered.hooks
    hook = delivered.hooks[0]
    assert hook.signature_ok, hook
    assert hook.headers["x-oaflow-message-id"] == message_id
    assert hook.headers["content-type"].startswith("application/json")
    assert hook.body["id"] == message_id and hook.body["event"] == "task_assigned"
    assert hook.body["data"]["business_key"] == key
    assert TRIAGE in hook.body["subject"] and "/a/" not in hook.body["link"], hook.body

    rows = deliveries(delivered.cli)
    assert {r["message_id"] for r in rows} == {message_id}
    assert {(r["endpoint"], r["kind"], r["status"], r["attempts"]) for r in rows} == {
        ("company-mail", "email", "sent", 1),
        ("csd-dingtalk", "dingtalk", "sent", 1),
        ("erp-hook", "webhook", "sent", 1),
    }
    mail_row = by_endpoint(rows)["company-mail"]
    assert (mail_row["recipient"], mail_row["recipient_name"], mail_row["address"]) == (
        "csd.head",
        "马丽娟",
        HEAD_MAIL,
    )
    assert all(r["sent_at"] and not r["last_error"] for r in rows), rows


def test_the_action_link_in_the_mail_approves_the_triage_once(delivered: Delivered) -> None:
    cli, key = delivered.cli, delivered.key
    _, mail = delivered.mails[0]
    text_part = mail.get_body(("plain",))
    assert text_part is not None
    found = ACTION_LINK.search(text_part.get_content())
    assert found, text_part.get_content()
    link = found.group(0)

    used = cli("link", "use", link).json()
    assert used["action"] == "approve" and used["login"] == "csd.head", used
    assert [t for t in cli.tasks("csd.head") if t["node_id"] == "triage"] == []
    timeline = cli.json("instance", "show", key, "--as", "csd.staff")["timeline"]
    approved = [e for e in timeline if e["kind"] == "task_approved"]
    assert len(approved) == 1 and approved[0]["actor"] == "csd.head", timeline
    assert cli.task_id("log.head", "handle")  # the complaint moved on

    again = cli("link", "use", link, expect=1)
    assert "此链接已用过" in again.err, str(again)


# --- 2: failures, dead letters, the administrator's re-drive and discard -------------------


def test_failed_deliveries_wait_die_and_are_managed_by_administrators(cli: Cli) -> None:
    cli = on_real_clock(cli)
    with http_server() as httpd:
        add_webhook(cli, "flaky-hook", f"{httpd.base}/status/500")
        add_webhook(cli, "gone-hook", f"{httpd.base}/status/410")
        start_complaint(cli)
        cli(*WORKER)  # returns at once: the retry of the 500 is 30 s or so away
        rows = by_endpoint(deliveries(cli))
        flaky, gone = rows["flaky-hook"], rows["gone-hook"]
        assert (flaky["status"], flaky["attempts"]) == ("pending", 1), flaky
        assert "500" in flaky["last_error"] and flaky["sent_at"] is None, flaky
        assert (gone["status"], gone["attempts"]) == ("dead", 1), gone
        assert "410" in gone["last_error"], gone
        channels = {c["name"]: c for c in cli.json("notify", "channel", "list", "--as", "admin")}
        assert channels["flaky-hook"]["enabled"] is True
        assert channels["gone-hook"]["enabled"] is False, channels
        assert "410" in channels["gone-hook"]["disabled_reason"], channels
        dead = cli.json("outbox", "list", "--dead", "--as", "admin")
        assert [r["id"] for r in dead] == [gone["id"]]

        before = cli.dump()
        refused = [
            (("discard", str(flaky["id"]), "--as", "csd.head"), "csd.head 没有管理权限"),
            (("retry", str(gone["id"]), "--as", "csd.head"), "csd.head 没有管理权限"),
            (("list", "--dead", "--as", "csd.head"), "csd.head 没有审计权限"),
            (("retry", "--as", "admin"), "未指定投递记录"),
        ]
        for args, text in refused:
            result = cli("outbox", *args, expect=1)
            assert text in result.err, str(result)
        assert cli.dump() == before

        assert "已放弃 1 条" in cli("outbox", "discard", str(flaky["id"]), "--as", "admin").out
        assert "已重新排队 1 条" in cli("outbox", "retry", str(gone["id"]), "--as", "admin").out
        cli(*WORKER)
        rows = by_endpoint(deliveries(cli))
        assert (rows["flaky-hook"]["status"], rows["flaky-hook"]["attempts"]) == ("discarded", 1)
        gone = rows["gone-hook"]  # re-driven, but its channel is disabled: dead at once
        assert gone["status"] == "dead" and "disabled" in gone["last_error"], gone
        # one request each: the discarded one was not sent again, the disabled one not at all
        assert sorted(s.path for s in httpd.receivers.seen) == ["/status/410", "/status/500"]


def test_retry_all_leaves_discarded_deliveries_alone(cli: Cli) -> None:
    cli = on_real_clock(cli)
    with http_server() as httpd:
        add_webhook(cli, "flaky-hook", f"{httpd.base}/status/500")
        start_complaint(cli)
        cli(*WORKER)
        (flaky,) = deliveries(cli)
        cli("outbox", "discard", str(flaky["id"]), "--as", "admin")
        result = cli("outbox", "retry", "--all", "--as", "admin")
        assert "已重新排队 0 条" in result.out, str(result)
        (flaky,) = deliveries(cli)
        assert flaky["status"] == "discarded", flaky


# --- 3: bad input changes nothing; preferences are obeyed --------------------------------


def test_bad_channels_and_templates_are_refused_and_change_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    before = cli.dump()
    hook = ("--set", "url=http://127.0.0.1:9/hook")
    refused = [
        (("x", "--kind", "webhook", "--set", "url=ftp://x", "--as", "admin"), "ftp://x"),
        (("x", "--kind", "pigeon", *hook, "--as", "admin"), "pigeon"),
        (("x", "--kind", "webhook", *hook, "--as", "csd.head"), "csd.head 没有管理权限"),
    ]
    for args, text in refused:
        result = cli("notify", "channel", "add", *args, expect=1)
        assert text in result.err, str(result)
    body = tmp_path / "body.txt"
    body.write_text("{{ recipient }}，您好：{{ secret_code }}\n{{ link }}\n", encoding="utf-8")
    result = cli(
        "notify",
        "template",
        "set",
        "task_assigned",
        "--as",
        "admin",
        "--subject",
        "【待处理】{{ task }}",
        "--body-file",
        str(body),
        expect=1,
    )
    assert "secret_code" in result.err, str(result)
    assert cli.dump() == before

    preview = cli("notify", "template", "preview", "task_assigned", "--as", "auditor").out
    assert "待处理" in preview and "投诉受理" in preview, preview  # the sample task


def test_a_numeric_secret_is_text(cli: Cli) -> None:
    cli(
        "notify",
        "channel",
        "add",
        "erp-hook",
        "--kind",
        "webhook",
        "--set",
        "url=http://127.0.0.1:9/hook",
        "--set",
        "secret=20240301",
        "--as",
        "admin",
    )
    (hook,) = cli.json("notify", "channel", "list", "--as", "auditor")
    assert hook["settings"]["secret"] == "******"  # kept, as text, and never shown


def test_a_person_who_wants_no_mail_gets_none(cli: Cli) -> None:
    cli = on_real_clock(cli)
    with smtp_server() as (mailbox, port), http_server() as httpd:
        add_email(cli, port)
        add_webhook(cli, "erp-hook", f"{httpd.base}/hook")
        before = cli.dump()  # only administrators change someone else's preferences
        refused = cli(
            "notify", "prefs", "csd.head", "--channels", "inapp", "--as", "csd.staff", expect=1
        )
        assert "csd.staff 没有管理权限" in refused.err
        assert cli.dump() == before
        prefs = cli.json("notify", "prefs", "--channels", "inapp", "--as", "csd.head")
        assert prefs["channels"] == ["inapp"], prefs
        start_complaint(cli)
        cli(*WORKER)
        assert mailbox.envelopes == []
        assert len(httpd.receivers.at("/hook")) == 1  # the message was routed all the same
        rows = deliveries(cli)
        assert [(r["endpoint"], r["status"]) for r in rows] == [("erp-hook", "sent")], rows
