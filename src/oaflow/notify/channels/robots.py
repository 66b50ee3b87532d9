"""Chat robots: WeCom (企业微信) group robot, DingTalk (钉钉) robot and Feishu (飞书) bot.

Each posts one message to ``settings["url"]``:

* WeCom — ``{"msgtype": "markdown", "markdown": {"content": ...}}``; the key is in the url,
  there is no signature (the content is cut to WeCom's 4096 bytes).
* DingTalk — ``{"msgtype": "markdown", "markdown": {"title": subject, "text": ...}}``; with a
  ``secret`` the url gets ``timestamp`` (ms) and ``sign`` = url-quoted base64 of HMAC-SHA256
  (key = secret, message = ``f"{timestamp}\\n{secret}"``).
* Feishu — ``{"msg_type": "post", "content": {"post": {"zh_cn": ...}}}``; with a ``secret`` the
  body also has ``timestamp`` (seconds, a string) and ``sign`` = base64 of HMAC-SHA256 whose
  KEY is ``f"{timestamp}\\n{secret}"`` over an empty message.

Timestamps come from the ``now`` argument, never from the system clock.

Outcomes: the HTTP status first (429 → retry with ``Retry-After``; 410 → gone; other 4xx →
failed; 5xx, timeouts, connection errors → retry); on a 2xx the platform's JSON code decides:
0 → sent; a rate-limit or busy code → retry; any other code → failed with the platform's
message; an answer that is not a JSON object → failed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

import httpx

from oaflow.notify.channels.base import Endpoint, Outgoing, SendResult
from oaflow.notify.channels.webhook import (
    DEFAULT_TIMEOUT,
    dump_json,
    post_bytes,
    result_for_status,
    snippet,
    timeout_of,
    unix_millis,
    unix_seconds,
)

LINK_LABEL = "查看详情"
WECOM_MAX_BYTES = 4096

#: platform codes that mean "too many messages / busy, try again later"
WECOM_RETRY_CODES = frozenset({45009, -1})
DINGTALK_RETRY_CODES = frozenset({130101, 660026, -1})
FEISHU_RETRY_CODES = frozenset({9499, 11232})


# --- signatures ---------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` parameter, already url-quoted."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(url: str, secret: str | None, timestamp_ms: int) -> str:
    """``url`` with ``timestamp`` and ``sign`` appended when there is a secret."""
    if not secret:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign``: HMAC-SHA256 keyed with ``"timestamp\\nsecret"`` over nothing."""
    key = f"{timestamp_s}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


# --- content ------------------------------------------------------------------------------


def markdown_content(message: Outgoing, separator: str = "\n\n") -> str:
    """Subject in bold, the text, and the link if any."""
    parts = [f"**{message.subject}**", message.text.strip()]
    if message.link:
        parts.append(f"[{LINK_LABEL}]({message.link})")
    return separator.join(part for part in parts if part)


def fit_utf8(text: str, limit: int, keep_tail: str = "") -> str:
    """``text`` cut so that it plus ``keep_tail`` is at most ``limit`` UTF-8 bytes."""
    room = limit - len(keep_tail.encode("utf-8"))
    encoded = text.encode("utf-8")
    if len(encoded) <= room:
        return text + keep_tail
    cut = encoded[: max(0, room - len("…".encode()))].decode("utf-8", errors="ignore")
    return cut + "…" + keep_tail


def wecom_payload(message: Outgoing) -> dict[str, Any]:
    """WeCom markdown; the link is kept when the text has to be cut."""
    link = f"\n[{LINK_LABEL}]({message.link})" if message.link else ""
    head = markdown_content(replace(message, link=""), separator="\n")
    return {"msgtype": "markdown", "markdown": {"content": fit_utf8(head, WECOM_MAX_BYTES, link)}}


def dingtalk_payload(message: Outgoing) -> dict[str, Any]:
    """DingTalk markdown (its markdown needs blank lines between paragraphs)."""
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.subject, "text": markdown_content(message)},
    }


def feishu_payload(message: Outgoing) -> dict[str, Any]:
    """Feishu rich text ("post"): the subject as title, one paragraph per line, the link."""
    lines: list[list[dict[str, str]]] = [
        [{"tag": "text", "text": line}] for line in message.text.strip().splitlines()
    ]
    if message.link:
        lines.append([{"tag": "a", "text": LINK_LABEL, "href": message.link}])
    post = {"zh_cn": {"title": message.subject, "content": lines}}
    return {"msg_type": "post", "content": {"post": post}}


# --- answers ------------------------------------------------------------------------------


def read_code(
    response: httpx.Response, code_keys: tuple[str, ...], msg_keys: tuple[str, ...]
) -> tuple[int, str] | SendResult:
    """The platform's (code, message) from a 2xx answer, or a failure when it has none."""
    try:
        answer = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return SendResult("failed", f"answer is not JSON: {snippet(response.text)}")
    if not isinstance(answer, Mapping):
        return SendResult("failed", f"answer is not a JSON object: {snippet(response.text)}")
    code = next((answer[key] for key in code_keys if key in answer), None)
    if not isinstance(code, int) or isinstance(code, bool):
        return SendResult("failed", f"answer has no error code: {snippet(response.text)}")
    message = next((str(answer[key]) for key in msg_keys if key in answer), "")
    return code, message


def result_for_answer(
    platform: str,
    response: httpx.Response,
    now: datetime,
    retry_codes: frozenset[int],
    keys: tuple[tuple[str, ...], tuple[str, ...]],
) -> SendResult:
    """Map a robot platform's HTTP answer to a result."""
    decided = result_for_status(response, now)
    if decided is not None:
        return decided
    read = read_code(response, *keys)
    if isinstance(read, SendResult):
        return read
    code, text = read
    if code == 0:
        return SendResult("sent", f"{platform}: {text or 'ok'}")
    if code in retry_codes:
        return SendResult("retry", f"{platform} is rate limiting or busy ({code}: {text})")
    return SendResult("failed", f"{platform} refused the message ({code}: {text})")


# --- channels -----------------------------------------------------------------------------


class _Robot:
    platform = ""
    retry_codes: frozenset[int] = frozenset()
    keys: tuple[tuple[str, ...], tuple[str, ...]] = (("errcode",), ("errmsg",))

    def __init__(self, http: httpx.Client | None = None, timeout: float = DEFAULT_TIMEOUT):
        self._http = http
        self._timeout = timeout

    def send(self, endpoint: Endpoint, message: Outgoing, now: datetime) -> SendResult:
        url = endpoint.settings.get("url")
        if not isinstance(url, str) or not url:
            return SendResult("failed", f"the {self.platform} endpoint has no url")
        secret = endpoint.settings.get("secret")
        target, payload = self.request(url, secret if isinstance(secret, str) else "", message, now)
        timeout = timeout_of(endpoint, self._timeout)
        answer = post_bytes(self._http, target, dump_json(payload), {}, timeout)
        if isinstance(answer, SendResult):
            return answer
        return result_for_answer(self.platform, answer, now, self.retry_codes, self.keys)

    def request(
        self, url: str, secret: str, message: Outgoing, now: datetime
    ) -> tuple[str, dict[str, Any]]:
        """The url to post to and the JSON payload."""
        raise NotImplementedError


class WeComChannel(_Robot):
    """WeCom group robot: markdown, key in the url, no signature."""

    platform = "WeCom"
    retry_codes = WECOM_RETRY_CODES

    def request(
        self, url: str, secret: str, message: Outgoing, now: datetime
    ) -> tuple[str, dict[str, Any]]:
        return url, wecom_payload(message)


class DingTalkChannel(_Robot):
    """DingTalk robot: markdown; ``timestamp`` + ``sign`` url parameters with a secret."""

    platform = "DingTalk"
    retry_codes = DINGTALK_RETRY_CODES

    def request(
        self, url: str, secret: str, message: Outgoing, now: datetime
    ) -> tuple[str, dict[str, Any]]:
        return dingtalk_url(url, secret, unix_millis(now)), dingtalk_payload(message)


class FeishuChannel(_Robot):
    """Feishu bot: rich text; ``timestamp`` + ``sign`` in the body with a secret."""

    platform = "Feishu"
    retry_codes = FEISHU_RETRY_CODES
    keys = (("code", "StatusCode"), ("msg", "StatusMessage"))

    def request(
        self, url: str, secret: str, message: Outgoing, now: datetime
    ) -> tuple[str, dict[str, Any]]:
        payload = feishu_payload(message)
        if secret:
            timestamp = unix_seconds(now)
            signed = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp)}
            payload = signed | payload
        return url, payload
