"""The administration overview (/admin): a line on each section."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from oaflow.services import auth, calendar, deputies, messages, notify_admin
from oaflow.web import render
from oaflow.web.routes.admin.common import gate, page
from oaflow.web.routes.admin.organisation import read_organisation
from oaflow.web.viewer import Seen, TheApp

router = APIRouter()


@router.get("/admin")
def overview(request: Request, app: TheApp, viewer: Seen) -> Response:
    gate(viewer)
    who = viewer.principal
    org = read_organisation(app, viewer)
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
        "migrate": render.word("mig_summary", viewer.lang),
    }
    return page(request, app, viewer, "admin.html", "overview", summary=summary)
