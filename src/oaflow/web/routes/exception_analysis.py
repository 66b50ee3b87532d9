"""The monthly cause analysis page (/exceptions/analysis, EXC-5): a month, a grouping and a
process to choose; per group a Pareto chart (bars of the counts, the cumulative line, the
80 % line) and its table; the same as an Excel file. Registered before the exception
records' pages, so that /exceptions/analysis is never taken for a record's code."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from oaflow.api.problems import STATUS
from oaflow.domain.errors import OAFlowError
from oaflow.present import pareto as layout
from oaflow.services import catalog, exception_analysis
from oaflow.services.exception_analysis import DIMENSIONS, Pareto, ParetoGroup
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Short = Annotated[str | None, Query(max_length=64)]


@router.get("/exceptions/analysis")
def analysis(
    request: Request,
    app: TheApp,
    viewer: Seen,
    month: Short = None,
    by: Short = None,
    process: Short = None,
) -> Response:
    """The Pareto of the month (this month when none is given) for ``viewer``; a bad month,
    grouping or process shows the page again saying why."""
    wanted = {
        "month": month or exception_analysis.this_month(app),
        "by": by or "",
        "process": process or "",
    }
    error, status, view = "", 200, None
    try:
        view = exception_analysis.pareto(
            app, viewer.principal, wanted["month"], by or None, process or None
        )
    except OAFlowError as refused:
        if refused.kind == "forbidden":
            raise
        error, status = refused.text(viewer.lang, app.calendar.tz), STATUS.get(refused.kind, 422)
        hint = refused.hint(viewer.lang, app.calendar.tz)
        error += f"（{hint}）" if viewer.lang == "zh" and hint else (f" ({hint})" if hint else "")
    return render.page(
        request,
        app,
        viewer,
        "exception_analysis.html",
        status=status,
        error=error,
        wanted=wanted,
        dimensions=DIMENSIONS,
        processes=catalog.list_published(app, viewer.principal),
        groups=_drawn(view, viewer) if view else [],
        total=view.total if view else 0,
        xlsx="/api/exceptions/pareto.xlsx?" + urlencode({**_given(wanted), "lang": viewer.lang}),
    )


def _drawn(view: Pareto, viewer: Viewer) -> list[tuple[ParetoGroup, layout.Chart]]:
    return [(group, _chart(group, viewer.lang)) for group in view.groups]


def _chart(group: ParetoGroup, lang: str) -> layout.Chart:
    columns = [
        layout.Column(c.label.get(lang), c.count, c.cumulative, c.vital) for c in group.causes
    ]
    return layout.chart(columns)


def _given(wanted: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in wanted.items() if value}
