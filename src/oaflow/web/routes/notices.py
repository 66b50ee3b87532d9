"""The notification centre (站内消息): one's messages, newest first, read and unread."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.api.schemas import MAX_ID
from oaflow.services import messages
from oaflow.web import render
from oaflow.web.paging import paging
from oaflow.web.viewer import Seen, TheApp

router = APIRouter()


PAGE = 100


@router.get("/notifications")
def notifications(
    request: Request,
    app: TheApp,
    viewer: Seen,
    unread: bool = False,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    inbox = messages.notifications(app, viewer.principal, unread, PAGE, offset)
    return render.page(
        request,
        app,
        viewer,
        "notifications.html",
        inbox=inbox,
        only_unread=unread,
        paging=paging(request, inbox.total, offset, PAGE),
    )


@router.post("/notifications/read")
def mark_read(
    app: TheApp,
    viewer: Seen,
    ids: Annotated[list[int] | None, Form(max_length=1000)] = None,
) -> Response:
    """Mark the given messages read (none given: all of them)."""
    chosen = [i for i in ids or [] if 1 <= i <= MAX_ID] or None
    messages.mark_read(app, viewer.principal, chosen)
    return RedirectResponse("/notifications", status_code=303)
