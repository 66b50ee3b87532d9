"""Save-time checks of endpoint settings, the kind → channel registry and RecordingChannel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from oaflow.notify.channels.base import KINDS, Endpoint, Outgoing, SendResult
from oaflow.notify.channels.email import EmailChannel
from oaflow.notify.channels.recording import Delivery, RecordingChannel
from oaflow.notify.channels.registry import channel_for, check_endpoint_settings
from oaflow.notify.channels.robots import DingTalkChannel, FeishuChannel, WeComChannel
from oaflow.notify.channels.webhook import WebhookChannel

NOW = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)

GOOD: dict[str, dict[str, Any]] = {
    "email": {
        "host": "smtp.example.com",
        "port": 587,
        "tls": "starttls",
        "username": "oa",
        "password": "s3cret",
        "sender": "oa@example.com",
        "sender_name": "流程中心",
        "timeout": 10,
    },
    "wecom": {"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"},
    "dingtalk": {
        "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "secret": "SEC123",
    },
    "feishu": {"url": "https://open.feishu.cn/open-apis/bot/v2/hook/abc", "secret": "s"},
    "webhook": {"url": "http://erp.internal:8080/oaflow", "secret": "whsec"},
    "recording": {},
}


def check(kind: str, settings: dict[str, Any]) -> list[str]:
    """The problems in English; each is said in Chinese too."""
    found = check_endpoint_settings(kind, settings)
    assert all(problem.text("zh") for problem in found)
    return [problem.text("en") for problem in found]


def problems(kind: str, **changes: Any) -> list[str]:
    settings = {key: value for key, value in (GOOD[kind] | changes).items() if value is not None}
    return check(kind, settings)


def one_problem(kind: str, **changes: Any) -> str:
    found = problems(kind, **changes)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("kind", KINDS)
def test_good_settings_have_no_problems(kind: str) -> None:
    assert check_endpoint_settings(kind, GOOD[kind]) == []


def test_problems_are_sentences() -> None:
    found = check("email", {"port": "x", "tls": "yes", "hostname": "a"})
    assert len(found) >= 4
    for problem in found:
        assert problem[0].isupper() or problem[0] in "'\"", problem
        assert problem.endswith("."), problem
        assert ";" in problem, f"no advice on how to fix it: {problem}"


def test_unknown_kind() -> None:
    [problem] = check("sms", {"url": "https://x"})
    assert "'sms' is not a channel kind" in problem
    assert "email, wecom, dingtalk, feishu, webhook" in problem


def test_unknown_setting_names_the_known_ones() -> None:
    problem = one_problem("email", hostname="smtp.example.com")
    assert "'hostname' is not a setting of a email endpoint" in problem
    assert "host, port, tls" in problem


def test_wecom_has_no_secret() -> None:
    assert "'secret' is not a setting" in one_problem("wecom", secret="x")


# --- email --------------------------------------------------------------------------------


@pytest.mark.parametrize("host", [None, "", "   ", 42])
def test_email_host_is_required(host: Any) -> None:
    assert "SMTP host is missing" in one_problem("email", host=host)


@pytest.mark.parametrize("port", ["smtp", "5 87", 58.7, True, [587]])
def test_email_port_must_be_a_number(port: Any) -> None:
    assert "is not a number" in one_problem("email", port=port)


@pytest.mark.parametrize("port", [0, 65536, -25])
def test_email_port_must_be_in_range(port: int) -> None:
    problem = one_problem("email", port=port)
    assert "out of range" in problem or "not a number" in problem


@pytest.mark.parametrize("port", [None, 25, "465", 65535])
def test_email_port_may_be_left_out_or_written_as_text(port: Any) -> None:
    assert problems("email", port=port) == []


@pytest.mark.parametrize("tls", ["tls", "STARTTLS", "", True])
def test_email_tls_must_be_one_of_three(tls: Any) -> None:
    problem = one_problem("email", tls=tls)
    assert "not one of 'none', 'starttls' or 'ssl'" in problem


@pytest.mark.parametrize("sender", [None, "", "oa", "oa@", "@example.com", "a b@example.com"])
def test_email_sender_must_be_an_address(sender: Any) -> None:
    problem = one_problem("email", sender=sender)
    assert "sender" in problem


def test_email_password_without_username() -> None:
    assert "without a username" in one_problem("email", username=None)


def test_email_login_over_plain_text_is_refused() -> None:
    assert "unencrypted" in one_problem("email", tls="none")
    assert problems("email", tls="none", username=None, password=None) == []


def test_email_sender_name_must_be_text() -> None:
    assert "sender name" in one_problem("email", sender_name=7)


@pytest.mark.parametrize("timeout", [0, -1, "10", True])
def test_timeout_must_be_positive_seconds(timeout: Any) -> None:
    assert "timeout" in one_problem("webhook", timeout=timeout)


# --- urls ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "webhook"])
@pytest.mark.parametrize("url", [None, "", "  "])
def test_url_is_required(kind: str, url: Any) -> None:
    assert "url is missing" in one_problem(kind, url=url)


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "webhook"])
@pytest.mark.parametrize("url", ["ftp://example.com/hook", "example.com/hook", "javascript:x"])
def test_url_must_be_http(kind: str, url: str) -> None:
    assert "does not start with http:// or https://" in one_problem(kind, url=url)


@pytest.mark.parametrize("url", ["https:///path", "https://exa mple.com/x"])
def test_url_must_be_an_address(url: str) -> None:
    assert "not a valid address" in one_problem("webhook", url=url)


def test_wecom_url_needs_the_key() -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    assert "no key parameter" in one_problem("wecom", url=url)


def test_dingtalk_url_needs_the_access_token() -> None:
    url = "https://oapi.dingtalk.com/robot/send?token=abc"
    assert "no access_token parameter" in one_problem("dingtalk", url=url)


def test_dingtalk_secret_starts_with_sec() -> None:
    assert "does not start with 'SEC'" in one_problem("dingtalk", secret="abc")
    assert problems("dingtalk", secret=None) == []


def test_feishu_url_must_be_a_bot_hook() -> None:
    url = "https://open.feishu.cn/open-apis/im/v1/messages"
    assert "not a bot webhook address" in one_problem("feishu", url=url)


@pytest.mark.parametrize("kind", ["dingtalk", "feishu", "webhook"])
def test_secret_must_be_text(kind: str) -> None:
    assert "secret must be text" in one_problem(kind, secret=12345)


# --- registry -----------------------------------------------------------------------------


def test_channel_for_each_kind() -> None:
    http = httpx.Client()
    try:
        expected = {
            "email": EmailChannel,
            "wecom": WeComChannel,
            "dingtalk": DingTalkChannel,
            "feishu": FeishuChannel,
            "webhook": WebhookChannel,
            "recording": RecordingChannel,
        }
        assert set(expected) == set(KINDS)
        for kind, cls in expected.items():
            assert isinstance(channel_for(kind, http), cls)
            assert isinstance(channel_for(kind), cls)
    finally:
        http.close()


def test_channel_for_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="'sms' is not a channel kind"):
        channel_for("sms")


# --- RecordingChannel ---------------------------------------------------------------------


def outgoing(number: int) -> Outgoing:
    return Outgoing(f"m-{number}", "task.assigned", f"主题 {number}", "正文", "")


def test_recording_channel_records_and_answers_from_its_script() -> None:
    endpoint = Endpoint(9, "recording", "演示")
    later = SendResult("retry", "busy", retry_after=5)
    channel = RecordingChannel(["failed", later])

    results = [channel.send(endpoint, outgoing(n), NOW) for n in range(3)]

    assert [r.outcome for r in results] == ["failed", "retry", "sent"]
    assert results[1] is later
    assert channel.deliveries[0] == Delivery(endpoint, outgoing(0), NOW)
    assert [m.message_id for m in channel.messages] == ["m-0", "m-1", "m-2"]

    channel.then("gone")
    assert channel.send(endpoint, outgoing(3), NOW).outcome == "gone"
    assert channel.send(endpoint, outgoing(4), NOW).outcome == "sent"
    channel.clear()
    assert channel.deliveries == []
