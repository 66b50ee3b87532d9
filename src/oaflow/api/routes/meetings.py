"""Weekly cross-department meetings and their action items (MTG-1/2): schedules, meetings
with their report (JSON and Excel), resolutions entered as action items (all or nothing),
one's action items and marking them done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import Field

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, language
from oaflow.api.schemas import MAX_ID, Strict
from oaflow.domain.clock import parse_instant
from oaflow.domain.meetings import DEFAULT_PREPARE_HOURS, MAX_ITEMS, TITLE_LENGTH, ItemInput
from oaflow.present.meeting_xlsx import workbook
from oaflow.services import meeting_actions, meetings
from oaflow.services.meeting_views import (
    ActionItemView,
    MeetingSummary,
    MeetingView,
    ScheduleView,
)

router = APIRouter(tags=["meetings"], responses=COMMON)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Code = Annotated[str, Path(min_length=1, max_length=32, description="e.g. MTG20240301")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class NewSchedule(Strict):
    department: str = Field(min_length=1, max_length=32)
    weekday: str = Field(min_length=1, max_length=16, description="mon…sun, 0…6 or 周一…周日")
    at: str = Field(min_length=1, max_length=8, description="local time HH:MM")
    participants: list[Annotated[str, Field(max_length=64)]] = Field(default=[], max_length=50)
    prepare_hours: float = Field(default=DEFAULT_PREPARE_HOURS, ge=0, le=168)


class Department(Strict):
    department: str = Field(min_length=1, max_length=32)


class Item(Strict):
    title: str = Field(max_length=TITLE_LENGTH)
    owner: str = Field(default="", max_length=64, description="the owner's login")
    due: str = Field(
        default="", max_length=40, description="deadline, ISO-8601 (local time without offset)"
    )


class Items(Strict):
    items: list[Item] = Field(max_length=MAX_ITEMS)


class Done(Strict):
    note: str = Field(default="", max_length=2000)


@router.get("/meeting-schedules", response_model=list[ScheduleView])
def schedules(app: TheApp, who: Who) -> list[ScheduleView]:
    """The weekly meeting schedules of one's departments (all of them for those who see
    everything)."""
    return meetings.schedules(app, who)


@router.post("/meeting-schedules", response_model=ScheduleView, status_code=201, responses=CHANGE)
def add_schedule(body: NewSchedule, app: TheApp, who: Who) -> ScheduleView:
    """A department's weekly meeting (its head or an administrator); a meeting falling on a
    day off is held on the next working day. Its report is prepared ``prepare_hours``
    before and sent to the participants."""
    return meetings.add_schedule(
        app, who, body.department, body.weekday, body.at, body.participants, body.prepare_hours
    )


@router.delete("/meeting-schedules/{schedule_id}", status_code=204, responses=ONE)
def remove_schedule(schedule_id: Id, app: TheApp, who: Who) -> Response:
    """Stop a schedule: no more meetings are prepared from it."""
    meetings.remove_schedule(app, who, schedule_id)
    return Response(status_code=204)


@router.get("/meetings", response_model=list[MeetingSummary])
def meeting_list(app: TheApp, who: Who) -> list[MeetingSummary]:
    """The meetings one may see (participants, the department's members), newest first."""
    return meetings.meetings(app, who)


@router.post("/meetings", response_model=MeetingView, status_code=201, responses=ONE)
def prepare(body: Department, app: TheApp, who: Who) -> MeetingView:
    """Prepare the report of the department's next meeting now (its head or an
    administrator) and send it to the participants."""
    return meetings.prepare_now(app, who, body.department)


@router.get("/meetings/{code}", response_model=MeetingView, responses=ONE)
def meeting(code: Code, app: TheApp, who: Who) -> MeetingView:
    """A meeting with its report — progress of running instances, open exceptions,
    resources needed, steps at risk, open items of earlier meetings — and resolutions."""
    return meetings.meeting(app, who, code)


@router.get(
    "/meetings/{code}/report.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "An Excel workbook"}, **ONE},
)
def report_xlsx(request: Request, code: Code, app: TheApp, who: Who) -> Response:
    """The report as an Excel workbook: a sheet per part, headers frozen."""
    view = meetings.meeting(app, who, code)
    body = workbook(view, language(request), app.calendar.tz)
    headers = {"Content-Disposition": f'attachment; filename="{view.code}.xlsx"'}
    return Response(body, media_type=XLSX, headers=headers)


@router.post(
    "/meetings/{code}/actions",
    response_model=list[ActionItemView],
    status_code=201,
    responses={**ONE, **CHANGE},
)
def resolve(code: Code, body: Items, app: TheApp, who: Who) -> list[ActionItemView]:
    """Enter the meeting's resolutions as action items (members of its department), all or
    none: an item without an owner, an owner who is not a user or a deadline in the past
    refuses the whole list. Answers all the meeting's items."""
    tz = app.calendar.tz
    items = [
        ItemInput(i.title, i.owner, parse_instant(i.due, tz) if i.due.strip() else None)
        for i in body.items
    ]
    return meeting_actions.resolve(app, who, code, items)


@router.post("/meetings/{code}/no-resolutions", status_code=204, responses={**ONE, **CHANGE})
def no_resolutions(code: Code, app: TheApp, who: Who) -> Response:
    """Mark the meeting as one that decided nothing: its reminder is not sent."""
    meeting_actions.no_resolutions(app, who, code)
    return Response(status_code=204)


@router.get("/actions", response_model=list[ActionItemView])
def action_items(
    app: TheApp, who: Who, mine: bool = False, open: bool = False
) -> list[ActionItemView]:
    """Action items of one's departments' meetings (``mine``: one's own), open first, by
    deadline, with their deadline state."""
    return meeting_actions.action_items(app, who, mine, open)


@router.post("/actions/{item_id}/done", response_model=ActionItemView, responses={**ONE, **CHANGE})
def done(item_id: Id, body: Done, app: TheApp, who: Who) -> ActionItemView:
    """Mark one's own action item done, with a note of what was done."""
    return meeting_actions.mark_done(app, who, item_id, body.note)
