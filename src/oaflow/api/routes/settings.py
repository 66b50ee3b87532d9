"""What administrators configure: the organisation (import and export), the business
calendar, notification channels and templates, access per process and compliance policies.
Reading them is for auditors and administrators (the calendar for everyone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, Problem
from oaflow.api.schemas import MAX_INT, Grant, Policy, Strict, Template, WrittenDate
from oaflow.api.uploads import read_upload
from oaflow.bootstrap import build_channels
from oaflow.domain.calendar_text import periods_text, weekend_text
from oaflow.domain.clock import parse_instant
from oaflow.notify.templates import Rendered
from oaflow.services import access, calendar, delivery, notify_admin, organisation
from oaflow.services.access import ProcessGrants
from oaflow.services.notify_admin import ChannelView, TemplateView

router = APIRouter(tags=["settings"], responses=COMMON)
MAX_UPLOAD = 5 * 1024 * 1024
Event = Annotated[str, Path(min_length=1, max_length=40)]
Locale = Annotated[Literal["zh", "en"], Query()]


@dataclass(frozen=True)
class Imported:
    departments: int
    users: int


@router.post(
    "/organisation",
    response_model=Imported,
    responses={**CHANGE, 413: {"model": Problem, "description": "Larger than 5 MB"}},
)
async def import_organisation(
    app: TheApp,
    who: Who,
    file: Annotated[UploadFile, File(description="A .yaml, .csv or .xlsx organisation file")],
    effective: Annotated[str | None, Form()] = None,
) -> Imported:
    """Replace the organisation by a file's, now or from ``effective`` on (administrators);
    every problem of the file is listed (422) and nothing changes."""
    data = await read_upload(file, MAX_UPLOAD)
    when = parse_instant(effective, app.calendar.tz) if effective else None
    org = await run_in_threadpool(
        organisation.import_org_data,
        app,
        who.login,
        file.filename or "org.yaml",
        data,
        when,
        who.address,
    )
    return Imported(len(org.departments), len(org.users))


MEDIA = {
    "yaml": "application/yaml",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/organisation", response_class=Response)
def export_organisation(
    app: TheApp, who: Who, format: Literal["yaml", "csv", "xlsx"] = "yaml"
) -> Response:
    """The organisation as a file (auditors and administrators)."""
    name = f"organisation.{format}"
    data, _ = organisation.export_org_data(app, who, name)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=MEDIA[format], headers=headers)


@dataclass(frozen=True)
class CalendarDayView:
    day: date
    kind: str
    name: str
    source: str


@dataclass(frozen=True)
class CalendarView:
    year: int
    confirmed: bool
    timezone: str
    hours: str
    weekend: str
    days: tuple[CalendarDayView, ...]


@router.get("/calendar", response_model=CalendarView)
def calendar_year(
    app: TheApp, who: Who, year: Annotated[int | None, Query(ge=1950, le=2099)] = None
) -> CalendarView:
    """A year of the business calendar: days off, 调休 working days, hours, time zone."""
    found = calendar.show(app, who, year)
    return CalendarView(
        found.year,
        found.confirmed,
        found.timezone,
        periods_text(found.periods),
        weekend_text(found.weekend),
        tuple(CalendarDayView(d.day, d.kind, d.name, d.source) for d in found.days),
    )


class CalendarDay(Strict):
    kind: Literal["off", "work", "reset"]
    name: str = ""


@router.put("/calendar/days/{day}", response_model=CalendarView)
def calendar_day(day: WrittenDate, body: CalendarDay, app: TheApp, who: Who) -> CalendarView:
    """Make a day a company day off or working day, or reset it (administrators)."""
    if body.kind == "reset":
        calendar.reset_day(app, who, day)
    else:
        calendar.set_day(app, who, day, body.kind, body.name)
    return calendar_year(app, who, day.year)


@router.post(
    "/calendar/days",
    response_model=CalendarView,
    responses={413: {"model": Problem, "description": "Larger than 5 MB"}},
)
async def calendar_import(
    app: TheApp,
    who: Who,
    file: Annotated[UploadFile, File(description="A .csv or .xlsx file: date, kind, name")],
) -> CalendarView:
    """Import company days off and working days from a file (administrators); every bad
    row is listed (422) and nothing changes."""
    data = await read_upload(file, MAX_UPLOAD)
    days = await run_in_threadpool(
        calendar.import_days_data, app, who, file.filename or "calendar.csv", data
    )
    year = days[0].day.year
    return await run_in_threadpool(calendar_year, app, who, year)


class CalendarSettings(Strict):
    hours: str | None = None
    timezone: str | None = None
    weekend: str | None = None
    confirm_year: int | None = None


@router.patch("/calendar", response_model=CalendarView)
def calendar_settings(body: CalendarSettings, app: TheApp, who: Who) -> CalendarView:
    """Change the working hours, time zone, weekend, or confirm a year (administrators)."""
    if body.hours is not None:
        calendar.set_hours(app, who, body.hours)
    if body.timezone is not None:
        calendar.set_timezone(app, who, body.timezone)
    if body.weekend is not None:
        calendar.set_weekend(app, who, body.weekend)
    if body.confirm_year is not None:
        calendar.confirm_year(app, who, body.confirm_year)
    return calendar_year(app, who, None)


@router.get("/channels", response_model=list[ChannelView])
def channels(app: TheApp, who: Who) -> list[ChannelView]:
    """The notification channels, secrets masked (auditors and administrators)."""
    return notify_admin.channels(app, who)


class Channel(Strict):
    name: str = Field(min_length=1, max_length=100)
    kind: str
    settings: dict[str, Any]
    department: str | None = None
    events: list[str] = Field(default_factory=list)
    per_minute: int | None = Field(default=None, le=MAX_INT)


@router.post("/channels", response_model=list[ChannelView], status_code=201, responses=CHANGE)
def add_channel(body: Channel, app: TheApp, who: Who) -> list[ChannelView]:
    """Add a channel (SMTP, a group robot, a webhook); its settings are checked first."""
    notify_admin.add_channel(
        app, who, body.name, body.kind, body.settings, body.department, body.events, body.per_minute
    )
    return notify_admin.channels(app, who)


class ChannelChange(Strict):
    settings: dict[str, Any] = Field(default_factory=dict)
    events: list[str] | None = None
    per_minute: int | None = Field(default=None, le=MAX_INT)
    enabled: bool | None = None


@router.patch("/channels/{name}", response_model=list[ChannelView], responses=ONE)
def change_channel(
    name: Annotated[str, Path(max_length=100)], body: ChannelChange, app: TheApp, who: Who
) -> list[ChannelView]:
    if body.settings or body.events is not None or body.per_minute is not None:
        notify_admin.change_channel(app, who, name, body.settings, body.events, body.per_minute)
    if body.enabled is not None:
        notify_admin.set_channel_enabled(app, who, name, body.enabled)
    return notify_admin.channels(app, who)


@dataclass(frozen=True)
class ChannelTest:
    outcome: str  # sent, retry, failed, gone
    detail: str


@router.post("/channels/{name}/test", response_model=ChannelTest, responses=ONE)
def test_channel(name: Annotated[str, Path(max_length=100)], app: TheApp, who: Who) -> ChannelTest:
    """Send a test message through a channel now and say what happened (administrators)."""
    with build_channels() as channels:
        result = delivery.try_channel(app, who, name, channels)
    return ChannelTest(result.outcome, result.detail)


@router.delete("/channels/{name}", status_code=204, responses=ONE)
def remove_channel(name: Annotated[str, Path(max_length=100)], app: TheApp, who: Who) -> None:
    notify_admin.remove_channel(app, who, name)


@router.get("/templates", response_model=list[TemplateView])
def templates(app: TheApp, who: Who) -> list[TemplateView]:
    return notify_admin.template_list(app, who)


@router.get("/templates/{event}", response_model=TemplateView, responses=ONE)
def template(event: Event, app: TheApp, who: Who, locale: Locale = "zh") -> TemplateView:
    return notify_admin.template(app, who, event, locale)


@router.get("/templates/{event}/preview", response_model=Rendered, responses=ONE)
def preview_template(event: Event, app: TheApp, who: Who, locale: Locale = "zh") -> Rendered:
    """The template rendered with sample data: subject, text and HTML."""
    return notify_admin.preview(app, who, event, locale)


@router.put("/templates/{event}", response_model=TemplateView, responses=ONE)
def set_template(
    event: Event, body: Template, app: TheApp, who: Who, locale: Locale = "zh"
) -> TemplateView:
    """Replace a template after checking it (administrators); a bad one changes nothing."""
    return notify_admin.set_template(app, who, event, locale, body.subject, body.body)


@router.delete("/templates/{event}", status_code=204, responses=ONE)
def reset_template(event: Event, app: TheApp, who: Who, locale: Locale = "zh") -> None:
    notify_admin.reset_template(app, who, event, locale)


Key = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/processes/{key}/access", response_model=ProcessGrants, responses=ONE)
def grants(key: Key, app: TheApp, who: Who) -> ProcessGrants:
    """The roles holding each permission on a process."""
    return access.grants(app, who, key)


@router.put("/processes/{key}/access/{permission}", response_model=ProcessGrants, responses=ONE)
def grant(
    key: Key,
    permission: Literal["initiate", "handle", "submit", "view"],
    body: Grant,
    app: TheApp,
    who: Who,
) -> ProcessGrants:
    """Give a permission on a process to exactly these roles (["default"]: the defaults)."""
    return access.grant(app, who, key, permission, body.roles)


@router.get("/policies", response_model=dict[str, tuple[str, ...]])
def policies(app: TheApp, who: Who) -> dict[str, tuple[str, ...]]:
    """Compliance policies: tag → departments of which one approves first (DEF-7)."""
    return dict(access.policies(app, who))


@router.put("/policies/{tag}", response_model=dict[str, tuple[str, ...]])
def set_policy(
    tag: Annotated[str, Path(max_length=40)], body: Policy, app: TheApp, who: Who
) -> dict[str, tuple[str, ...]]:
    return dict(access.set_policy(app, who, tag, body.departments))
