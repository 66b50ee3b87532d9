"""The inbox (待办) with its tabs — done by me (已办), started by me (我发起的), copied to me
(抄送我的) — and batch approval."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.api.schemas import MAX_ID
from oaflow.domain.errors import OAFlowError
from oaflow.services import catalog, messages, queries, runtime
from oaflow.services.views import InboxFilter, InstanceFilter, Sla
from oaflow.web import render
from oaflow.web.paging import paging
from oaflow.web.viewer import Seen, TheApp

router = APIRouter()
PAGE = 50
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]


@router.get("/")
def todo(
    request: Request,
    app: TheApp,
    viewer: Seen,
    process: Annotated[str | None, Query(max_length=64)] = None,
    sla: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: Literal["due", "created", "priority"] = "due",
    offset: Offset = 0,
) -> Response:
    """The inbox; a filter left at "all" comes as an empty value (the form sends every
    field) and means no filter."""
    state = Sla(sla) if sla in {s.value for s in Sla} else None
    wanted = InboxFilter(
        process or None, sla=state, q=q or None, sort=sort, offset=offset, limit=PAGE
    )
    found = queries.inbox(app, viewer.principal, wanted)
    processes = catalog.list_published(app, viewer.principal)
    template = "_inbox_rows.html" if request.headers.get("hx-target") == "tasks" else "inbox.html"
    return render.page(
        request,
        app,
        viewer,
        template,
        tab="todo",
        page=found,
        processes=processes,
        wanted=wanted,
        paging=paging(request, found.total, offset, PAGE),
    )


@router.get("/done")
def done(request: Request, app: TheApp, viewer: Seen, offset: Offset = 0) -> Response:
    found = queries.done_by(app, viewer.principal, offset, PAGE)
    return render.page(
        request,
        app,
        viewer,
        "done.html",
        tab="done",
        page=found,
        paging=paging(request, found.total, offset, PAGE),
    )


@router.get("/started")
def started(request: Request, app: TheApp, viewer: Seen, offset: Offset = 0) -> Response:
    wanted = InstanceFilter(initiator=viewer.login, offset=offset, limit=PAGE)
    found = queries.instances(app, viewer.principal, wanted)
    return render.page(
        request,
        app,
        viewer,
        "started.html",
        tab="started",
        page=found,
        paging=paging(request, found.total, offset, PAGE),
    )


@router.get("/copied")
def copied(request: Request, app: TheApp, viewer: Seen, offset: Offset = 0) -> Response:
    found = messages.notifications(app, viewer.principal, False, PAGE, offset, event="cc")
    return render.page(
        request,
        app,
        viewer,
        "copied.html",
        tab="copied",
        items=found.items,
        paging=paging(request, found.total, offset, PAGE),
    )


@router.post("/tasks/approve-batch")
def approve_batch(
    request: Request,
    app: TheApp,
    viewer: Seen,
    tasks: Annotated[list[int], Form(max_length=200)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve the ticked tasks: the batch is checked whole first (services/batch)."""
    try:
        items = runtime.approve_batch(app, viewer.principal, tasks, note)
    except OAFlowError as error:
        flash = error.text(viewer.lang, app.calendar.tz)
        return RedirectResponse("/?" + urlencode({"flash": flash}), status_code=303)
    approved = sum(1 for i in items if i.ok)
    failed = [i for i in items if not i.ok]
    flash = render.word("batch_done", viewer.lang, n=approved)
    if failed:
        flash += " " + render.word("batch_failed", viewer.lang, n=len(failed))
        flash += " ".join(
            f"#{i.task_id} {i.error.text(viewer.lang) if i.error else ''}" for i in failed
        )
    return RedirectResponse("/?" + urlencode({"flash": flash}), status_code=303)
