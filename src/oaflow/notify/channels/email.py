"""E-mail over SMTP with the standard library.

Settings: ``host``, ``port`` (default 25 / 587 / 465 for tls none / starttls / ssl), ``tls``
(``'none'`` | ``'starttls'`` | ``'ssl'``, default ``'starttls'``), ``username`` and
``password`` (optional; log in only when a username is set), ``sender``, ``sender_name``,
``timeout`` (seconds, default 10).

The message is ``multipart/alternative`` (text, then HTML when there is HTML), written with
``email.policy.SMTP`` so that Chinese subjects and display names are RFC 2047 encoded. It
carries ``Message-ID: <{sanitised message_id}@oaflow>`` (stable across retries) and
``X-OAFlow-Message-Id`` with the raw id.

Outcomes:

* sent — the server accepted the message for the recipient;
* retry — cannot connect (refused, unreachable, DNS), timed out, the server hung up, or any
  4xx (temporary) reply, e.g. 421, 450 / 451 (greylisting), 452, 454;
* failed — any 5xx reply (recipient or sender refused, authentication failed, message
  rejected), no e-mail address, incomplete settings, an address that cannot be written, a
  TLS handshake or certificate problem, and ``tls='starttls'`` against a server that does not
  offer STARTTLS: that is a configuration problem retrying cannot fix, and we never fall back to
  sending the message (and password) in clear text.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from typing import Any

from oaflow.notify.channels.base import Endpoint, Outgoing, SendResult

TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
DEFAULT_TLS = "starttls"
DEFAULT_TIMEOUT = 10.0
MESSAGE_ID_DOMAIN = "oaflow"

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")


class _SettingsError(ValueError):
    """The endpoint's settings cannot be used."""


# --- building the message -----------------------------------------------------------------


def one_line(value: str) -> str:
    """A header value on one line (line breaks would be header injection)."""
    return " ".join(value.split())


def message_id_header(message_id: str) -> str:
    """``<{id}@oaflow>``: the id when it is a valid dot-atom, else a cleaned id plus a short
    hash of the raw id so that different ids stay different."""
    cleaned = ".".join(part for part in _UNSAFE_ID.sub("-", message_id).split(".") if part)
    if cleaned != message_id or not cleaned:
        digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:16]
        cleaned = f"{cleaned}.{digest}" if cleaned else digest
    return f"<{cleaned}@{MESSAGE_ID_DOMAIN}>"


def make_address(name: str, addr_spec: str) -> Address:
    """An address with a display name; ValueError when the address is not usable."""
    try:
        return Address(display_name=one_line(name), addr_spec=addr_spec.strip())
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise _SettingsError(f"'{addr_spec}' is not a usable e-mail address ({exc})") from exc


def build_email(endpoint: Endpoint, message: Outgoing, now: datetime) -> EmailMessage:
    """The e-mail for ``message``; ``_SettingsError`` when an address is not usable."""
    settings = endpoint.settings
    email = EmailMessage(policy=SMTP_POLICY)
    email["Subject"] = one_line(message.subject)
    email["From"] = make_address(str(settings.get("sender_name") or ""), _sender(settings))
    email["To"] = make_address(message.address_name, message.address)
    email["Date"] = format_datetime(now if now.tzinfo else now.replace(tzinfo=UTC))
    email["Message-ID"] = message_id_header(message.message_id)
    email["X-OAFlow-Message-Id"] = one_line(message.message_id)
    email["X-OAFlow-Event"] = one_line(message.event)
    email.set_content(_text_with_link(message), subtype="plain", charset="utf-8")
    if message.html:
        email.add_alternative(message.html, subtype="html", charset="utf-8")
    return email


def _text_with_link(message: Outgoing) -> str:
    text = message.text
    if message.link and message.link not in text:
        text = f"{text.rstrip()}\n\n{message.link}\n"
    return text if text.endswith("\n") else text + "\n"


def _sender(settings: dict[str, Any]) -> str:
    sender = settings.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise _SettingsError("the e-mail endpoint has no sender address")
    return sender.strip()


# --- connection settings ------------------------------------------------------------------


def _connection(settings: dict[str, Any]) -> tuple[str, int, str, float]:
    """host, port, tls and timeout; ``_SettingsError`` when they cannot be used."""
    host = settings.get("host")
    if not isinstance(host, str) or not host.strip():
        raise _SettingsError("the e-mail endpoint has no SMTP host")
    tls = settings.get("tls") or DEFAULT_TLS
    if tls not in TLS_MODES:
        raise _SettingsError(f"tls must be one of {', '.join(TLS_MODES)}, not {tls!r}")
    port = settings.get("port") or DEFAULT_PORTS[tls]
    try:
        port = int(port)
    except (TypeError, ValueError) as exc:
        raise _SettingsError(f"the SMTP port {port!r} is not a number") from exc
    timeout = settings.get("timeout") or DEFAULT_TIMEOUT
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise _SettingsError(f"the timeout {timeout!r} is not a positive number of seconds")
    return host.strip(), port, str(tls), float(timeout)


# --- mapping errors -----------------------------------------------------------------------


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {one_line(said)}".strip()


def _by_code(code: int, detail: str) -> SendResult:
    """4xx (and no code at all) is temporary; everything else is permanent."""
    return SendResult("retry" if code < 0 or 400 <= code < 500 else "failed", detail)


def result_for_smtp_error(exc: Exception, timeout: float) -> SendResult:
    """The result for an exception raised while talking to the SMTP server."""
    match exc:
        case smtplib.SMTPRecipientsRefused():
            return _recipients_refused(exc)
        case smtplib.SMTPSenderRefused():
            return _by_code(
                exc.smtp_code,
                f"the server refused the sender {exc.sender}: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}",
            )
        case smtplib.SMTPAuthenticationError():
            return _by_code(
                exc.smtp_code,
                "the server refused the username / password: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}",
            )
        case smtplib.SMTPNotSupportedError():
            said = str(exc).rstrip(".")
            return SendResult("failed", f"{said}; check the tls and username settings")
        case smtplib.SMTPResponseException():
            return _by_code(
                exc.smtp_code, f"the server said {_reply(exc.smtp_code, exc.smtp_error)}"
            )
        case smtplib.SMTPServerDisconnected():
            return SendResult("retry", f"the server closed the connection: {exc}")
        case ssl.SSLCertVerificationError():
            return SendResult("failed", f"the server's TLS certificate is not trusted: {exc}")
        case ssl.SSLError():
            return SendResult("failed", f"TLS handshake failed ({exc}); check tls and port")
        case TimeoutError():
            return SendResult("retry", f"no answer from the SMTP server within {timeout:g} s")
        case ConnectionRefusedError():
            return SendResult("retry", f"the SMTP server refused the connection: {exc}")
        case OSError() | smtplib.SMTPException():
            return SendResult("retry", f"cannot talk to the SMTP server: {exc!r}")
    raise exc


def _recipients_refused(exc: smtplib.SMTPRecipientsRefused) -> SendResult:
    replies = [
        (code, f"{who}: {_reply(code, text)}") for who, (code, text) in exc.recipients.items()
    ]
    detail = "the server refused the recipient " + "; ".join(text for _, text in replies)
    temporary = replies and all(400 <= code < 500 for code, _ in replies)
    return SendResult("retry" if temporary else "failed", detail)


# --- the channel --------------------------------------------------------------------------


class EmailChannel:
    """Sends one e-mail per message over SMTP (one connection per message)."""

    def __init__(
        self, ssl_context: ssl.SSLContext | None = None, local_hostname: str | None = None
    ):
        self._ssl_context = ssl_context
        self._local_hostname = local_hostname

    def send(self, endpoint: Endpoint, message: Outgoing, now: datetime) -> SendResult:
        if not message.address.strip():
            return SendResult("failed", "user has no e-mail address")
        try:
            host, port, tls, timeout = _connection(endpoint.settings)
            email = build_email(endpoint, message, now)
        except _SettingsError as exc:
            return SendResult("failed", str(exc))
        try:
            self._deliver(endpoint.settings, (host, port, tls, timeout), email)
        except (smtplib.SMTPException, OSError) as exc:
            return result_for_smtp_error(exc, timeout)
        return SendResult("sent", f"accepted by {host}:{port}")

    def _deliver(
        self, settings: dict[str, Any], where: tuple[str, int, str, float], email: EmailMessage
    ) -> None:
        host, port, tls, timeout = where
        smtp = self._connect(host, port, tls, timeout)
        try:
            if tls == "starttls":
                smtp.starttls(context=self._context())
            username = settings.get("username")
            if username:
                smtp.login(str(username), str(settings.get("password") or ""))
            refused = smtp.send_message(email)
            if refused:  # only some recipients refused (we send to one, so not expected)
                raise smtplib.SMTPRecipientsRefused(refused)
        finally:
            _close(smtp)

    def _connect(self, host: str, port: int, tls: str, timeout: float) -> smtplib.SMTP:
        """A connected client (smtplib closes the socket itself when connecting fails)."""
        if tls == "ssl":
            return smtplib.SMTP_SSL(
                host, port, self._local_hostname, timeout=timeout, context=self._context()
            )
        return smtplib.SMTP(host, port, self._local_hostname, timeout=timeout)

    def _context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely; just close when the connection is already broken."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
