"""Which channel serves a kind, and the save-time checks of an endpoint's settings.

``channel_for(kind, http)`` builds the channel for an endpoint kind (the HTTP channels use
``http`` when given). ``check_endpoint_settings(kind, settings)`` returns the problems to show
when an administrator saves an endpoint, each a full sentence saying what is wrong and how to
fix it; an empty list means the settings can be saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from oaflow.notify.channels.base import KINDS, Channel
from oaflow.notify.channels.email import TLS_MODES, EmailChannel
from oaflow.notify.channels.recording import RecordingChannel
from oaflow.notify.channels.robots import DingTalkChannel, FeishuChannel, WeComChannel
from oaflow.notify.channels.webhook import WebhookChannel

KNOWN_SETTINGS: dict[str, tuple[str, ...]] = {
    "email": (
        "host",
        "port",
        "tls",
        "username",
        "password",
        "sender",
        "sender_name",
        "timeout",
    ),
    "wecom": ("url", "timeout"),
    "dingtalk": ("url", "secret", "timeout"),
    "feishu": ("url", "secret", "timeout"),
    "webhook": ("url", "secret", "timeout"),
}


def channel_for(kind: str, http: httpx.Client | None = None) -> Channel:
    """The channel for ``kind``; ValueError for an unknown kind. ``recording`` gives a new
    :class:`RecordingChannel` (build one yourself to look at what it recorded)."""
    match kind:
        case "email":
            return EmailChannel()
        case "wecom":
            return WeComChannel(http)
        case "dingtalk":
            return DingTalkChannel(http)
        case "feishu":
            return FeishuChannel(http)
        case "webhook":
            return WebhookChannel(http)
        case "recording":
            return RecordingChannel()
    raise ValueError(_unknown_kind(kind))


def check_endpoint_settings(kind: str, settings: Mapping[str, Any]) -> list[str]:
    """The problems with ``settings`` for an endpoint of ``kind`` (empty when fine)."""
    if kind not in KINDS:
        return [_unknown_kind(kind)]
    if kind == "recording":
        return []
    problems = _unknown_settings(kind, settings)
    problems += _CHECKS[kind](settings)
    problems += _check_timeout(settings)
    return problems


def _unknown_kind(kind: str) -> str:
    return f"'{kind}' is not a channel kind; choose one of: {', '.join(KINDS)}."


def _unknown_settings(kind: str, settings: Mapping[str, Any]) -> list[str]:
    known = KNOWN_SETTINGS[kind]
    return [
        f"'{key}' is not a setting of a {kind} endpoint; remove it or use one of: "
        f"{', '.join(known)}."
        for key in settings
        if key not in known
    ]


def _text(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    return value.strip() if isinstance(value, str) else ""


def _check_timeout(settings: Mapping[str, Any]) -> list[str]:
    value = settings.get("timeout")
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return [f"The timeout {value!r} is not a positive number of seconds; use e.g. 10."]
    return []


# --- email --------------------------------------------------------------------------------


def _check_email(settings: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if not _text(settings, "host"):
        problems.append(
            "The SMTP host is missing; enter the mail server's name, e.g. smtp.example.com."
        )
    problems += _check_port(settings.get("port"))
    tls = settings.get("tls")
    if tls is not None and tls not in TLS_MODES:
        problems.append(
            f"The tls setting is {tls!r}, which is not one of 'none', 'starttls' or 'ssl'; "
            "use 'starttls' for port 587, 'ssl' for port 465 and 'none' only for a relay "
            "inside your network."
        )
    problems += _check_sender(settings)
    problems += _check_login(settings)
    return problems


def _check_port(port: Any) -> list[str]:
    if port is None or port == "":
        return []
    if isinstance(port, bool) or not (isinstance(port, int) or str(port).strip().isdigit()):
        return [f"The SMTP port {port!r} is not a number; use e.g. 587 (starttls) or 465 (ssl)."]
    if not 1 <= int(port) <= 65535:
        return [f"The SMTP port {port} is out of range; use a number from 1 to 65535."]
    return []


def _check_sender(settings: Mapping[str, Any]) -> list[str]:
    sender = _text(settings, "sender")
    if not sender:
        return ["The sender address is missing; enter the address mail is sent from."]
    try:
        address = Address(addr_spec=sender)
    except (ValueError, IndexError, HeaderParseError):
        address = None
    if address is None or not address.username or not address.domain:
        return [f"The sender '{sender}' is not an e-mail address; use e.g. oa@example.com."]
    name = settings.get("sender_name")
    if name is not None and not isinstance(name, str):
        return ["The sender name must be text, e.g. 流程中心."]
    return []


def _check_login(settings: Mapping[str, Any]) -> list[str]:
    username, password = _text(settings, "username"), settings.get("password")
    if password and not username:
        return ["A password is set without a username; enter the username or clear the password."]
    if username and (settings.get("tls") or "starttls") == "none":
        return [
            "A username is set but tls is 'none', so the password would cross the network "
            "unencrypted; set tls to 'starttls' or 'ssl'."
        ]
    return []


# --- robots and webhooks ------------------------------------------------------------------


def _check_url(settings: Mapping[str, Any], what: str) -> tuple[list[str], str]:
    """Problems with ``url`` and the url itself."""
    url = settings.get("url")
    if not isinstance(url, str) or not url.strip():
        return [f"The url is missing; paste the {what} address (it starts with https://)."], ""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return [
            f"The url '{url}' does not start with http:// or https://; paste the full address."
        ], url
    if not parts.hostname or any(ch.isspace() for ch in url):
        return [f"The url '{url}' is not a valid address; paste the full {what} address."], url
    return [], url


def _check_secret(settings: Mapping[str, Any]) -> list[str]:
    secret = settings.get("secret")
    if secret is not None and not isinstance(secret, str):
        return ["The secret must be text; paste it exactly as the platform shows it."]
    return []


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _check_wecom(settings: Mapping[str, Any]) -> list[str]:
    problems, url = _check_url(settings, "WeCom group robot's webhook")
    if url and not problems and not _query(url).get("key"):
        problems.append(
            "The WeCom url has no key parameter; copy the whole webhook address from the group "
            "robot's settings (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...)."
        )
    return problems


def _check_dingtalk(settings: Mapping[str, Any]) -> list[str]:
    problems, url = _check_url(settings, "DingTalk robot's webhook")
    if url and not problems and not _query(url).get("access_token"):
        problems.append(
            "The DingTalk url has no access_token parameter; copy the whole webhook address "
            "(https://oapi.dingtalk.com/robot/send?access_token=...) from the robot's settings."
        )
    problems += _check_secret(settings)
    secret = _text(settings, "secret")
    if secret and not secret.startswith("SEC"):
        problems.append(
            "The DingTalk secret does not start with 'SEC'; copy the signing secret (加签) from "
            "the robot's security settings, or clear it if the robot uses keywords or IPs."
        )
    return problems


def _check_feishu(settings: Mapping[str, Any]) -> list[str]:
    problems, url = _check_url(settings, "Feishu bot's webhook")
    if url and not problems and "/bot/v2/hook/" not in urlsplit(url).path:
        problems.append(
            "The Feishu url is not a bot webhook address; copy it from the bot's settings "
            "(https://open.feishu.cn/open-apis/bot/v2/hook/...)."
        )
    return problems + _check_secret(settings)


def _check_webhook(settings: Mapping[str, Any]) -> list[str]:
    problems, _ = _check_url(settings, "receiver's")
    return problems + _check_secret(settings)


_CHECKS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "email": _check_email,
    "wecom": _check_wecom,
    "dingtalk": _check_dingtalk,
    "feishu": _check_feishu,
    "webhook": _check_webhook,
}
