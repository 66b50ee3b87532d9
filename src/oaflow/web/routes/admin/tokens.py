"""API tokens (/admin/tokens): every token with its owner, scopes and state; a new one (its
secret shown on that answer only) or one revoked."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from oaflow.api.schemas import MAX_ID
from oaflow.services import auth, organisation
from oaflow.services.auth import SCOPES
from oaflow.web import render
from oaflow.web.routes.admin.common import Short, Shown, gate, make_change, page
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()


@router.get("/admin/tokens")
def tokens_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    gate(viewer)
    return _page(request, app, viewer)


def _page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    shown: Shown = Shown(),
    secret: str = "",
) -> Response:
    people = organisation.users(app, viewer.principal)
    found = sorted(auth.tokens(app, viewer.principal), key=lambda t: t.id, reverse=True)
    return page(
        request,
        app,
        viewer,
        "admin_tokens.html",
        "tokens",
        shown,
        tokens=found,
        now=app.now(),
        names={p.login: p.name for p in people},
        active=[p for p in people if p.active],
        scopes=SCOPES,
        sent=shown.sent or {"login": viewer.login, "scopes": ["read"], "days": "90", "name": ""},
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
    gate(viewer)
    chosen = [s for s in scopes or [] if s]
    sent = {"name": name, "login": login, "scopes": chosen, "days": days}

    def create() -> Response:
        wanted_days = int(days) if days.strip().lstrip("-").isdigit() else 0
        secret, _ = auth.create_token(
            app, viewer.principal, login or viewer.login, name, chosen, wanted_days
        )
        return _page(request, app, viewer, Shown(201), secret)

    return make_change(app, viewer, create, partial(_page, request, app, viewer), sent=sent)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    app: TheApp,
    viewer: Seen,
) -> Response:
    gate(viewer)

    def revoke() -> str:
        auth.revoke_token(app, viewer.principal, token_id)
        return render.word("adm_token_revoked", viewer.lang, id=token_id)

    return make_change(app, viewer, revoke, partial(_page, request, app, viewer), "/admin/tokens")
