"""Notification channels and templates (/admin/channels, /admin/templates/{event}): the
channels with their settings (added, switched on or off, a test message sent) and each
event's message in each language (changed with a preview, or back to the built-in one)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from oaflow.bootstrap import build_channels
from oaflow.notify.templates import EVENTS, LOCALES, VARIABLES
from oaflow.services import delivery, notify_admin
from oaflow.services.notify_admin import TemplateView
from oaflow.web import render
from oaflow.web.routes.admin.common import Short, Shown, blank, gate, make_change, page
from oaflow.web.routes.admin.organisation import department_rows, read_organisation
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Event = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
Locale = Annotated[str, Query(pattern=r"^(zh|en)$")]
#: the kinds of channel the page adds (the recording channel is for tests)
CHANNEL_KINDS = ("webhook", "wecom", "dingtalk", "feishu", "email")
BACK = "/admin/channels"


@router.get("/admin/channels")
def channels_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    gate(viewer)
    return _page(request, app, viewer)


def _page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    shown: Shown = Shown(),
    tested: str = "",
) -> Response:
    who = viewer.principal
    return page(
        request,
        app,
        viewer,
        "admin_channels.html",
        "channels",
        shown,
        channels=notify_admin.channels(app, who),
        templates=_by_event(notify_admin.template_list(app, who)),
        locales=LOCALES,
        departments=department_rows(read_organisation(app, viewer)),
        kinds=CHANNEL_KINDS,
        sent=blank("name", "kind", "department", "url", "host", "port", "sender")
        | dict(shown.sent or {}),
        tested=tested,
        settings_text=_settings_text,
    )


def _by_event(found: list[TemplateView]) -> list[tuple[str, dict[str, TemplateView]]]:
    """The templates by event (in the order of the events), each with its locales."""
    rows: dict[str, dict[str, TemplateView]] = {}
    for template in found:
        rows.setdefault(template.event, {})[template.locale] = template
    return list(rows.items())


def _settings_text(settings: Mapping[str, Any]) -> str:
    """A channel's settings (secrets already masked) as ``name: value`` pairs."""
    return "; ".join(f"{k}: {v}" for k, v in settings.items())


@router.post("/admin/channels")
def add_channel(
    request: Request,
    app: TheApp,
    viewer: Seen,
    name: Short = "",
    kind: Short = "",
    department: Short = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    secret: Short = "",
    host: Short = "",
    port: Short = "",
    sender: Short = "",
) -> Response:
    """Add a channel: a group robot or webhook (its URL) or the SMTP server; the service
    checks the settings and a bad one adds nothing."""
    gate(viewer)
    sent = {"name": name, "kind": kind, "department": department, "url": url}
    sent |= {"host": host, "port": port, "sender": sender}
    settings: dict[str, Any]
    if kind == "email":
        settings = {"host": host, "sender": sender}
        if port.strip():
            settings["port"] = int(port) if port.strip().isdigit() else port
    else:
        settings = {"url": url}
        if secret:
            settings["secret"] = secret

    def add() -> str:
        where = department or None
        notify_admin.add_channel(app, viewer.principal, name.strip(), kind, settings, where)
        return render.word("adm_channel_added", viewer.lang, name=name)

    return make_change(app, viewer, add, partial(_page, request, app, viewer), BACK, sent)


@router.post("/admin/channels/enabled")
def enable_channel(
    request: Request,
    app: TheApp,
    viewer: Seen,
    name: Short = "",
    enabled: Short = "",
) -> Response:
    """Switch a channel on (``enabled=true``) or off."""
    gate(viewer)
    on = enabled == "true"

    def switch() -> str:
        notify_admin.set_channel_enabled(app, viewer.principal, name, on)
        said = "adm_channel_enabled" if on else "adm_channel_disabled"
        return render.word(said, viewer.lang, name=name)

    return make_change(app, viewer, switch, partial(_page, request, app, viewer), BACK)


@router.post("/admin/channels/test")
def test_channel(request: Request, app: TheApp, viewer: Seen, name: Short = "") -> Response:
    """Send a test message through a channel now (e-mail: to one's own address) and show
    what came of it."""
    gate(viewer)

    def send() -> Response:
        with build_channels() as built:
            result = delivery.try_channel(app, viewer.principal, name, built)
        outcome = render.word(f"adm_outcome_{result.outcome}", viewer.lang)
        said = render.word("adm_test_result", viewer.lang, name=name, outcome=outcome)
        return _page(request, app, viewer, tested=f"{said} {result.detail}".strip())

    return make_change(app, viewer, send, partial(_page, request, app, viewer))


@router.get("/admin/templates/{event}")
def template_page(
    request: Request, event: Event, app: TheApp, viewer: Seen, locale: Locale = "zh"
) -> Response:
    gate(viewer)
    return _template_page(request, app, viewer, event, locale)


def _template_page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    event: str,
    locale: str,
    shown: Shown = Shown(),
) -> Response:
    found = notify_admin.template(app, viewer.principal, event, locale)
    preview = notify_admin.preview(app, viewer.principal, event, locale)
    sent = shown.sent or {"subject": found.subject, "body": found.body}
    return page(
        request,
        app,
        viewer,
        "admin_template.html",
        "channels",
        shown,
        t=found,
        preview=preview,
        sent=sent,
        variables=", ".join(sorted(VARIABLES)),
    )


@router.post("/admin/templates/{event}")
def save_template(
    request: Request,
    event: Event,
    app: TheApp,
    viewer: Seen,
    locale: Annotated[str, Form(pattern=r"^(zh|en)$")] = "zh",
    subject: Annotated[str, Form(max_length=400)] = "",
    body: Annotated[str, Form(max_length=4000)] = "",
    intent: Annotated[str, Form(max_length=16)] = "save",
) -> Response:
    """Save a template after the service checked it (a bad one changes nothing), or go back
    to the built-in one (``intent=reset``)."""
    gate(viewer)
    if event not in EVENTS or locale not in LOCALES:
        return render.error_page(request, app, 404, render.word("not_found", viewer.lang))

    def save() -> str:
        if intent == "reset":
            notify_admin.reset_template(app, viewer.principal, event, locale)
            return render.word("adm_template_reset", viewer.lang)
        notify_admin.set_template(app, viewer.principal, event, locale, subject, body)
        return render.word("adm_template_saved", viewer.lang)

    sent = {"subject": subject, "body": body}
    again = partial(_template_page, request, app, viewer, event, locale)
    return make_change(app, viewer, save, again, f"/admin/templates/{event}?locale={locale}", sent)
