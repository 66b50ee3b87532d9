"""The review report page (/reports/review, 月度/季度复盘, MTR-4): a period (month or
quarter) and a process to choose; the period's cards (average cycle time, first-pass,
exception and on-time rates, satisfaction), the six-month trend as line charts, the
exception causes as a Pareto chart, the node durations as a heat map on each process's
diagram, the bottleneck sentences and the departments' workload; the same as an Excel file
(the API's download). Charts are SVG drawn on the server like the Gantt and Pareto pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from oaflow.api.problems import STATUS
from oaflow.domain.errors import OAFlowError
from oaflow.domain.periods import period_of
from oaflow.present import forecast_words, heatmap, line_chart
from oaflow.present import pareto as pareto_layout
from oaflow.present.metric_words import days_of
from oaflow.services import catalog
from oaflow.services import review as reviews
from oaflow.services.metrics import ProcessMetric
from oaflow.services.review import Review
from oaflow.web import render
from oaflow.web.texts import word
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Short = Annotated[str | None, Query(max_length=64)]
#: how far back the period picker goes
MONTHS, QUARTERS = 12, 8
#: the trend's charts: the word of its title, its unit, the figure of a process in a month
TREND = (
    ("rv_trend_completed", "count", lambda p, day: float(p.completed)),
    ("rv_trend_cycle", "days", lambda p, day: days_of(p.work.average, day)),
    ("rv_trend_first_pass", "share", lambda p, day: p.first_pass_rate),
    ("rv_trend_on_time", "share", lambda p, day: p.on_time_rate),
)


@dataclass(frozen=True)
class Trend:
    title: str
    chart: line_chart.Chart


@router.get("/reports/review")
def review_page(
    request: Request, app: TheApp, viewer: Seen, period: Short = None, process: Short = None
) -> Response:
    """The review of ``period`` (the last whole month when none is given) for ``viewer``; a
    bad period or process shows the page again saying why."""
    wanted = {"period": (period or _last_month(app)).strip(), "process": process or ""}
    error, status, view = "", 200, None
    try:
        view = reviews.review(app, viewer.principal, wanted["period"], process or None)
    except OAFlowError as refused:
        if refused.kind == "forbidden":
            raise
        error, status = refused.text(viewer.lang, app.calendar.tz), STATUS.get(refused.kind, 422)
        hint = refused.hint(viewer.lang, app.calendar.tz)
        error += f"（{hint}）" if viewer.lang == "zh" and hint else (f" ({hint})" if hint else "")
    given = {name: value for name, value in wanted.items() if value}
    return render.page(
        request,
        app,
        viewer,
        "review.html",
        status=status,
        error=error,
        wanted=wanted,
        choices=_choices(app, wanted["period"]),
        processes=catalog.list_published(app, viewer.principal),
        view=view,
        trends=_trends(view, viewer) if view else [],
        causes=_causes(view, viewer) if view else None,
        heats=_heats(app, view, viewer) if view else {},
        fc_states=forecast_words.STATES,
        xlsx="/api/reports/review.xlsx?" + urlencode({**given, "lang": viewer.lang}),
    )


def _last_month(app: TheApp) -> str:
    """The last whole month (a review looks back), in the business calendar's zone."""
    this = period_of(app.now(), "month", app.calendar.tz).first
    return _month_before(this.year, this.month)


def _month_before(year: int, month: int) -> str:
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def _choices(app: TheApp, chosen: str) -> dict[str, list[str]]:
    """The months and quarters to pick from, newest first (and the one chosen, if older)."""
    now = period_of(app.now(), "month", app.calendar.tz).first
    months, (year, month) = [], (now.year, now.month)
    for _ in range(MONTHS):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    quarters, (year, quarter) = [], (now.year, (now.month - 1) // 3 + 1)
    for _ in range(QUARTERS):
        quarters.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    choices = {"rv_months": months, "rv_quarters": quarters}
    if chosen not in months and chosen not in quarters:  # an older one, or a range of days
        if ".." in chosen:
            choices["rv_range"] = [chosen]
        else:
            (quarters if "q" in chosen.lower() else months).append(chosen)
    return choices


def _trends(view: Review, viewer: Viewer) -> list[Trend]:
    keys = list(dict.fromkeys(p.key for point in view.trend for p in point.processes))
    names = {p.key: p.name.get(viewer.lang) for point in view.trend for p in point.processes}
    months = [point.month.label for point in view.trend]
    found: list[dict[str, ProcessMetric]] = [
        {p.key: p for p in point.processes} for point in view.trend
    ]
    trends = []
    for name, unit, figure in TREND:
        series = [
            line_chart.Series(
                names[key],
                tuple(
                    figure(month[key], view.day_hours)
                    if key in month
                    else (0.0 if unit == "count" else None)
                    for month in found
                ),
            )
            for key in keys
        ]
        trends.append(Trend(word(name, viewer.lang), line_chart.chart(months, series, unit)))
    return trends


def _causes(view: Review, viewer: Viewer) -> pareto_layout.Chart | None:
    if not view.causes.groups:
        return None
    columns = [
        pareto_layout.Column(c.label.get(viewer.lang), c.count, c.cumulative, c.vital)
        for c in view.causes.groups[0].causes
    ]
    return pareto_layout.chart(columns)


def _heats(app: TheApp, view: Review, viewer: Viewer) -> dict[str, heatmap.HeatChart]:
    """Each process's heat map on its newest published diagram."""
    drawn = {}
    for heat in view.heatmaps:
        try:
            _, definition = catalog.shown(app, viewer.principal, heat.process, None)
        except OAFlowError:  # no longer published: its nodes are in the table below
            continue
        drawn[heat.process] = heatmap.heat_chart(definition, heat, viewer.lang)
    return drawn
