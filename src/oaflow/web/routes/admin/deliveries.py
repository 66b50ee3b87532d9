"""Dead letters (/admin/deliveries): messages no channel could deliver, newest first; sent
again or given up."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from oaflow.api.schemas import MAX_ID
from oaflow.present import words
from oaflow.services import delivery, messages
from oaflow.web import render
from oaflow.web.routes.admin.common import Shown, gate, make_change, page
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()


@router.get("/admin/deliveries")
def deliveries_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    gate(viewer)
    return _page(request, app, viewer)


def _page(request: Request, app: TheApp, viewer: Viewer, shown: Shown = Shown()) -> Response:
    dead = messages.deliveries(app, viewer.principal, "dead")
    return page(
        request,
        app,
        viewer,
        "admin_deliveries.html",
        "deliveries",
        shown,
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
    gate(viewer)
    chosen = [i for i in ids or [] if 1 <= i <= MAX_ID]

    def redrive_or_give_up() -> str:
        if intent == "retry":
            count = delivery.redrive(app, viewer.principal, chosen or None)
            return render.word("adm_retried", viewer.lang, n=count)
        count = delivery.discard(app, viewer.principal, chosen)
        return render.word("adm_discarded", viewer.lang, n=count)

    again = partial(_page, request, app, viewer)
    return make_change(app, viewer, redrive_or_give_up, again, "/admin/deliveries")
