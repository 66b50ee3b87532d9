"""The one interface every channel implements, and the values that cross it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

#: channel kinds an endpoint can have
KINDS = ("email", "wecom", "dingtalk", "feishu", "webhook", "recording")

Outcome = Literal["sent", "retry", "gone", "failed"]


@dataclass(frozen=True)
class Endpoint:
    """Where messages go: a configured channel. ``settings`` holds what the kind needs:
    email — host, port, tls ('none' | 'starttls' | 'ssl'), username, password, sender,
    sender_name; robots and webhooks — url and secret (WeCom: the key is in the url)."""

    id: int
    kind: str
    name: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outgoing:
    """One rendered message to one address of one endpoint. ``address`` is the e-mail
    address for email and empty for robots / webhooks (they post to the endpoint)."""

    message_id: str
    event: str
    subject: str
    text: str
    html: str
    address: str = ""
    address_name: str = ""
    link: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    """What happened: ``sent``; ``retry`` (temporary: 5xx, timeout, refused, 429 — with
    ``retry_after`` seconds when the server said so); ``gone`` (410: disable the endpoint);
    ``failed`` (permanent: bad configuration, 4xx, an answer the platform marks as an error)."""

    outcome: Outcome
    detail: str = ""
    retry_after: float | None = None


class Channel(Protocol):
    def send(self, endpoint: Endpoint, message: Outgoing, now: datetime) -> SendResult:
        """Deliver ``message``; never raises for delivery problems (they are results)."""
        ...
