"""The meeting pages (MTG-1/2): the meetings one may see with the departments' schedules
(heads add and remove them, and prepare a report now), a meeting's report with its Excel
file and the form to enter its resolutions, and one's action items with a done button. A
change that cannot be made shows the page again with why and what was sent; nothing is
changed then."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.api.problems import STATUS
from oaflow.api.schemas import MAX_ID
from oaflow.domain.clock import parse_instant
from oaflow.domain.errors import OAFlowError
from oaflow.domain.meetings import WEEKDAYS, ItemInput
from oaflow.services import meeting_actions, meetings, organisation
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Code = Annotated[str, Path(min_length=1, max_length=32)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Texts = Annotated[list[str], Form(max_length=50)]
FORM_ROWS = 3  # empty rows of the resolutions form


def _back(path: str, flash: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?flash={quote(flash)}", status_code=303)


def _error(app: Any, viewer: Viewer, error: OAFlowError) -> str:
    return error.text(viewer.lang, app.calendar.tz)


# -- the list and the schedules ----------------------------------------------------------
@router.get("/meetings")
def meeting_list(request: Request, app: TheApp, viewer: Seen) -> Response:
    return _list_page(request, app, viewer)


def _list_page(
    request: Request,
    app: Any,
    viewer: Viewer,
    status: int = 200,
    error: str = "",
    sent: dict[str, str] | None = None,
) -> Response:
    who = viewer.principal
    return render.page(
        request,
        app,
        viewer,
        "meetings.html",
        status=status,
        schedules=meetings.schedules(app, who),
        meetings=meetings.meetings(app, who),
        managed=meetings.managed_departments(app, who),
        weekdays=WEEKDAYS,
        error=error,
        sent=sent or {},
    )


@router.post("/meetings/schedules")
def add_schedule(
    request: Request,
    app: TheApp,
    viewer: Seen,
    department: Annotated[str, Form(max_length=32)],
    weekday: Annotated[str, Form(max_length=16)],
    at: Annotated[str, Form(max_length=8)],
    participants: Annotated[str, Form(max_length=2000)] = "",
    prepare_hours: Annotated[str, Form(max_length=10)] = "2",
) -> Response:
    sent = {"department": department, "weekday": weekday, "at": at, "participants": participants}
    try:
        hours = float(prepare_hours or "2")
        invited = [p.strip() for p in participants.replace("，", ",").split(",") if p.strip()]
        meetings.add_schedule(app, viewer.principal, department, weekday, at, invited, hours)
    except ValueError:
        return _list_page(
            request, app, viewer, 422, render.word("invalid_request", viewer.lang), sent
        )
    except OAFlowError as error:
        return _list_page(request, app, viewer, _status(error), _error(app, viewer, error), sent)
    return _back("/meetings", render.word("mtg_schedule_added", viewer.lang))


@router.post("/meetings/schedules/{schedule_id}/remove")
def remove_schedule(schedule_id: Id, app: TheApp, viewer: Seen) -> Response:
    meetings.remove_schedule(app, viewer.principal, schedule_id)
    return _back("/meetings", render.word("mtg_schedule_removed", viewer.lang))


@router.post("/meetings/prepare")
def prepare(
    request: Request,
    app: TheApp,
    viewer: Seen,
    department: Annotated[str, Form(max_length=32)],
) -> Response:
    try:
        code = meetings.prepare_now(app, viewer.principal, department).code
    except OAFlowError as error:
        return _list_page(request, app, viewer, _status(error), _error(app, viewer, error))
    return _back(f"/meetings/{code}", render.word("mtg_prepared_now", viewer.lang, code=code))


def _status(error: OAFlowError) -> int:
    return STATUS.get(error.kind, 400)


# -- one meeting -------------------------------------------------------------------------
@router.get("/meetings/{code}")
def show(request: Request, code: Code, app: TheApp, viewer: Seen) -> Response:
    return _meeting_page(request, app, viewer, code)


def _meeting_page(
    request: Request,
    app: Any,
    viewer: Viewer,
    code: str,
    status: int = 200,
    error: str = "",
    rows: list[dict[str, str]] | None = None,
) -> Response:
    view = meetings.meeting(app, viewer.principal, code)
    people = [p for p in organisation.users(app, viewer.principal) if p.active]
    blank = {"title": "", "owner": "", "due": ""}
    return render.page(
        request,
        app,
        viewer,
        "meeting.html",
        status=status,
        m=view,
        r=view.report,
        held=view.held_at <= app.now(),
        people=people,
        rows=rows or [dict(blank) for _ in range(FORM_ROWS)],
        error=error,
    )


@router.post("/meetings/{code}/actions")
def resolve(
    request: Request,
    code: Code,
    app: TheApp,
    viewer: Seen,
    title: Texts,
    owner: Texts,
    due: Texts,
) -> Response:
    """Rows of title, owner and deadline; a row left empty is not an item."""
    rows = [
        {"title": t.strip(), "owner": o.strip(), "due": d.strip()}
        for t, o, d in zip(title, owner, due, strict=False)
    ]
    filled = [r for r in rows if r["title"] or r["owner"] or r["due"]]
    try:
        items = [_item(app, r) for r in filled]
        entered = meeting_actions.resolve(app, viewer.principal, code, items)
    except OAFlowError as error:
        message = _error(app, viewer, error)
        return _meeting_page(request, app, viewer, code, _status(error), message, rows)
    flash = render.word("mtg_saved", viewer.lang, n=len(filled))
    return _back(f"/meetings/{code}", flash) if entered else _back(f"/meetings/{code}", "")


def _item(app: Any, row: dict[str, str]) -> ItemInput:
    due = parse_instant(row["due"], app.calendar.tz) if row["due"] else None
    return ItemInput(row["title"], row["owner"], due)


@router.post("/meetings/{code}/no-resolutions")
def no_resolutions(request: Request, code: Code, app: TheApp, viewer: Seen) -> Response:
    try:
        meeting_actions.no_resolutions(app, viewer.principal, code)
    except OAFlowError as error:
        return _meeting_page(request, app, viewer, code, _status(error), _error(app, viewer, error))
    return _back(f"/meetings/{code}", render.word("mtg_marked_none", viewer.lang))


# -- action items ------------------------------------------------------------------------
@router.get("/actions")
def action_items(request: Request, app: TheApp, viewer: Seen) -> Response:
    return _actions_page(request, app, viewer)


def _actions_page(
    request: Request, app: Any, viewer: Viewer, status: int = 200, error: str = ""
) -> Response:
    who = viewer.principal
    mine = meeting_actions.action_items(app, who, mine=True)
    others = [a for a in meeting_actions.action_items(app, who) if a.owner.login != who.login]
    return render.page(
        request,
        app,
        viewer,
        "actions.html",
        status=status,
        mine=mine,
        others=others,
        error=error,
    )


@router.post("/actions/{item_id}/done")
def done(
    request: Request,
    item_id: Id,
    app: TheApp,
    viewer: Seen,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        meeting_actions.mark_done(app, viewer.principal, item_id, note)
    except OAFlowError as error:
        return _actions_page(request, app, viewer, _status(error), _error(app, viewer, error))
    return _back("/actions", render.word("mtg_marked_done", viewer.lang, id=item_id))
