"""Setting notifications up (NTF-1..3): channels, people's preferences and the templates.

Channels and templates are administrators' business; a person sets their own preferences
(an administrator may set anyone's). Every change is checked before it is saved: a bad
channel setting or a template that does not compile changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.errors import ConflictError, Fault, InputError, NotFoundError, fault
from oaflow.domain.labels import MESSAGE_EVENTS
from oaflow.domain.security import Permission, Principal
from oaflow.domain.text import Text
from oaflow.domain.wording import Joined, sentences
from oaflow.notify import templates
from oaflow.notify.channels.base import KINDS
from oaflow.notify.channels.registry import check_endpoint_settings
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.storage import notify_repo

#: what a user gets when they have set nothing
PERSONAL_CHANNELS = ("inapp", "email")
DEFAULT_PREFERENCES: dict[str, Any] = {
    "channels": list(PERSONAL_CHANNELS),
    "muted": [],
    "digest_hour": None,
    "locale": "",
}
#: the platforms' documented limits, messages per minute (0: none)
DEFAULT_PER_MINUTE = {"wecom": 20, "dingtalk": 20, "feishu": 100}
#: the events a department's group robot takes unless told otherwise
EVENTS = templates.EVENTS
#: events meant for one person: company-wide channels take them only when told to
PERSONAL_EVENTS = ("digest", "urge", "cc")
COMPANY_EVENTS = tuple(e for e in EVENTS if e not in PERSONAL_EVENTS)
GROUP_EVENTS = ("task_assigned", "deadline_warning", "overdue", "escalation", "exception_opened")
_SECRET_NAMES = ("secret", "password")


def require_administrator(app: App, conn: Connection, who: Principal) -> None:
    authz.authorize(app, conn, who, Permission.ADMINISTER)


# -- channels -----------------------------------------------------------------------------
def add_channel(
    app: App,
    who: Principal,
    name: str,
    kind: str,
    settings: Mapping[str, Any],
    department: str | None = None,
    events: Sequence[str] = (),
    per_minute: int | None = None,
) -> int:
    """Configure a channel: the SMTP server, a department's group robot or a webhook."""
    problems = _channel_problems(kind, settings, events, per_minute)
    if problems:
        raise InputError("channel.invalid", problems=sentences(problems))
    with app.db.write() as conn:
        require_administrator(app, conn, who)
        if department is not None and department not in app.org(conn).departments:
            raise NotFoundError("department.not_found", department=department)
        if notify_repo.endpoint_named(conn, name) is not None:
            raise ConflictError("channel.exists", name=name)
        limit = DEFAULT_PER_MINUTE.get(kind, 0) if per_minute is None else per_minute
        found = notify_repo.add_endpoint(
            conn,
            name=name,
            kind=kind,
            settings=dict(settings),
            department=department,
            events=list(events),
            per_minute=limit,
            enabled=True,
            disabled_reason="",
            created_at=app.now(),
        )
        detail: dict[str, Any] = {"kind": kind, "department": department, "events": list(events)}
        audit.record(
            app,
            conn,
            who,
            AuditAction.CHANNEL_ADD,
            f"channel:{name}",
            **detail,
            per_minute=limit,
            settings=sorted(settings),  # the names only: values may be secrets
        )
        return found


def change_channel(
    app: App,
    who: Principal,
    name: str,
    settings: Mapping[str, Any],
    events: Sequence[str] | None = None,
    per_minute: int | None = None,
) -> None:
    """Change some of a channel's settings (a new secret, say), checked like a new channel;
    its dead letters can then be re-driven."""
    with app.db.write() as conn:
        require_administrator(app, conn, who)
        found = channel_named(conn, name)
        merged = {**found["settings"], **settings}
        chosen = found["events"] if events is None else list(events)
        problems = _channel_problems(found["kind"], merged, chosen, per_minute)
        if problems:
            raise InputError("channel.invalid_change", problems=sentences(problems))
        limit = found["per_minute"] if per_minute is None else per_minute
        notify_repo.update_endpoint(
            conn, found["id"], settings=merged, events=chosen, per_minute=limit
        )
        audit.record(
            app,
            conn,
            who,
            AuditAction.CHANNEL_CHANGE,
            f"channel:{name}",
            events=chosen,
            per_minute=limit,
            settings=sorted(settings),  # the names only: values may be secrets
        )


def _channel_problems(
    kind: str, settings: Mapping[str, Any], events: Sequence[str], per_minute: int | None
) -> list[Fault]:
    if kind not in KINDS:
        return check_endpoint_settings(kind, settings)  # names the kinds
    problems = check_endpoint_settings(kind, settings)
    problems += [
        fault("channel.unknown_event", event=e, events=", ".join(templates.EVENTS))
        for e in events
        if e not in templates.EVENTS
    ]
    if per_minute is not None and per_minute < 0:
        problems.append(fault("channel.negative_per_minute"))
    return problems


@dataclass(frozen=True)
class ChannelView:
    """A configured channel with its secrets and robot keys masked."""

    id: int
    name: str
    kind: str
    settings: Mapping[str, Any]
    department: str | None
    events: tuple[str, ...]
    per_minute: int
    enabled: bool
    disabled_reason: str
    created_at: datetime


@dataclass(frozen=True)
class Preferences:
    """How a person wants to be told (NTF-1..3)."""

    login: str
    channels: tuple[str, ...]
    muted: tuple[str, ...]
    digest_hour: int | None
    locale: str


@dataclass(frozen=True)
class TemplateView:
    event: str
    locale: str
    label: Text
    customised: bool
    subject: str = ""
    body: str = ""


def channels(app: App, who: Principal) -> list[ChannelView]:
    """The configured channels, secrets masked (administrators and auditors)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        rows = notify_repo.endpoint_list(conn)
    return [
        ChannelView(
            id=r["id"],
            name=r["name"],
            kind=r["kind"],
            settings=masked_settings(r["settings"]),
            department=r["department"],
            events=tuple(r["events"]),
            per_minute=r["per_minute"],
            enabled=r["enabled"],
            disabled_reason=r["disabled_reason"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


def masked_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    def mask(name: str, value: Any) -> Any:
        if any(s in name for s in _SECRET_NAMES) and value:
            return "******"
        if name == "url" and isinstance(value, str):
            return _masked_url(value)
        return value

    return {name: mask(name, value) for name, value in settings.items()}


def _masked_url(url: str) -> str:
    """A robot's url without its key: the query (WeCom, DingTalk) and what follows
    ``/hook/`` (Feishu) are hidden."""
    base, query = url.split("?", 1) if "?" in url else (url, "")
    if "/hook/" in base:
        base = base.split("/hook/", 1)[0] + "/hook/******"
    return base + ("?******" if query else "")


def set_channel_enabled(app: App, who: Principal, name: str, enabled: bool) -> None:
    with app.db.write() as conn:
        require_administrator(app, conn, who)
        found = channel_named(conn, name)
        reason = "" if enabled else f"disabled by {who.login}"
        notify_repo.set_endpoint_enabled(conn, found["id"], enabled, reason)
        action = AuditAction.CHANNEL_ENABLE if enabled else AuditAction.CHANNEL_DISABLE
        audit.record(app, conn, who, action, f"channel:{name}")


def remove_channel(app: App, who: Principal, name: str) -> None:
    with app.db.write() as conn:
        require_administrator(app, conn, who)
        found = channel_named(conn, name)
        notify_repo.remove_endpoint(conn, found["id"])
        audit.record(
            app, conn, who, AuditAction.CHANNEL_REMOVE, f"channel:{name}", kind=found["kind"]
        )


def channel_named(conn: Connection, name: str) -> dict[str, Any]:
    found = notify_repo.endpoint_named(conn, name)
    if found is None:
        raise NotFoundError("channel.not_found", name=name)
    return found


# -- preferences --------------------------------------------------------------------------
def preferences(app: App, who: Principal, login: str) -> Preferences:
    """``login``'s notification preferences: their own, or anyone's for administrators."""
    with app.db.read() as conn:
        _for_whom(app, conn, who, login)
        stored = notify_repo.preferences_of(conn, [login]).get(login)
    found = {**DEFAULT_PREFERENCES, **(stored or {})}
    return Preferences(
        login=login,
        channels=tuple(found["channels"]),
        muted=tuple(found["muted"]),
        digest_hour=found["digest_hour"],
        locale=found["locale"] or app.default_locale,
    )


def set_preferences(app: App, who: Principal, login: str, **changes: Any) -> Preferences:
    """Change ``login``'s preferences (channels, muted, digest_hour, locale) — their own, or
    anyone's for an administrator."""
    _check_preferences(changes)
    with app.db.write() as conn:
        _for_whom(app, conn, who, login)
        stored = notify_repo.preferences_of(conn, [login]).get(login) or {}
        merged = {**DEFAULT_PREFERENCES, **stored, **changes}
        merged.pop("login", None)
        notify_repo.save_preferences(conn, login, **merged)
        audit.record(app, conn, who, AuditAction.PREFS_SET, f"user:{login}", **changes)
    return preferences(app, who, login)


def _check_preferences(changes: Mapping[str, Any]) -> None:
    problems = [
        fault("prefs.channel_not_personal", channel=c, known=list(PERSONAL_CHANNELS))
        for c in changes.get("channels", ())
        if c not in PERSONAL_CHANNELS
    ]
    problems += [
        fault("event.unknown", event=e, known=list(EVENTS))
        for e in changes.get("muted", ())
        if e not in EVENTS
    ]
    hour = changes.get("digest_hour")
    if hour is not None and not 0 <= hour <= 23:
        problems.append(fault("prefs.digest_hour", hour=hour))
    if changes.get("locale", "zh") not in templates.LOCALES:
        problems.append(fault("locale.unknown", locale=changes["locale"]))
    if problems:
        raise InputError("prefs.invalid", problems=problems)


def _for_whom(app: App, conn: Connection, who: Principal, login: str) -> None:
    """``who`` may manage ``login``'s preferences: their own, or anyone's as administrator."""
    if login not in app.org(conn).users:
        raise NotFoundError("access.unknown_user", login=login)
    if login != who.login:
        require_administrator(app, conn, who)


# -- templates ----------------------------------------------------------------------------
def template_list(app: App, who: Principal) -> list[TemplateView]:
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        stored = notify_repo.stored_templates(conn)
    return [
        TemplateView(event, locale, MESSAGE_EVENTS[event], (event, locale) in stored)
        for event in templates.EVENTS
        for locale in templates.LOCALES
    ]


def template(app: App, who: Principal, event: str, locale: str) -> TemplateView:
    """The template in use for ``event`` in ``locale``: the administrator's, or the default."""
    _check_event(event, locale)
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        stored = notify_repo.stored_templates(conn).get((event, locale))
    subject, body = templates.default_template(event, locale)
    if stored is not None:
        subject, body = stored["subject"], stored["body"]
    return TemplateView(event, locale, MESSAGE_EVENTS[event], stored is not None, subject, body)


def set_template(
    app: App, who: Principal, event: str, locale: str, subject: str, body: str
) -> TemplateView:
    """Save an administrator's template after checking it compiles, uses only known
    variables and renders the sample; a bad one changes nothing."""
    _check_event(event, locale)
    problems = templates.check_template(subject, body)
    if problems:
        variables = ", ".join(sorted(templates.VARIABLES))
        raise InputError(
            "template.invalid", problems=Joined(tuple(problems), " ", " "), variables=variables
        )
    with app.db.write() as conn:
        require_administrator(app, conn, who)
        notify_repo.save_template(
            conn,
            event,
            locale,
            subject=subject,
            body=body,
            updated_at=app.now(),
            updated_by=who.login,
        )
        audit.record(app, conn, who, AuditAction.TEMPLATE_SET, f"template:{event}/{locale}")
    return template(app, who, event, locale)


def reset_template(app: App, who: Principal, event: str, locale: str) -> bool:
    _check_event(event, locale)
    with app.db.write() as conn:
        require_administrator(app, conn, who)
        reset = notify_repo.reset_template(conn, event, locale) > 0
        if reset:
            audit.record(app, conn, who, AuditAction.TEMPLATE_RESET, f"template:{event}/{locale}")
        return reset


def preview(app: App, who: Principal, event: str, locale: str) -> templates.Rendered:
    """The template in use, rendered with the sample values."""
    found = template(app, who, event, locale)
    sample = templates.sample_context(locale)
    return templates.render(found.subject, found.body, sample, locale=locale)


def _check_event(event: str, locale: str) -> None:
    if event not in templates.EVENTS:
        raise NotFoundError("event.no_template", event=event, known=list(templates.EVENTS))
    if locale not in templates.LOCALES:
        raise InputError("locale.unknown", locale=locale)
