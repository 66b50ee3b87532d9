"""WeCom, DingTalk, Feishu and webhook channels against a local HTTP server on 127.0.0.1.

The server plays all four platforms: it records every request, checks signatures with the
platforms' documented algorithms (written out here, independently of the channel code) and
answers like the platform would for a bad signature, or with the next scripted answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from oaflow.notify.channels.base import Channel, Endpoint, Outgoing
from oaflow.notify.channels.robots import DingTalkChannel, FeishuChannel, WeComChannel
from oaflow.notify.channels.webhook import WebhookChannel, verify_webhook_signature

NOW = datetime(2024, 3, 1, 1, 0, 0, 123456, tzinfo=UTC)
NOW_S = 1709254800
NOW_MS = 1709254800123
DING_SECRET = "SECb6f3c0ffee"
FEISHU_SECRET = "fs-secret-飞书"
HOOK_SECRET = "whsec_0123456789"
SUBJECT = "【待处理】客户投诉 CS20240301 请确认"
TEXT = "张伟您好：\n客户投诉 CS20240301 等待您确认。"
LINK = "https://oa.example.com/tasks/42"


# --- the platforms' signature checks, from their documentation ---------------------------


def dingtalk_signature_ok(query: dict[str, list[str]], secret: str) -> bool:
    """sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))."""
    timestamp, sign = query["timestamp"][0], query["sign"][0]  # parse_qs has url-decoded it
    mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return hmac.compare_digest(base64.b64encode(mac.digest()).decode(), sign)


def feishu_signature_ok(body: dict[str, Any], secret: str) -> bool:
    """sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=empty))."""
    mac = hmac.new(f"{body['timestamp']}\n{secret}".encode(), b"", hashlib.sha256)
    return hmac.compare_digest(base64.b64encode(mac.digest()).decode(), body["sign"])


def webhook_signature_ok(headers: dict[str, str], raw: bytes, secret: str) -> bool:
    """sha256=hex(HMAC-SHA256(secret, f"{id}.{timestamp}.".encode() + body))."""
    signed = f"{headers['x-oaflow-message-id']}.{headers['x-oaflow-timestamp']}.".encode() + raw
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-oaflow-signature"])


# --- the server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def json(status: int, value: dict[str, Any]) -> Answer:
        return Answer(status, json.dumps(value).encode(), {"Content-Type": "application/json"})


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    signature_ok: bool | None

    @property
    def body(self) -> Any:
        return json.loads(self.raw)


OK = {
    "wecom": Answer.json(200, {"errcode": 0, "errmsg": "ok"}),
    "dingtalk": Answer.json(200, {"errcode": 0, "errmsg": "ok"}),
    "feishu": Answer.json(200, {"code": 0, "msg": "success", "data": {}}),
    "hook": Answer(204),
}
BAD_SIGNATURE = {
    "dingtalk": Answer.json(200, {"errcode": 310000, "errmsg": "sign not match"}),
    "feishu": Answer.json(200, {"code": 19021, "msg": "sign match fail", "data": {}}),
    "hook": Answer(401, b"bad signature"),
}


class Platforms:
    """What the server saw and what it answers next."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.script: deque[Answer] = deque()
        self.lock = threading.Lock()

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        parts = urlsplit(path)
        platform = parts.path.strip("/").split("/")[0]
        query = parse_qs(parts.query)
        ok = self.check_signature(platform, query, headers, raw)
        with self.lock:
            self.seen.append(Seen(parts.path, query, headers, raw, ok))
            if ok is False:
                return BAD_SIGNATURE[platform]
            return self.script.popleft() if self.script else OK[platform]

    @staticmethod
    def check_signature(
        platform: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes
    ) -> bool | None:
        if platform == "dingtalk" and "sign" in query:
            return dingtalk_signature_ok(query, DING_SECRET)
        if platform == "feishu" and "sign" in json.loads(raw):
            return feishu_signature_ok(json.loads(raw), FEISHU_SECRET)
        if platform == "hook" and "x-oaflow-signature" in headers:
            return webhook_signature_ok(headers, raw, HOOK_SECRET)
        return None


class Handler(BaseHTTPRequestHandler):
    server: PlatformServer

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {key.lower(): value for key, value in self.headers.items()}
        answer = self.server.platforms.handle(self.path, headers, raw)
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, platforms: Platforms) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.platforms = platforms

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def platforms() -> Platforms:
    return Platforms()


@pytest.fixture
def server(platforms: Platforms) -> Iterator[PlatformServer]:
    httpd = PlatformServer(platforms)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    client = httpx.Client()
    try:
        yield client
    finally:
        client.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def message(**changes: Any) -> Outgoing:
    values: dict[str, Any] = {
        "message_id": "msg-20240301-7",
        "event": "task.assigned",
        "subject": SUBJECT,
        "text": TEXT,
        "html": "",
        "link": LINK,
        "data": {"task_id": 42, "process": "客户投诉"},
    }
    return Outgoing(**(values | changes))


def wecom(base: str) -> Endpoint:
    return Endpoint(1, "wecom", "客服群", {"url": f"{base}/wecom/cgi-bin/webhook/send?key=k-1"})


def dingtalk(base: str, secret: str | None = DING_SECRET) -> Endpoint:
    settings: dict[str, Any] = {"url": f"{base}/dingtalk/robot/send?access_token=t-1"}
    if secret is not None:
        settings["secret"] = secret
    return Endpoint(2, "dingtalk", "质量群", settings)


def feishu(base: str, secret: str | None = FEISHU_SECRET) -> Endpoint:
    settings: dict[str, Any] = {"url": f"{base}/feishu/open-apis/bot/v2/hook/h-1"}
    if secret is not None:
        settings["secret"] = secret
    return Endpoint(3, "feishu", "管理群", settings)


def webhook(base: str, secret: str | None = HOOK_SECRET) -> Endpoint:
    settings: dict[str, Any] = {"url": f"{base}/hook/oaflow"}
    if secret is not None:
        settings["secret"] = secret
    return Endpoint(4, "webhook", "ERP", settings)


# --- WeCom --------------------------------------------------------------------------------


def test_wecom_posts_markdown_to_the_keyed_url(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = WeComChannel(http).send(wecom(server.base), message(), NOW)

    assert result.outcome == "sent", result.detail
    [seen] = platforms.seen
    assert seen.path == "/wecom/cgi-bin/webhook/send"
    assert seen.query == {"key": ["k-1"]}
    assert seen.headers["content-type"].startswith("application/json")
    assert seen.body == {
        "msgtype": "markdown",
        "markdown": {"content": f"**{SUBJECT}**\n{TEXT}\n[查看详情]({LINK})"},
    }


def test_wecom_cuts_long_text_to_4096_bytes_and_keeps_the_link(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    WeComChannel(http).send(wecom(server.base), message(text="很长的说明。" * 1000), NOW)

    content = platforms.seen[0].body["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.startswith(f"**{SUBJECT}**\n很长的说明。")
    assert content.endswith(f"…\n[查看详情]({LINK})")


# --- DingTalk -----------------------------------------------------------------------------


def test_dingtalk_signs_the_url_with_timestamp_in_ms(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = DingTalkChannel(http).send(dingtalk(server.base), message(), NOW)

    assert result.outcome == "sent", result.detail
    [seen] = platforms.seen
    assert seen.signature_ok is True
    assert seen.path == "/dingtalk/robot/send"
    assert seen.query["access_token"] == ["t-1"]
    assert seen.query["timestamp"] == [str(NOW_MS)]
    assert seen.body == {
        "msgtype": "markdown",
        "markdown": {"title": SUBJECT, "text": f"**{SUBJECT}**\n\n{TEXT}\n\n[查看详情]({LINK})"},
    }


def test_dingtalk_sign_is_url_quoted(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    """base64 has '+', '/' and '='; sent unquoted a '+' would arrive as a space."""
    for second in range(20):  # some of these signatures contain '+' or '/'
        now = NOW.replace(second=second)
        result = DingTalkChannel(http).send(dingtalk(server.base), message(), now)
        assert result.outcome == "sent", result.detail
    assert all(seen.signature_ok for seen in platforms.seen)
    assert any(set(seen.query["sign"][0]) & {"+", "/"} for seen in platforms.seen)


def test_dingtalk_with_a_wrong_secret_fails_with_the_platform_message(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = DingTalkChannel(http).send(dingtalk(server.base, "SECwrong"), message(), NOW)

    assert platforms.seen[0].signature_ok is False
    assert result.outcome == "failed"
    assert "310000" in result.detail and "sign not match" in result.detail


def test_dingtalk_without_a_secret_is_not_signed(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = DingTalkChannel(http).send(dingtalk(server.base, None), message(), NOW)

    assert result.outcome == "sent"
    assert platforms.seen[0].query == {"access_token": ["t-1"]}


# --- Feishu -------------------------------------------------------------------------------


def test_feishu_signs_the_body_with_timestamp_in_seconds(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = FeishuChannel(http).send(feishu(server.base), message(), NOW)

    assert result.outcome == "sent", result.detail
    [seen] = platforms.seen
    assert seen.signature_ok is True
    body = seen.body
    assert body["timestamp"] == str(NOW_S)
    assert body["msg_type"] == "post"
    assert body["content"] == {
        "post": {
            "zh_cn": {
                "title": SUBJECT,
                "content": [
                    [{"tag": "text", "text": "张伟您好："}],
                    [{"tag": "text", "text": "客户投诉 CS20240301 等待您确认。"}],
                    [{"tag": "a", "text": "查看详情", "href": LINK}],
                ],
            }
        }
    }


def test_feishu_with_a_wrong_secret_fails(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = FeishuChannel(http).send(feishu(server.base, "wrong"), message(), NOW)

    assert platforms.seen[0].signature_ok is False
    assert result.outcome == "failed"
    assert "19021" in result.detail and "sign match fail" in result.detail


def test_feishu_without_a_secret_is_not_signed(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = FeishuChannel(http).send(feishu(server.base, None), message(), NOW)

    assert result.outcome == "sent"
    assert "timestamp" not in platforms.seen[0].body
    assert "sign" not in platforms.seen[0].body


def test_feishu_old_style_answer_is_understood(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    platforms.script.append(Answer.json(200, {"StatusCode": 0, "StatusMessage": "success"}))

    result = FeishuChannel(http).send(feishu(server.base), message(), NOW)

    assert result.outcome == "sent"


# --- rate limits and other platform codes -------------------------------------------------


@pytest.mark.parametrize(
    ("make_channel", "make_endpoint", "answer"),
    [
        (WeComChannel, wecom, {"errcode": 45009, "errmsg": "api freq out of limit"}),
        (DingTalkChannel, dingtalk, {"errcode": 130101, "errmsg": "send too fast"}),
        (DingTalkChannel, dingtalk, {"errcode": 660026, "errmsg": "too many requests"}),
        (FeishuChannel, feishu, {"code": 9499, "msg": "Too Many Requests"}),
        (FeishuChannel, feishu, {"code": 11232, "msg": "frequency limited"}),
    ],
)
def test_rate_limit_codes_are_retried(
    server: PlatformServer,
    platforms: Platforms,
    http: httpx.Client,
    make_channel: Any,
    make_endpoint: Any,
    answer: dict[str, Any],
) -> None:
    platforms.script.append(Answer.json(200, answer))

    result = make_channel(http).send(make_endpoint(server.base), message(), NOW)

    assert result.outcome == "retry"
    assert str(answer.get("errcode", answer.get("code"))) in result.detail


def test_a_bad_key_is_a_failure_with_the_platform_message(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    platforms.script.append(Answer.json(200, {"errcode": 93000, "errmsg": "invalid webhook url"}))

    result = WeComChannel(http).send(wecom(server.base), message(), NOW)

    assert result.outcome == "failed"
    assert "93000" in result.detail and "invalid webhook url" in result.detail


# --- HTTP status mapping, the same for every channel --------------------------------------

CHANNELS = [
    pytest.param(WeComChannel, wecom, id="wecom"),
    pytest.param(DingTalkChannel, dingtalk, id="dingtalk"),
    pytest.param(FeishuChannel, feishu, id="feishu"),
    pytest.param(WebhookChannel, webhook, id="webhook"),
]
ROBOTS = CHANNELS[:3]


@pytest.mark.parametrize(("make_channel", "make_endpoint"), CHANNELS)
@pytest.mark.parametrize(
    ("answer", "outcome", "retry_after"),
    [
        pytest.param(Answer(429, b"slow down", {"Retry-After": "7"}), "retry", 7.0, id="429"),
        pytest.param(
            Answer(429, b"", {"Retry-After": "Fri, 01 Mar 2024 01:00:30 GMT"}),
            "retry",
            29.876544,
            id="429-date",
        ),
        pytest.param(Answer(429, b""), "retry", None, id="429-bare"),
        pytest.param(Answer(410, b"robot removed"), "gone", None, id="410"),
        pytest.param(Answer(404, b"not found"), "failed", None, id="404"),
        pytest.param(
            Answer(302, b"", {"Location": "https://x.example/"}), "failed", None, id="302"
        ),
        pytest.param(Answer(500, b"oops"), "retry", None, id="500"),
        pytest.param(Answer(503, b""), "retry", None, id="503"),
    ],
)
def test_http_status_mapping(
    server: PlatformServer,
    platforms: Platforms,
    http: httpx.Client,
    make_channel: Any,
    make_endpoint: Any,
    answer: Answer,
    outcome: str,
    retry_after: float | None,
) -> None:
    platforms.script.append(answer)

    result = make_channel(http).send(make_endpoint(server.base), message(), NOW)

    assert result.outcome == outcome, result.detail
    assert result.retry_after == (pytest.approx(retry_after) if retry_after else None)
    assert f"HTTP {answer.status}" in result.detail


@pytest.mark.parametrize(("make_channel", "make_endpoint"), ROBOTS)
def test_robot_answer_that_is_not_json_fails(
    server: PlatformServer,
    platforms: Platforms,
    http: httpx.Client,
    make_channel: Any,
    make_endpoint: Any,
) -> None:
    garbage = b"<html>garbage" + b"x" * 500
    platforms.script.append(Answer(200, garbage, {"Content-Type": "text/html"}))

    result = make_channel(http).send(make_endpoint(server.base), message(), NOW)

    assert result.outcome == "failed"
    assert result.detail == "answer is not JSON: " + garbage.decode()[:200]


@pytest.mark.parametrize(("make_channel", "make_endpoint"), ROBOTS)
def test_robot_json_answer_without_a_code_fails(
    server: PlatformServer,
    platforms: Platforms,
    http: httpx.Client,
    make_channel: Any,
    make_endpoint: Any,
) -> None:
    platforms.script.append(Answer.json(200, {"hello": "world"}))

    result = make_channel(http).send(make_endpoint(server.base), message(), NOW)

    assert result.outcome == "failed"
    assert "no error code" in result.detail


@pytest.mark.parametrize(("make_channel", "make_endpoint"), CHANNELS)
def test_nothing_listening_is_retried(
    http: httpx.Client, make_channel: Any, make_endpoint: Any
) -> None:
    base = f"http://127.0.0.1:{closed_port()}"

    result = make_channel(http).send(make_endpoint(base), message(), NOW)

    assert result.outcome == "retry"
    assert "ConnectError" in result.detail


@pytest.mark.parametrize(("make_channel", "make_endpoint"), CHANNELS)
def test_without_a_client_one_is_made_per_call(
    server: PlatformServer, platforms: Platforms, make_channel: Any, make_endpoint: Any
) -> None:
    channel: Channel = make_channel()

    assert channel.send(make_endpoint(server.base), message(), NOW).outcome == "sent"
    assert channel.send(make_endpoint(server.base), message(), NOW).outcome == "sent"
    assert len(platforms.seen) == 2


@pytest.mark.parametrize(("make_channel", "make_endpoint"), CHANNELS)
@pytest.mark.parametrize("url", ["", "ftp://example.com/hook", "not a url"])
def test_unusable_url_fails(make_channel: Any, make_endpoint: Any, url: str) -> None:
    endpoint = make_endpoint("x")
    endpoint = Endpoint(endpoint.id, endpoint.kind, endpoint.name, endpoint.settings | {"url": url})

    result = make_channel().send(endpoint, message(), NOW)

    assert result.outcome == "failed"


# --- webhook ------------------------------------------------------------------------------


def test_webhook_posts_signed_json(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = WebhookChannel(http).send(webhook(server.base), message(), NOW)

    assert result.outcome == "sent", result.detail
    [seen] = platforms.seen
    assert seen.signature_ok is True
    assert seen.headers["x-oaflow-message-id"] == "msg-20240301-7"
    assert seen.headers["x-oaflow-timestamp"] == str(NOW_S)
    assert seen.headers["x-oaflow-signature"].startswith("sha256=")
    assert seen.body == {
        "id": "msg-20240301-7",
        "event": "task.assigned",
        "subject": SUBJECT,
        "text": TEXT,
        "link": LINK,
        "data": {"task_id": 42, "process": "客户投诉"},
    }
    assert SUBJECT.encode("utf-8") in seen.raw  # UTF-8, not \\u escapes


def test_webhook_with_a_wrong_secret_is_refused(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = WebhookChannel(http).send(webhook(server.base, "other"), message(), NOW)

    assert platforms.seen[0].signature_ok is False
    assert result.outcome == "failed"
    assert "401" in result.detail


def test_webhook_without_a_secret_is_not_signed(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    result = WebhookChannel(http).send(webhook(server.base, None), message(), NOW)

    assert result.outcome == "sent"
    assert "x-oaflow-signature" not in platforms.seen[0].headers


def test_webhook_answer_body_does_not_matter_on_2xx(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    platforms.script.append(Answer(200, b"<html>garbage"))

    result = WebhookChannel(http).send(webhook(server.base), message(), NOW)

    assert result.outcome == "sent"


def test_webhook_data_dates_are_iso_and_unknown_objects_fail(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    dated = message(data={"due": datetime(2024, 3, 2, 9, 0, tzinfo=UTC)})
    assert WebhookChannel(http).send(webhook(server.base), dated, NOW).outcome == "sent"
    assert platforms.seen[0].body["data"] == {"due": "2024-03-02T09:00:00+00:00"}

    odd = message(data={"what": object()})
    result = WebhookChannel(http).send(webhook(server.base), odd, NOW)
    assert result.outcome == "failed"
    assert "JSON" in result.detail
    assert len(platforms.seen) == 1


def test_verify_webhook_signature(
    server: PlatformServer, platforms: Platforms, http: httpx.Client
) -> None:
    WebhookChannel(http).send(webhook(server.base), message(), NOW)
    seen = platforms.seen[0]
    msg_id, stamp = seen.headers["x-oaflow-message-id"], seen.headers["x-oaflow-timestamp"]
    signature = seen.headers["x-oaflow-signature"]

    assert verify_webhook_signature(HOOK_SECRET, msg_id, stamp, seen.raw, signature)
    assert verify_webhook_signature(HOOK_SECRET, msg_id, int(stamp), seen.raw, signature)
    assert not verify_webhook_signature("other", msg_id, stamp, seen.raw, signature)
    assert not verify_webhook_signature(HOOK_SECRET, "msg-8", stamp, seen.raw, signature)
    assert not verify_webhook_signature(HOOK_SECRET, msg_id, stamp + "1", seen.raw, signature)
    assert not verify_webhook_signature(HOOK_SECRET, msg_id, stamp, seen.raw + b" ", signature)
    assert not verify_webhook_signature(HOOK_SECRET, msg_id, stamp, seen.raw, "sha256=00")
    assert not verify_webhook_signature(HOOK_SECRET, msg_id, stamp, seen.raw, "签名")
