"""Administration pages (管理): the organisation with its people and deputies, the business
calendar, notification channels and templates, dead letters, API tokens and the audit log.
Administrators change; auditors read. Everyone else is refused (403), as the services refuse
them. Every change calls the same service as the API and the CLI; a refused input shows the
page again with why, and nothing changes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.api.schemas import MAX_ID
from oaflow.bootstrap import build_channels
from oaflow.domain.calendar_text import periods_text
from oaflow.domain.clock import parse_instant
from oaflow.domain.errors import OAFlowError
from oaflow.domain.org import Department, Organisation
from oaflow.domain.security import Permission, granted
from oaflow.domain.text import Text
from oaflow.notify.templates import EVENTS, LOCALES, VARIABLES
from oaflow.present import words
from oaflow.services import (
    audit,
    auth,
    authz,
    calendar,
    delivery,
    deputies,
    messages,
    notify_admin,
    organisation,
)
from oaflow.services.audit import AuditEntry, Verification
from oaflow.services.auth import SCOPES
from oaflow.services.notify_admin import TemplateView
from oaflow.services.view_parts import Names
from oaflow.services.views import Person
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Event = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
Locale = Annotated[str, Query(pattern=r"^(zh|en)$")]
Short = Annotated[str, Form(max_length=200)]
#: the kinds of channel the page adds (the recording channel is for tests)
CHANNEL_KINDS = ("webhook", "wecom", "dingtalk", "feishu", "email")
#: the order roles are listed in
ROLE_ORDER = (
    "general_manager",
    "supervising_leader",
    "head",
    "administrator",
    "auditor",
    "member",
)
#: characters of an audit detail's value shown in the table
SHORT_DETAIL = 40
#: the audit entries shown unless asked for more or fewer
AUDIT_SHOWN = 100


# -- who may look ---------------------------------------------------------------------------
def _gate(viewer: Viewer) -> None:
    """Administrators and auditors only; anyone else is refused like the services refuse
    (a 403 page, and a denial in the audit log)."""
    if not granted(viewer.principal, Permission.AUDIT):
        raise authz.forbidden(viewer.principal, Permission.AUDIT, "admin")


def _is_admin(viewer: Viewer) -> bool:
    return granted(viewer.principal, Permission.ADMINISTER)


def _page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    template: str,
    section: str,
    status: int = 200,
    error: str = "",
    **context: Any,
) -> Response:
    return render.page(
        request,
        app,
        viewer,
        template,
        status=status,
        section=section,
        error=error,
        admin=_is_admin(viewer),
        **context,
    )


def _done(path: str, message: str) -> Response:
    """Back to ``path`` (and its ``#anchor``) after a change, saying what was done."""
    path, _, anchor = path.partition("#")
    joiner = "&" if "?" in path else "?"
    where = path + joiner + urlencode({"flash": message}) + (f"#{anchor}" if anchor else "")
    return RedirectResponse(where, status_code=303)


def _refused(error: OAFlowError, viewer: Viewer, app: TheApp) -> str:
    """What a refused change says; a forbidden one goes to the error page."""
    if error.kind == "forbidden":
        raise error
    return error.text(viewer.lang, app.calendar.tz)


def _blank(*names: str) -> dict[str, str]:
    """A form's fields, empty (what was sent is laid over them)."""
    return dict.fromkeys(names, "")


def _status(error: OAFlowError) -> int:
    return {"conflict": 409, "not_found": 404}.get(error.kind, 422)


# -- overview -------------------------------------------------------------------------------
@router.get("/admin")
def overview(request: Request, app: TheApp, viewer: Seen) -> Response:
    _gate(viewer)
    who = viewer.principal
    org = _organisation(app, viewer)
    year = calendar.show(app, who)
    channels = notify_admin.channels(app, who)
    customised = [t for t in notify_admin.template_list(app, who) if t.customised]
    now = app.now()
    summary = {
        "org": render.word(
            "adm_org_summary",
            viewer.lang,
            d=len(org.departments),
            u=len(org.users),
            n=len(deputies.list_deputies(app, who)),
        ),
        "calendar": render.word(
            "adm_calendar_summary",
            viewer.lang,
            year=year.year,
            n=len(year.days),
            state=render.word(
                "adm_confirmed" if year.confirmed else "adm_unconfirmed", viewer.lang
            ),
        ),
        "channels": render.word(
            "adm_channels_summary",
            viewer.lang,
            n=len(channels),
            on=sum(1 for c in channels if c.enabled),
            t=len(customised),
        ),
        "deliveries": render.word(
            "adm_dead_summary", viewer.lang, n=len(messages.deliveries(app, who, "dead"))
        ),
        "tokens": render.word(
            "adm_tokens_summary",
            viewer.lang,
            n=sum(1 for t in auth.tokens(app, who) if t.revoked_at is None and t.expires_at > now),
        ),
        "audit": render.word("adm_audit_summary", viewer.lang),
    }
    return _page(request, app, viewer, "admin.html", "overview", summary=summary)


# -- organisation, people and deputies ------------------------------------------------------
@dataclass(frozen=True)
class DepartmentRow:
    """A department in tree order: its depth, head, interface persons and supervising
    leader (``inherited``: the leader comes from a department above)."""

    depth: int
    code: str
    name: Text
    head: Person | None
    interfaces: tuple[Person, ...]
    leader: Person | None
    inherited: bool


def _organisation(app: TheApp, viewer: Viewer) -> Organisation:
    """The organisation as auditors and administrators read it (the export's service)."""
    _, org = organisation.export_org_data(app, viewer.principal, "organisation.yaml")
    return org


def department_rows(org: Organisation) -> list[DepartmentRow]:
    """Every department, each parent before its children (file order among siblings)."""
    names = Names(org)
    rows: list[DepartmentRow] = []
    seen: set[str] = set()

    def walk(department: Department, depth: int) -> None:
        if department.code in seen:
            return
        seen.add(department.code)
        leader = org.leader_of(department.code)
        rows.append(
            DepartmentRow(
                depth,
                department.code,
                department.name,
                names.person(department.head),
                names.people(department.interfaces),
                names.person(leader),
                leader is not None and department.leader is None,
            )
        )
        for child in org.children_of(department.code):
            walk(org.departments[child], depth + 1)

    roots = [d for d in org.departments.values() if d.parent not in org.departments]
    for department in [*roots, *org.departments.values()]:  # then any left in a cycle
        walk(department, 0)
    return rows


@router.get("/admin/organisation")
def organisation_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    _gate(viewer)
    return _organisation_page(request, app, viewer)


def _organisation_page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    status: int = 200,
    error: str = "",
    sent: Mapping[str, str] | None = None,
) -> Response:
    org = _organisation(app, viewer)
    people = organisation.users(app, viewer.principal)
    return _page(
        request,
        app,
        viewer,
        "admin_org.html",
        "organisation",
        status=status,
        error=error,
        departments=department_rows(org),
        people=people,
        roles_in_order=_roles_in_order,
        active=[p for p in people if p.active],
        delegations=deputies.list_deputies(app, viewer.principal),
        sent=_blank("user", "deputy", "starts", "ends") | dict(sent or {}),
    )


def _roles_in_order(roles: tuple[str, ...]) -> list[str]:
    """A person's roles, the most senior first (``member`` last)."""
    return sorted(roles, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER))


@router.post("/admin/deputies")
def set_deputy(
    request: Request,
    app: TheApp,
    viewer: Seen,
    user: Short = "",
    deputy: Short = "",
    starts: Short = "",
    ends: Short = "",
) -> Response:
    """Name ``user``'s deputy from ``starts`` until ``ends`` (times in the calendar's zone)."""
    _gate(viewer)
    sent = {"user": user, "deputy": deputy, "starts": starts, "ends": ends}
    tz = app.calendar.tz
    try:
        begin, end = parse_instant(starts, tz), parse_instant(ends, tz)
        deputies.set_deputy(app, viewer.principal, user, deputy, begin, end)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _organisation_page(request, app, viewer, _status(error), message, sent)
    names = {p.login: p.name.get(viewer.lang) for p in organisation.users(app, viewer.principal)}
    said = render.word(
        "adm_deputy_set", viewer.lang, deputy=names.get(deputy, deputy), user=names.get(user, user)
    )
    return _done("/admin/organisation", said)


@router.post("/admin/deputies/end")
def end_deputy(request: Request, app: TheApp, viewer: Seen, user: Short = "") -> Response:
    """End every delegation of ``user`` (tasks already with the deputy stay there)."""
    _gate(viewer)
    try:
        ended = deputies.clear_deputy(app, viewer.principal, user)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _organisation_page(request, app, viewer, _status(error), message)
    said = render.word("adm_deputy_ended", viewer.lang, user=user, n=ended)
    return _done("/admin/organisation", said)


# -- calendar -------------------------------------------------------------------------------
@router.get("/admin/calendar")
def calendar_page(
    request: Request,
    app: TheApp,
    viewer: Seen,
    year: Annotated[int | None, Query(ge=1950, le=2099)] = None,
) -> Response:
    _gate(viewer)
    return _calendar_page(request, app, viewer, year)


def _calendar_page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    year: int | None,
    status: int = 200,
    error: str = "",
    sent: Mapping[str, str] | None = None,
) -> Response:
    shown = calendar.show(app, viewer.principal, year)
    weekdays = render.word("adm_weekdays", viewer.lang).split(",")
    return _page(
        request,
        app,
        viewer,
        "admin_calendar.html",
        "calendar",
        status=status,
        error=error,
        cal=shown,
        hours=periods_text(shown.periods),
        weekend=", ".join(weekdays[d] for d in sorted(shown.weekend) if 0 <= d < 7),
        weekdays=weekdays,
        sent=_blank("day", "kind", "name") | dict(sent or {}),
    )


@router.post("/admin/calendar/days")
def set_day(
    request: Request,
    app: TheApp,
    viewer: Seen,
    day: Short = "",
    kind: Short = "",
    name: Short = "",
) -> Response:
    """Make ``day`` a company day off or working day, or give it back to the national
    schedule (``kind=reset``)."""
    _gate(viewer)
    sent = {"day": day, "kind": kind, "name": name}
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        message = render.word("adm_bad_date", viewer.lang, text=day)
        return _calendar_page(request, app, viewer, None, 422, message, sent)
    try:
        if kind == "reset":
            calendar.reset_day(app, viewer.principal, when)
        else:
            calendar.set_day(app, viewer.principal, when, kind, name)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _calendar_page(request, app, viewer, when.year, _status(error), message, sent)
    kind_word = render.word(f"adm_kind_{kind}", viewer.lang)
    said = render.word("adm_day_saved", viewer.lang, day=when.isoformat(), kind=kind_word)
    return _done(f"/admin/calendar?year={when.year}", said)


@router.post("/admin/calendar/confirm")
def confirm_year(
    request: Request,
    app: TheApp,
    viewer: Seen,
    year: Annotated[int, Form(ge=1950, le=2099)],
) -> Response:
    """Mark a year's official schedule as entered: its deadlines are no longer provisional."""
    _gate(viewer)
    try:
        calendar.confirm_year(app, viewer.principal, year)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _calendar_page(request, app, viewer, year, _status(error), message)
    said = render.word("adm_year_confirmed", viewer.lang, year=year)
    return _done(f"/admin/calendar?year={year}", said)


# -- notification channels and templates ----------------------------------------------------
@router.get("/admin/channels")
def channels_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    _gate(viewer)
    return _channels_page(request, app, viewer)


def _channels_page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    status: int = 200,
    error: str = "",
    sent: Mapping[str, str] | None = None,
    tested: str = "",
) -> Response:
    who = viewer.principal
    org = _organisation(app, viewer)
    return _page(
        request,
        app,
        viewer,
        "admin_channels.html",
        "channels",
        status=status,
        error=error,
        channels=notify_admin.channels(app, who),
        templates=_by_event(notify_admin.template_list(app, who)),
        locales=LOCALES,
        departments=department_rows(org),
        kinds=CHANNEL_KINDS,
        sent=_blank("name", "kind", "department", "url", "host", "port", "sender")
        | dict(sent or {}),
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
    _gate(viewer)
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
    try:
        notify_admin.add_channel(
            app, viewer.principal, name.strip(), kind, settings, department or None
        )
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _channels_page(request, app, viewer, _status(error), message, sent)
    return _done("/admin/channels", render.word("adm_channel_added", viewer.lang, name=name))


@router.post("/admin/channels/enabled")
def enable_channel(
    request: Request,
    app: TheApp,
    viewer: Seen,
    name: Short = "",
    enabled: Short = "",
) -> Response:
    """Switch a channel on (``enabled=true``) or off."""
    _gate(viewer)
    on = enabled == "true"
    try:
        notify_admin.set_channel_enabled(app, viewer.principal, name, on)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _channels_page(request, app, viewer, _status(error), message)
    said = render.word(
        "adm_channel_enabled" if on else "adm_channel_disabled", viewer.lang, name=name
    )
    return _done("/admin/channels", said)


@router.post("/admin/channels/test")
def test_channel(request: Request, app: TheApp, viewer: Seen, name: Short = "") -> Response:
    """Send a test message through a channel now (e-mail: to one's own address) and show
    what came of it."""
    _gate(viewer)
    try:
        with build_channels() as built:
            result = delivery.try_channel(app, viewer.principal, name, built)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _channels_page(request, app, viewer, _status(error), message)
    outcome = render.word(f"adm_outcome_{result.outcome}", viewer.lang)
    said = render.word("adm_test_result", viewer.lang, name=name, outcome=outcome)
    return _channels_page(request, app, viewer, tested=f"{said} {result.detail}".strip())


@router.get("/admin/templates/{event}")
def template_page(
    request: Request, event: Event, app: TheApp, viewer: Seen, locale: Locale = "zh"
) -> Response:
    _gate(viewer)
    return _template_page(request, app, viewer, event, locale)


def _template_page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    event: str,
    locale: str,
    status: int = 200,
    error: str = "",
    sent: Mapping[str, str] | None = None,
) -> Response:
    found = notify_admin.template(app, viewer.principal, event, locale)
    preview = notify_admin.preview(app, viewer.principal, event, locale)
    shown = sent or {"subject": found.subject, "body": found.body}
    return _page(
        request,
        app,
        viewer,
        "admin_template.html",
        "channels",
        status=status,
        error=error,
        t=found,
        preview=preview,
        sent=shown,
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
    _gate(viewer)
    if event not in EVENTS or locale not in LOCALES:
        return render.error_page(request, app, 404, render.word("not_found", viewer.lang))
    try:
        if intent == "reset":
            notify_admin.reset_template(app, viewer.principal, event, locale)
            said = render.word("adm_template_reset", viewer.lang)
        else:
            notify_admin.set_template(app, viewer.principal, event, locale, subject, body)
            said = render.word("adm_template_saved", viewer.lang)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        sent = {"subject": subject, "body": body}
        return _template_page(request, app, viewer, event, locale, _status(error), message, sent)
    return _done(f"/admin/templates/{event}?locale={locale}", said)


# -- dead letters ---------------------------------------------------------------------------
@router.get("/admin/deliveries")
def deliveries_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    _gate(viewer)
    return _deliveries_page(request, app, viewer)


def _deliveries_page(
    request: Request, app: TheApp, viewer: Viewer, status: int = 200, error: str = ""
) -> Response:
    dead = messages.deliveries(app, viewer.principal, "dead")
    return _page(
        request,
        app,
        viewer,
        "admin_deliveries.html",
        "deliveries",
        status=status,
        error=error,
        dead=list(reversed(dead)),  # newest first
        delivery_state=lambda s: words.delivery_status_label(s, viewer.lang),
    )


@router.post("/admin/deliveries/{intent}")
def redrive_or_discard(
    request: Request,
    intent: Annotated[str, Path(pattern=r"^(retry|discard)$")],
    app: TheApp,
    viewer: Seen,
    ids: Annotated[list[int] | None, Form(max_length=1000)] = None,
) -> Response:
    """Send dead deliveries again (none chosen: every dead one) or give up on them."""
    _gate(viewer)
    chosen = [i for i in ids or [] if 1 <= i <= MAX_ID]
    try:
        if intent == "retry":
            count = delivery.redrive(app, viewer.principal, chosen or None)
            said = render.word("adm_retried", viewer.lang, n=count)
        else:
            count = delivery.discard(app, viewer.principal, chosen)
            said = render.word("adm_discarded", viewer.lang, n=count)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _deliveries_page(request, app, viewer, _status(error), message)
    return _done("/admin/deliveries", said)


# -- API tokens -----------------------------------------------------------------------------
@router.get("/admin/tokens")
def tokens_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    _gate(viewer)
    return _tokens_page(request, app, viewer)


def _tokens_page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    status: int = 200,
    error: str = "",
    sent: Mapping[str, Any] | None = None,
    secret: str = "",
) -> Response:
    people = organisation.users(app, viewer.principal)
    now = app.now()
    found = sorted(auth.tokens(app, viewer.principal), key=lambda t: t.id, reverse=True)
    return _page(
        request,
        app,
        viewer,
        "admin_tokens.html",
        "tokens",
        status=status,
        error=error,
        tokens=found,
        now=now,
        names={p.login: p.name for p in people},
        active=[p for p in people if p.active],
        scopes=SCOPES,
        sent=sent or {"login": viewer.login, "scopes": ["read"], "days": "90", "name": ""},
        secret=secret,
    )


@router.post("/admin/tokens")
def create_token(
    request: Request,
    app: TheApp,
    viewer: Seen,
    name: Short = "",
    login: Short = "",
    scopes: Annotated[list[str] | None, Form(max_length=10)] = None,
    days: Short = "90",
) -> Response:
    """A new token; its secret is on this answer's page only."""
    _gate(viewer)
    chosen = [s for s in scopes or [] if s]
    sent = {"name": name, "login": login, "scopes": chosen, "days": days}
    try:
        wanted_days = int(days) if days.strip().lstrip("-").isdigit() else 0
        secret, _ = auth.create_token(
            app, viewer.principal, login or viewer.login, name, chosen, wanted_days
        )
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _tokens_page(request, app, viewer, _status(error), message, sent)
    return _tokens_page(request, app, viewer, status=201, secret=secret)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    app: TheApp,
    viewer: Seen,
) -> Response:
    _gate(viewer)
    try:
        auth.revoke_token(app, viewer.principal, token_id)
    except OAFlowError as error:
        message = _refused(error, viewer, app)
        return _tokens_page(request, app, viewer, _status(error), message)
    return _done("/admin/tokens", render.word("adm_token_revoked", viewer.lang, id=token_id))


# -- audit log ------------------------------------------------------------------------------
@router.get("/admin/audit")
def audit_page(
    request: Request,
    app: TheApp,
    viewer: Seen,
    limit: Annotated[int, Query(ge=1, le=1000)] = AUDIT_SHOWN,
    verify: bool = False,
) -> Response:
    """The newest entries of the audit log; ``verify``: with the check of every hash chain."""
    _gate(viewer)
    found = audit.entries(app, viewer.principal, None, limit)
    checked = _checked(audit.verify(app, viewer.principal), viewer.lang) if verify else None
    return _page(
        request,
        app,
        viewer,
        "admin_audit.html",
        "audit",
        entries=found,
        limit=limit,
        detail=_detail,
        checked=checked,
    )


def _detail(entry: AuditEntry) -> str:
    """An entry's detail in short, ``name=value`` (long values cut)."""
    return ", ".join(f"{name}={_short(value)}" for name, value in entry.detail.items())


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHORT_DETAIL else text[: SHORT_DETAIL - 1] + "…"


def _checked(found: Verification, lang: str) -> dict[str, Any]:
    """The verification said in words: intact or not, and each broken place."""
    counts = {"i": found.instances, "h": found.history_entries, "a": found.audit_entries}

    def word(name: str, **params: object) -> str:
        return render.word(name, lang, **params)

    places = []
    for f in found.findings:
        damage = word(f"adm_damage_{f.damage}")
        if f.chain == "history":
            places.append(word("adm_finding_history", key=f.key, seq=f.seq, damage=damage))
        elif f.seq == 0:
            places.append(word("adm_finding_head", damage=damage))
        else:
            places.append(word("adm_finding_audit", seq=f.seq, damage=damage))
    if found.intact:
        return {"intact": True, "summary": word("adm_intact", **counts), "places": places}
    summary = word("adm_broken", n=len(found.findings), **counts)
    return {"intact": False, "summary": summary, "places": places}
