"""The satisfaction survey page (满意度调查, MTR-2), phone first: the surveys waiting for
one's answer, each with five large score buttons and a comment box; the link of a
``survey_requested`` message leads here (``/surveys#survey-{id}``). An answer that cannot
be taken shows the page again with why and what was sent; nothing is changed then."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.api.problems import STATUS
from oaflow.api.schemas import MAX_ID
from oaflow.domain.errors import OAFlowError
from oaflow.domain.text import say
from oaflow.services import surveys
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Every = Annotated[bool, Query(alias="all")]  # every department's (administrators)


@router.get("/surveys")
def survey_list(request: Request, app: TheApp, viewer: Seen, every: Every = False) -> Response:
    return _page(request, app, viewer, every)


def _page(
    request: Request,
    app: Any,
    viewer: Viewer,
    every: bool,
    status: int = 200,
    error: str = "",
    sent: dict[str, Any] | None = None,
) -> Response:
    who = viewer.principal
    return render.page(
        request,
        app,
        viewer,
        "surveys.html",
        status=status,
        found=surveys.waiting(app, who, every),
        every=every,
        may_see_all=surveys.administers(who),
        limit=surveys.COMMENT_LIMIT,
        error=error,
        sent=sent or {},
    )


@router.post("/surveys/{survey_id}")
def answer(
    request: Request,
    survey_id: Id,
    app: TheApp,
    viewer: Seen,
    score: Annotated[str, Form(max_length=20)] = "",
    comment: Annotated[str, Form(max_length=4 * surveys.COMMENT_LIMIT)] = "",
    every: Every = False,
) -> Response:
    try:
        view = surveys.answer(app, viewer.principal, survey_id, score, comment)
    except OAFlowError as error:
        sent = {"id": survey_id, "score": score, "comment": comment}
        message = error.text(viewer.lang, app.calendar.tz)
        status = STATUS.get(error.kind, 400)
        return _page(request, app, viewer, every, status, message, sent)
    flash = render.word(
        "svy_answered",
        viewer.lang,
        department=say(view.department.name, viewer.lang),
        key=view.business_key,
        score=view.score,
    )
    back = "/surveys?all=1&" if every else "/surveys?"
    return RedirectResponse(f"{back}flash={quote(flash)}", status_code=303)
