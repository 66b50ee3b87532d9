"""The exception loop's pages (EXC-1..4): the records one may see as Template 4
(异常处理记录表) with their state, one record with its report, coordination, resolution,
verification and steps, and the forms of the steps the viewer may take now; reporting an
exception by hand from the instance page. A step that cannot be taken shows the record
again with why (the error's code and text in the viewer's language) next to its form, with
what was typed; nothing is changed then.

Registered after the cause analysis (/exceptions/analysis), which is not a record's code."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.api.problems import STATUS
from oaflow.domain.clock import parse_instant
from oaflow.domain.errors import OAFlowError
from oaflow.domain.exception_loop import OPEN_STATES, STATE_LABELS, ExceptionState, ExceptionStep
from oaflow.domain.text import Text
from oaflow.present.template4 import HEADERS, template4_row
from oaflow.services import audit, exception_views, exceptions, organisation
from oaflow.services.app import App
from oaflow.services.exception_causes import label as cause_label
from oaflow.services.organisation import UserView
from oaflow.services.views import ExceptionDetail
from oaflow.web import render
from oaflow.web.routes import instances
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Code = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
Key = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
#: the list's filters: the open records (by default), all, or those in one state
FILTERS = ("open", "all", *(s.value for s in ExceptionState))
#: the longest text a form field takes (the API's limits)
MAX_FIELD = {"description": 4000, "category": 40, "handler": 64}
MAX_TEXT = 2000
#: the forms of the steps: the word that says each was done
DONE = {
    "report": "exc_report",
    "coordinate": "exc_coordinate",
    "resolve": "exc_resolve",
    "verify": "exc_verify",
    "reopen": "exc_reopen",
}


@dataclass(frozen=True)
class Refusal:
    """A step refused: the status of the page, what it says, the form it came from and
    what was typed into it."""

    status: int
    message: str
    code: str
    step: str
    sent: Mapping[str, str]


@router.get("/exceptions")
def listing(
    request: Request,
    app: TheApp,
    viewer: Seen,
    state: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The records of the instances one may see, newest first, as Template 4 prints them;
    the open ones unless ``state`` says otherwise (an unknown value: all of them)."""
    chosen = state or "open"
    if chosen not in FILTERS:
        chosen = "all"
    if chosen == "open":
        states: tuple[ExceptionState, ...] = tuple(s for s in ExceptionState if s in OPEN_STATES)
    elif chosen == "all":
        states = ()
    else:
        states = (ExceptionState(chosen),)
    records = exception_views.exceptions(app, viewer.principal, states)
    lang, tz = viewer.lang, app.calendar.tz
    return render.page(
        request,
        app,
        viewer,
        "exceptions.html",
        rows=[(r, template4_row(r, lang, tz)) for r in records],
        headers=HEADERS[lang],
        chosen=chosen,
        filters=[(f, _filter_name(f, lang)) for f in FILTERS],
    )


def _filter_name(name: str, lang: str) -> str:
    if name in ("open", "all"):
        return render.word(f"exc_filter_{name}", lang)
    return STATE_LABELS[ExceptionState(name)].get(lang)


@router.get("/exceptions/{code}")
def show(request: Request, code: Code, app: TheApp, viewer: Seen) -> Response:
    detail = exception_views.exception_detail(app, viewer.principal, code)
    return _page(request, app, viewer, detail)


def _page(
    request: Request,
    app: App,
    viewer: Viewer,
    detail: ExceptionDetail,
    refusal: Refusal | None = None,
) -> Response:
    record = detail.record
    lang, tz = viewer.lang, app.calendar.tz
    now = app.now()
    may = {s.value for s in detail.may}
    people = organisation.users(app, viewer.principal) if "coordinate" in may else []
    return render.page(
        request,
        app,
        viewer,
        "exception.html",
        status=refusal.status if refusal else 200,
        d=detail,
        x=record,
        fields=list(zip(HEADERS[lang], template4_row(record, lang, tz), strict=True)),
        may=may,
        report_late=(
            record.state is ExceptionState.FOUND
            and record.report_due_at is not None
            and record.report_due_at < now
        ),
        cause_name=cause_label(record.cause_category).get(lang) if record.cause_category else "",
        causes=[(c, cause_label(c).get(lang)) for c in detail.causes],
        groups=_people_by_department(people),
        now_local=_local_input(now, tz),
        as_input=lambda at: _local_input(at, tz) if at else "",
        refusal=refusal,
        failed=refusal.step if refusal else "",
        sent=dict(refusal.sent) if refusal else {},
    )


def _people_by_department(people: list[UserView]) -> list[tuple[Text | None, list[UserView]]]:
    """The active people under their (first) department, departments in the directory's
    order; None: people of no department."""
    groups: dict[str, tuple[Text | None, list[UserView]]] = {}
    for person in people:
        if person.active:
            dept = person.departments[0] if person.departments else None
            key = dept.code if dept else ""
            groups.setdefault(key, (dept.name if dept else None, []))[1].append(person)
    return list(groups.values())


def _local_input(at: datetime, tz: str) -> str:
    """``at`` as a datetime-local input's value in the business calendar's zone."""
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


@router.post("/exceptions/{code}/{step}")
async def act(request: Request, code: Code, step: str, app: TheApp, viewer: Seen) -> Response:
    """One step of the loop through its form: done, back to the record saying so; refused,
    the record again with why next to the form."""
    if step not in DONE:
        return render.error_page(request, app, 404, render.word("not_found", viewer.lang))
    form = await request.form()
    sent = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    try:
        _too_long(sent, viewer.lang)
        _STEPS[step](app, viewer, code, sent)
    except OAFlowError as error:
        if error.kind == "not_found":
            raise
        detail = exception_views.exception_detail(app, viewer.principal, code)
        return _page(request, app, viewer, detail, _refusal(app, viewer, error, step, sent))
    except TooLong as long:
        detail = exception_views.exception_detail(app, viewer.principal, code)
        refusal = Refusal(422, str(long), "", step, sent)
        return _page(request, app, viewer, detail, refusal)
    said = render.word("done_message", viewer.lang, action=render.word(DONE[step], viewer.lang))
    where = f"/exceptions/{code.strip().upper()}?" + urlencode({"flash": said})
    return RedirectResponse(where, status_code=303)


def _refusal(
    app: App, viewer: Viewer, error: OAFlowError, step: str, sent: dict[str, str]
) -> Refusal:
    """What a refused step says: its text and hint in the viewer's language and its code;
    a forbidden one is kept in the audit log like every refusal."""
    if error.kind == "forbidden":
        audit.record_denial(app, error, viewer.principal)
    lang, tz = viewer.lang, app.calendar.tz
    message = error.text(lang, tz)
    hint = error.hint(lang, tz)
    if hint:
        message += f"（{hint}）" if lang == "zh" else f" ({hint})"
    return Refusal(STATUS.get(error.kind, 422), message, error.code, step, sent)


class TooLong(Exception):
    """A field longer than the API takes."""


def _too_long(sent: dict[str, str], lang: str) -> None:
    for name, value in sent.items():
        limit = MAX_FIELD.get(name, MAX_TEXT)
        if len(value) > limit:
            raise TooLong(f"{name}: {render.word('too_long', lang, n=limit)}")


def _when(value: str, app: App) -> datetime:
    """A datetime-local value: a local time in the business calendar's zone."""
    return parse_instant(value, app.calendar.tz)


def _report(app: App, viewer: Viewer, code: str, sent: dict[str, str]) -> None:
    exceptions.report(
        app,
        viewer.principal,
        code,
        sent.get("category", ""),
        sent.get("cause", ""),
        _when(sent.get("expected", ""), app),
        sent.get("resources", ""),
    )


def _coordinate(app: App, viewer: Viewer, code: str, sent: dict[str, str]) -> None:
    exceptions.coordinate(
        app,
        viewer.principal,
        code,
        sent.get("plan", ""),
        sent.get("handler", ""),
        _when(sent.get("deadline", ""), app),
    )


def _resolve(app: App, viewer: Viewer, code: str, sent: dict[str, str]) -> None:
    exceptions.resolve(app, viewer.principal, code, sent.get("note", ""))


def _verify(app: App, viewer: Viewer, code: str, sent: dict[str, str]) -> None:
    passed = sent.get("passed", "yes") != "no"
    exceptions.verify(app, viewer.principal, code, passed, sent.get("result", ""))


def _reopen(app: App, viewer: Viewer, code: str, sent: dict[str, str]) -> None:
    exceptions.reopen(app, viewer.principal, code, sent.get("reason", ""))


_STEPS: dict[str, Callable[[App, Viewer, str, dict[str, str]], None]] = {
    ExceptionStep.REPORT.value: _report,
    ExceptionStep.COORDINATE.value: _coordinate,
    ExceptionStep.RESOLVE.value: _resolve,
    ExceptionStep.VERIFY.value: _verify,
    ExceptionStep.REOPEN.value: _reopen,
}


@router.post("/instances/{business_key}/exceptions")
async def open_one(request: Request, business_key: Key, app: TheApp, viewer: Seen) -> Response:
    """A participant reports an exception on a node of the instance (异常上报): to the
    record's page; refused, the instance page again with why next to the form."""
    form = await request.form()
    sent = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    try:
        _too_long(sent, viewer.lang)
        code = exceptions.open_exception(
            app, viewer.principal, business_key, sent.get("node", ""), sent.get("description", "")
        )
    except OAFlowError as error:
        if error.kind == "not_found" and error.code != "exception.no_such_node":
            raise
        refusal = _refusal(app, viewer, error, "open", sent)
    except TooLong as long:
        refusal = Refusal(422, str(long), "", "open", sent)
    else:
        said = render.word("exc_opened", viewer.lang, code=code)
        where = f"/exceptions/{code}?" + urlencode({"flash": said})
        return RedirectResponse(where, status_code=303)
    return instances.instance_page(
        request,
        business_key,
        app,
        viewer,
        refusal.status,
        refusal.message,
        refusal.sent,
        refusal.code,
    )
