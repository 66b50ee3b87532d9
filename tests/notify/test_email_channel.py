"""EmailChannel against a real SMTP server (aiosmtpd on 127.0.0.1).

STARTTLS asked of a server that does not offer it is a *failure*, not a retry: it is a
configuration problem that waiting will not fix, and the channel never falls back to sending
the message (and the password) in clear text.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from oaflow.notify.channels.base import Endpoint, Outgoing
from oaflow.notify.channels.email import EmailChannel, message_id_header
from served import free_port

NOW = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
SUBJECT = "【待处理】客户投诉 CS20240301 请确认"
TEXT = "张伟您好：\n客户投诉 CS20240301 等待您确认。\n"
HTML = "<p>张伟您好：</p><p>客户投诉 <b>CS20240301</b> 等待您确认。</p>"
LINK = "https://oa.example.com/tasks/42"


class Mailbox:
    """An aiosmtpd handler that keeps what it receives, or refuses recipients."""

    def __init__(self, rcpt_reply: str = "") -> None:
        self.rcpt_reply = rcpt_reply
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def received(self) -> EmailMessage:
        assert len(self.envelopes) == 1
        raw = self.envelopes[0].original_content or self.envelopes[0].content
        assert isinstance(raw, bytes)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def unix_lines(text: str) -> str:
    """Parts arrive with the CRLF line ends of SMTP."""
    return text.replace("\r\n", "\n")


@contextmanager
def run_server(handler: Mailbox, **kwargs: Any) -> Iterator[Controller]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def server(mailbox: Mailbox) -> Iterator[Controller]:
    with run_server(mailbox) as controller:
        yield controller


def endpoint(port: int, **settings: Any) -> Endpoint:
    base = {
        "host": "127.0.0.1",
        "port": port,
        "tls": "none",
        "sender": "oa@example.com",
        "sender_name": "流程中心",
        "timeout": 5,
    }
    return Endpoint(id=1, kind="email", name="公司邮箱", settings=base | settings)


def outgoing(**changes: Any) -> Outgoing:
    values: dict[str, Any] = {
        "message_id": "msg:2024/03/01#7",
        "event": "task.assigned",
        "subject": SUBJECT,
        "text": TEXT,
        "html": HTML,
        "address": "zhang.wei@example.com",
        "address_name": "张伟",
        "link": LINK,
    }
    return Outgoing(**(values | changes))


def test_a_chinese_message_arrives_intact(server: Controller, mailbox: Mailbox) -> None:
    result = EmailChannel().send(endpoint(server.port), outgoing(), NOW)

    assert result.outcome == "sent", result.detail
    envelope = mailbox.envelopes[0]
    assert envelope.mail_from == "oa@example.com"
    assert envelope.rcpt_tos == ["zhang.wei@example.com"]
    received = mailbox.received()
    assert received["Subject"] == SUBJECT
    assert received["From"].addresses[0].display_name == "流程中心"
    assert received["From"].addresses[0].addr_spec == "oa@example.com"
    assert received["To"].addresses[0].display_name == "张伟"
    assert received["To"].addresses[0].addr_spec == "zhang.wei@example.com"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",))
    html = received.get_body(("html",))
    assert text is not None and html is not None
    assert unix_lines(text.get_content()) == f"{TEXT}\n{LINK}\n"
    assert html.get_content().strip() == HTML
    assert received["X-OAFlow-Message-Id"] == "msg:2024/03/01#7"
    assert received["Message-ID"] == message_id_header("msg:2024/03/01#7")
    assert received["Date"].datetime == NOW


def test_headers_on_the_wire_are_ascii_and_rfc2047_encoded(
    server: Controller, mailbox: Mailbox
) -> None:
    EmailChannel().send(endpoint(server.port), outgoing(), NOW)

    raw = mailbox.envelopes[0].original_content
    assert isinstance(raw, bytes)
    head = raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # no raw UTF-8 in the headers
    assert b"=?utf-8?" in head.lower()


def test_message_id_is_stable_valid_and_distinct() -> None:
    assert message_id_header("abc-123") == "<abc-123@oaflow>"
    assert message_id_header("a b") == message_id_header("a b")
    assert message_id_header("a b") != message_id_header("a_b")
    assert message_id_header("a b") != message_id_header("a-b")
    for raw in ("msg:2024/03/01#7", "投诉 42", "..", "<x>@y", ""):
        header = message_id_header(raw)
        inside = header[1 : -len("@oaflow>")]
        assert header.startswith("<") and header.endswith("@oaflow>")
        assert inside and inside.isascii() and " " not in inside
        assert not inside.startswith(".") and not inside.endswith(".") and ".." not in inside


@pytest.mark.parametrize("name", ['张伟, "质量部"', "李娜（财务）<经理>", "O'Brien 王"])
def test_display_names_with_specials_survive(
    server: Controller, mailbox: Mailbox, name: str
) -> None:
    result = EmailChannel().send(endpoint(server.port), outgoing(address_name=name), NOW)

    assert result.outcome == "sent", result.detail
    [to] = mailbox.received()["To"].addresses
    assert (to.display_name, to.addr_spec) == (name, "zhang.wei@example.com")


def test_text_only_message_when_there_is_no_html(server: Controller, mailbox: Mailbox) -> None:
    result = EmailChannel().send(endpoint(server.port), outgoing(html="", link=""), NOW)

    assert result.outcome == "sent"
    received = mailbox.received()
    assert received.get_content_type() == "text/plain"
    assert unix_lines(received.get_content()) == TEXT


def test_line_breaks_in_the_subject_cannot_inject_headers(
    server: Controller, mailbox: Mailbox
) -> None:
    subject = "请确认\r\nBcc: evil@example.com"
    result = EmailChannel().send(endpoint(server.port), outgoing(subject=subject), NOW)

    assert result.outcome == "sent"
    received = mailbox.received()
    assert received["Bcc"] is None
    assert received["Subject"] == "请确认 Bcc: evil@example.com"


def test_refused_recipient_is_a_failure() -> None:
    refusing = Mailbox(rcpt_reply="550 5.1.1 mailbox unavailable")
    with run_server(refusing) as controller:
        result = EmailChannel().send(endpoint(controller.port), outgoing(), NOW)

        assert result.outcome == "failed"
        assert "zhang.wei@example.com" in result.detail
        assert "550" in result.detail and "mailbox unavailable" in result.detail
        assert refusing.envelopes == []


def test_temporarily_refused_recipient_is_retried() -> None:
    greylisting = Mailbox(rcpt_reply="451 4.7.1 greylisted, try again later")
    with run_server(greylisting) as controller:
        result = EmailChannel().send(endpoint(controller.port), outgoing(), NOW)

        assert result.outcome == "retry"
        assert "451" in result.detail


def test_nothing_listening_is_retried() -> None:
    result = EmailChannel().send(endpoint(free_port()), outgoing(), NOW)

    assert result.outcome == "retry"
    assert "refused" in result.detail


def test_starttls_asked_of_a_server_without_it_fails(server: Controller, mailbox: Mailbox) -> None:
    result = EmailChannel().send(endpoint(server.port, tls="starttls"), outgoing(), NOW)

    assert result.outcome == "failed"
    assert "STARTTLS" in result.detail
    assert mailbox.envelopes == []


def test_ssl_against_a_plain_server_fails(server: Controller, mailbox: Mailbox) -> None:
    result = EmailChannel().send(endpoint(server.port, tls="ssl"), outgoing(), NOW)

    assert result.outcome == "failed"
    assert "TLS" in result.detail
    assert mailbox.envelopes == []


def check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"oa",
        b"s3cret",
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.mark.parametrize(("password", "outcome"), [("s3cret", "sent"), ("wrong", "failed")])
def test_login(password: str, outcome: str) -> None:
    mailbox = Mailbox()
    with run_server(mailbox, authenticator=check_login, auth_require_tls=False) as controller:
        settings = endpoint(controller.port, username="oa", password=password)
        result = EmailChannel().send(settings, outgoing(), NOW)

        assert result.outcome == outcome, result.detail
        assert len(mailbox.envelopes) == (1 if outcome == "sent" else 0)
        if outcome == "failed":
            assert "username / password" in result.detail and "535" in result.detail


def test_login_asked_of_a_server_without_auth_fails(server: Controller) -> None:
    settings = endpoint(server.port, username="oa", password="s3cret")
    result = EmailChannel().send(settings, outgoing(), NOW)

    assert result.outcome == "failed"


def test_missing_address_fails_without_connecting() -> None:
    result = EmailChannel().send(endpoint(free_port()), outgoing(address=" "), NOW)

    assert result.outcome == "failed"
    assert result.detail == "user has no e-mail address"


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"host": ""}, "no SMTP host"),
        ({"sender": ""}, "no sender"),
        ({"tls": "tls1.3"}, "tls must be one of"),
        ({"port": "smtp"}, "not a number"),
        ({"timeout": -1}, "timeout"),
    ],
)
def test_unusable_settings_fail(settings: dict[str, Any], words: str) -> None:
    unusable = Endpoint(1, "email", "公司邮箱", endpoint(free_port()).settings | settings)
    result = EmailChannel().send(unusable, outgoing(), NOW)

    assert result.outcome == "failed"
    assert words in result.detail


@pytest.mark.parametrize("address", ["zhang wei@", "@example.com", "a@b@c", "张伟@example.com"])
def test_unusable_recipient_address_fails(address: str) -> None:
    result = EmailChannel().send(endpoint(free_port()), outgoing(address=address), NOW)

    assert result.outcome == "failed"
    assert "not a usable e-mail address" in result.detail
