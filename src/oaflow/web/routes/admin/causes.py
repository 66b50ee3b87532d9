"""The cause categories of exception records (/admin/causes, EXC-1/EXC-5): the list in
force, and for administrators the form that replaces it (one name a line)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from oaflow.services import exception_causes
from oaflow.web import render
from oaflow.web.routes.admin.common import Shown, gate, make_change, page
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()


@router.get("/admin/causes")
def causes_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    gate(viewer)
    return _page(request, app, viewer)


def _page(request: Request, app: TheApp, viewer: Viewer, shown: Shown = Shown()) -> Response:
    found = exception_causes.cause_list(app, viewer.principal)
    names = "\n".join(c.name for c in found.causes)
    sent = {"names": names} | dict(shown.sent or {})
    return page(request, app, viewer, "admin_causes.html", "causes", shown, found=found, sent=sent)


@router.post("/admin/causes")
def set_causes(
    request: Request,
    app: TheApp,
    viewer: Seen,
    names: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Replace the list with the form's names, one a line (empty lines are left out)."""
    gate(viewer)
    given = [line for line in names.splitlines() if line.strip()]

    def save() -> str:
        saved = exception_causes.set_causes(app, viewer.principal, given)
        return render.word("adm_causes_saved", viewer.lang, n=len(saved.causes))

    again = partial(_page, request, app, viewer)
    return make_change(app, viewer, save, again, "/admin/causes", sent={"names": names})
