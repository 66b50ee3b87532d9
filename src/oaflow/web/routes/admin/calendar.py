"""The business calendar (/admin/calendar): a year's working hours, weekend and special
days; company days off and working days set or given back; a year's schedule confirmed."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from oaflow.domain.calendar_text import periods_text
from oaflow.services import calendar
from oaflow.web import render
from oaflow.web.routes.admin.common import Short, Shown, blank, gate, make_change, page
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()


@router.get("/admin/calendar")
def calendar_page(
    request: Request,
    app: TheApp,
    viewer: Seen,
    year: Annotated[int | None, Query(ge=1950, le=2099)] = None,
) -> Response:
    gate(viewer)
    return _page(request, app, viewer, year)


def _page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    year: int | None,
    shown: Shown = Shown(),
) -> Response:
    found = calendar.show(app, viewer.principal, year)
    weekdays = render.word("adm_weekdays", viewer.lang).split(",")
    return page(
        request,
        app,
        viewer,
        "admin_calendar.html",
        "calendar",
        shown,
        cal=found,
        hours=periods_text(found.periods),
        weekend=", ".join(weekdays[d] for d in sorted(found.weekend) if 0 <= d < 7),
        weekdays=weekdays,
        sent=blank("day", "kind", "name") | dict(shown.sent or {}),
    )


@router.post("/admin/calendar/days")
def set_day(
    request: Request,
    app: TheApp,
    viewer: Seen,
    day: Short = "",
    kind: Short = "",
    name: Short = "",
) -> Response:
    """Make ``day`` a company day off or working day, or give it back to the national
    schedule (``kind=reset``)."""
    gate(viewer)
    sent = {"day": day, "kind": kind, "name": name}
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        message = render.word("adm_bad_date", viewer.lang, text=day)
        return _page(request, app, viewer, None, Shown(422, message, sent))

    def set_it() -> str:
        if kind == "reset":
            calendar.reset_day(app, viewer.principal, when)
        else:
            calendar.set_day(app, viewer.principal, when, kind, name)
        kind_word = render.word(f"adm_kind_{kind}", viewer.lang)
        return render.word("adm_day_saved", viewer.lang, day=when.isoformat(), kind=kind_word)

    again = partial(_page, request, app, viewer, when.year)
    return make_change(app, viewer, set_it, again, f"/admin/calendar?year={when.year}", sent)


@router.post("/admin/calendar/confirm")
def confirm_year(
    request: Request,
    app: TheApp,
    viewer: Seen,
    year: Annotated[int, Form(ge=1950, le=2099)],
) -> Response:
    """Mark a year's official schedule as entered: its deadlines are no longer provisional."""
    gate(viewer)

    def confirm() -> str:
        calendar.confirm_year(app, viewer.principal, year)
        return render.word("adm_year_confirmed", viewer.lang, year=year)

    again = partial(_page, request, app, viewer, year)
    return make_change(app, viewer, confirm, again, f"/admin/calendar?year={year}")
