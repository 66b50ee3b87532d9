"""Which channel serves a kind, and the save-time checks of an endpoint's settings.

``channel_for(kind, http)`` builds the channel for an endpoint kind (the HTTP channels use
``http`` when given). ``check_endpoint_settings(kind, settings)`` returns the problems to show
when an administrator saves an endpoint, each a fault of the catalogue (``channel.*``) saying
what is wrong and how to fix it; an empty list means the settings can be saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from oaflow.domain.errors import Fault, fault
from oaflow.notify.channels.base import KINDS, Channel
from oaflow.notify.channels.email import TLS_MODES, EmailChannel
from oaflow.notify.channels.recording import RecordingChannel

if TYPE_CHECKING:
    import httpx

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
    :class:`RecordingChannel` (build one yourself to look at what it recorded). The HTTP
    channels (and httpx) are loaded when first built: a CLI command that sends nothing does
    not pay for them."""
    from oaflow.notify.channels.robots import DingTalkChannel, FeishuChannel, WeComChannel
    from oaflow.notify.channels.webhook import WebhookChannel

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
    raise ValueError(_unknown_kind(kind).text("en"))


def check_endpoint_settings(kind: str, settings: Mapping[str, Any]) -> list[Fault]:
    """The problems with ``settings`` for an endpoint of ``kind`` (empty when fine)."""
    if kind not in KINDS:
        return [_unknown_kind(kind)]
    if kind == "recording":
        return []
    problems = _unknown_settings(kind, settings)
    problems += _CHECKS[kind](settings)
    problems += _check_timeout(settings)
    return problems


def _unknown_kind(kind: str) -> Fault:
    return fault("channel.unknown_kind", kind=kind, kinds=", ".join(KINDS))


def _unknown_settings(kind: str, settings: Mapping[str, Any]) -> list[Fault]:
    known = ", ".join(KNOWN_SETTINGS[kind])
    return [
        fault("channel.unknown_setting", key=key, kind=kind, known=known)
        for key in settings
        if key not in KNOWN_SETTINGS[kind]
    ]


def _text(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    return value.strip() if isinstance(value, str) else ""


def _check_timeout(settings: Mapping[str, Any]) -> list[Fault]:
    value = settings.get("timeout")
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return [fault("channel.bad_timeout", value=repr(value))]
    return []


# --- email --------------------------------------------------------------------------------


def _check_email(settings: Mapping[str, Any]) -> list[Fault]:
    problems: list[Fault] = []
    if not _text(settings, "host"):
        problems.append(fault("channel.email.no_host"))
    problems += _check_port(settings.get("port"))
    tls = settings.get("tls")
    if tls is not None and tls not in TLS_MODES:
        problems.append(fault("channel.email.bad_tls", tls=repr(tls)))
    problems += _check_sender(settings)
    problems += _check_login(settings)
    return problems


def _check_port(port: Any) -> list[Fault]:
    if port is None or port == "":
        return []
    if isinstance(port, bool) or not (isinstance(port, int) or str(port).strip().isdigit()):
        return [fault("channel.email.port_not_a_number", port=repr(port))]
    if not 1 <= int(port) <= 65535:
        return [fault("channel.email.port_out_of_range", port=port)]
    return []


def _check_sender(settings: Mapping[str, Any]) -> list[Fault]:
    sender = _text(settings, "sender")
    if not sender:
        return [fault("channel.email.no_sender")]
    try:
        address = Address(addr_spec=sender)
    except (ValueError, IndexError, HeaderParseError):
        address = None
    if address is None or not address.username or not address.domain:
        return [fault("channel.email.bad_sender", sender=sender)]
    name = settings.get("sender_name")
    if name is not None and not isinstance(name, str):
        return [fault("channel.email.sender_name_not_text")]
    return []


def _check_login(settings: Mapping[str, Any]) -> list[Fault]:
    username, password = _text(settings, "username"), settings.get("password")
    if password and not username:
        return [fault("channel.email.password_without_username")]
    if username and (settings.get("tls") or "starttls") == "none":
        return [fault("channel.email.login_in_clear")]
    return []


# --- robots and webhooks ------------------------------------------------------------------


def _check_url(settings: Mapping[str, Any], kind: str) -> tuple[list[Fault], str]:
    """Problems with ``url`` and the url itself."""
    what = fault(_URL_OF[kind])
    url = settings.get("url")
    if not isinstance(url, str) or not url.strip():
        return [fault("channel.url.missing", what=what)], ""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return [fault("channel.url.not_http", url=url)], url
    if not parts.hostname or any(ch.isspace() for ch in url):
        return [fault("channel.url.invalid", url=url, what=what)], url
    return [], url


#: endpoint kind -> whose address its url is
_URL_OF = {
    "wecom": "channel.url_of.wecom",
    "dingtalk": "channel.url_of.dingtalk",
    "feishu": "channel.url_of.feishu",
    "webhook": "channel.url_of.webhook",
}


def _check_secret(settings: Mapping[str, Any]) -> list[Fault]:
    secret = settings.get("secret")
    if secret is not None and not isinstance(secret, str):
        return [fault("channel.secret.not_text")]
    return []


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _check_wecom(settings: Mapping[str, Any]) -> list[Fault]:
    problems, url = _check_url(settings, "wecom")
    if url and not problems and not _query(url).get("key"):
        problems.append(fault("channel.wecom.no_key"))
    return problems


def _check_dingtalk(settings: Mapping[str, Any]) -> list[Fault]:
    problems, url = _check_url(settings, "dingtalk")
    if url and not problems and not _query(url).get("access_token"):
        problems.append(fault("channel.dingtalk.no_access_token"))
    problems += _check_secret(settings)
    secret = _text(settings, "secret")
    if secret and not secret.startswith("SEC"):
        problems.append(fault("channel.dingtalk.bad_secret"))
    return problems


def _check_feishu(settings: Mapping[str, Any]) -> list[Fault]:
    problems, url = _check_url(settings, "feishu")
    if url and not problems and "/bot/v2/hook/" not in urlsplit(url).path:
        problems.append(fault("channel.feishu.not_a_hook"))
    return problems + _check_secret(settings)


def _check_webhook(settings: Mapping[str, Any]) -> list[Fault]:
    problems, _ = _check_url(settings, "webhook")
    return problems + _check_secret(settings)


_CHECKS: dict[str, Callable[[Mapping[str, Any]], list[Fault]]] = {
    "email": _check_email,
    "wecom": _check_wecom,
    "dingtalk": _check_dingtalk,
    "feishu": _check_feishu,
    "webhook": _check_webhook,
}
