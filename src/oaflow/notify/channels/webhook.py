"""Generic signed webhooks, and the HTTP plumbing the chat robots share.

A webhook is one ``POST`` of a JSON object ``{"id", "event", "subject", "text", "link",
"data"}`` (UTF-8, compact) with three headers:

* ``X-OAFlow-Message-Id`` — the stable message id (the same id on every retry: deduplicate on it);
* ``X-OAFlow-Timestamp`` — unix seconds of the send attempt (reject old ones to stop replays);
* ``X-OAFlow-Signature`` — ``sha256=<hex>``, the HMAC-SHA256 with the endpoint's secret as key
  over ``f"{id}.{timestamp}.".encode() + body`` (only when the endpoint has a secret).

Receivers check it with :func:`verify_webhook_signature` over the raw body bytes they received.

Outcomes (shared with the robots): 2xx → sent; 429 → retry (``retry_after`` from
``Retry-After``, seconds or an HTTP-date); 410 → gone; other 3xx / 4xx → failed; 5xx, timeouts
and connection errors → retry; a URL httpx cannot use → failed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from oaflow.notify.channels.base import Endpoint, Outgoing, SendResult

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "OA-Flow-notify/1"
SNIPPET = 200
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_MILLISECOND = timedelta(milliseconds=1)


# --- time ---------------------------------------------------------------------------------


def as_aware(now: datetime) -> datetime:
    """``now`` with a time zone (a naive value is taken as UTC)."""
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def unix_seconds(now: datetime) -> int:
    """Whole unix seconds of ``now`` (exact integer arithmetic, no float rounding)."""
    return (as_aware(now) - _EPOCH) // _SECOND


def unix_millis(now: datetime) -> int:
    """Whole unix milliseconds of ``now``."""
    return (as_aware(now) - _EPOCH) // _MILLISECOND


# --- signatures ---------------------------------------------------------------------------


def _as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def sign_webhook(secret: str, message_id: str, timestamp: int | str, body: bytes | str) -> str:
    """The ``X-OAFlow-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 with ``secret`` as
    key over ``f"{message_id}.{timestamp}."`` followed by the body bytes."""
    signed = f"{message_id}.{timestamp}.".encode() + _as_bytes(body)
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_webhook_signature(
    secret: str, message_id: str, timestamp: int | str, body: bytes | str, signature: str
) -> bool:
    """True when ``signature`` (the ``X-OAFlow-Signature`` header) matches the raw ``body``
    received with ``message_id`` and ``timestamp`` (the other two headers). Constant-time.

    Receivers should also refuse timestamps far from their own clock (say 5 minutes) and
    ignore message ids they have already processed."""
    expected = sign_webhook(secret, message_id, timestamp, body)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8"))


# --- HTTP ---------------------------------------------------------------------------------


def snippet(text: str) -> str:
    """The first :data:`SNIPPET` characters of an answer, for details."""
    return text[:SNIPPET]


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta seconds or an HTTP-date (counted
    from ``now``); ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, (as_aware(when) - as_aware(now)).total_seconds())


def timeout_of(endpoint: Endpoint, default: float = DEFAULT_TIMEOUT) -> float:
    """The endpoint's ``timeout`` setting in seconds, or ``default``."""
    value = endpoint.settings.get("timeout")
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return default


def post_bytes(
    http: httpx.Client | None,
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
) -> httpx.Response | SendResult:
    """POST ``body`` (JSON) to ``url``; the response, or a result for a transport problem.

    Uses ``http`` when given (and leaves it open), else a client made for this one call."""
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        **headers,
    }
    try:
        if http is not None:
            return http.post(url, content=body, headers=all_headers, timeout=timeout)
        with httpx.Client(timeout=timeout) as client:
            return client.post(url, content=body, headers=all_headers)
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        return SendResult("failed", f"the url cannot be used: {exc}")
    except (httpx.LocalProtocolError, UnicodeEncodeError) as exc:
        return SendResult("failed", f"the request cannot be built: {exc}")
    except httpx.TimeoutException as exc:
        return SendResult("retry", f"timed out after {timeout:g} s: {type(exc).__name__}")
    except httpx.TransportError as exc:
        return SendResult("retry", f"connection problem: {type(exc).__name__}: {exc}")


def result_for_status(response: httpx.Response, now: datetime) -> SendResult | None:
    """The result an HTTP status alone decides, or ``None`` for a 2xx (look at the body)."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    text = f"HTTP {status}: {snippet(response.text)}".rstrip(": ")
    if status == 429:
        after = parse_retry_after(response.headers.get("Retry-After"), now)
        return SendResult("retry", f"rate limited ({text})", retry_after=after)
    if status == 410:
        return SendResult("gone", f"the endpoint is gone ({text}); it should be disabled")
    if status >= 500:
        return SendResult("retry", f"server error ({text})")
    if 300 <= status < 400:
        where = response.headers.get("Location", "?")
        return SendResult("failed", f"redirected to {where} ({text}); configure the final url")
    return SendResult("failed", f"refused ({text})")


# --- the webhook channel ------------------------------------------------------------------


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dump_json(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (Chinese kept as is); dates as ISO strings, decimals as strings."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return text.encode("utf-8")


def webhook_payload(message: Outgoing) -> dict[str, Any]:
    """The JSON object a webhook receives."""
    return {
        "id": message.message_id,
        "event": message.event,
        "subject": message.subject,
        "text": message.text,
        "link": message.link,
        "data": message.data,
    }


class WebhookChannel:
    """POSTs signed JSON to ``settings["url"]`` (``settings["secret"]`` signs it)."""

    def __init__(self, http: httpx.Client | None = None, timeout: float = DEFAULT_TIMEOUT):
        self._http = http
        self._timeout = timeout

    def send(self, endpoint: Endpoint, message: Outgoing, now: datetime) -> SendResult:
        url = endpoint.settings.get("url")
        if not isinstance(url, str) or not url:
            return SendResult("failed", "the webhook endpoint has no url")
        try:
            body = dump_json(webhook_payload(message))
        except (TypeError, ValueError) as exc:
            return SendResult("failed", f"the message data cannot be sent as JSON: {exc}")
        headers = self._headers(endpoint, message, now, body)
        answer = post_bytes(self._http, url, body, headers, timeout_of(endpoint, self._timeout))
        if isinstance(answer, SendResult):
            return answer
        decided = result_for_status(answer, now)
        return decided or SendResult("sent", f"HTTP {answer.status_code}")

    @staticmethod
    def _headers(
        endpoint: Endpoint, message: Outgoing, now: datetime, body: bytes
    ) -> dict[str, str]:
        timestamp = str(unix_seconds(now))
        headers = {"X-OAFlow-Message-Id": message.message_id, "X-OAFlow-Timestamp": timestamp}
        secret = endpoint.settings.get("secret")
        if isinstance(secret, str) and secret:
            headers["X-OAFlow-Signature"] = sign_webhook(
                secret, message.message_id, timestamp, body
            )
        return headers
