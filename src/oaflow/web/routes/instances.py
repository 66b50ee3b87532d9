"""The instance page (MON-1, MON-2): key and state, the diagram with done / current / pending
nodes, the Template 3 progress table, a Gantt chart of planned and actual, the timeline,
deliverables and exception records; and the portfolio Gantt of running instances."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from oaflow.domain.definition import NodeType
from oaflow.domain.forecast import ForecastState
from oaflow.domain.states import InstanceState
from oaflow.present import flowchart, gantt, words
from oaflow.present.forecast_words import state_label
from oaflow.services import archives, catalog, deliverables, forecast, queries, surveys
from oaflow.services.app import App
from oaflow.services.forecast import InstanceForecast
from oaflow.services.views import InstanceDetail, InstanceFilter, NodeRef, Sla
from oaflow.web import render
from oaflow.web.texts import word
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Key = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get("/instances/{business_key}")
def show(request: Request, business_key: Key, app: TheApp, viewer: Seen) -> Response:
    return instance_page(request, business_key, app, viewer)


def instance_page(
    request: Request,
    business_key: str,
    app: App,
    viewer: Viewer,
    status: int = 200,
    report_error: str = "",
    report_sent: Mapping[str, str] | None = None,
    report_code: str = "",
) -> Response:
    """The instance page; ``report_error`` (and its ``report_code``): why reporting an
    exception on it (its form with ``report_sent``, web/routes/exceptions.py) was refused."""
    detail = queries.instance_detail(app, viewer.principal, business_key)
    definition = queries.instance_definition(app, viewer.principal, business_key)
    chart = flowchart.layout(definition, viewer.lang)
    return render.page(
        request,
        app,
        viewer,
        "instance.html",
        status=status,
        d=detail,
        s=detail.summary,
        chart=chart,
        node_states=node_states(detail),
        files=deliverables.files_of_instance(app, viewer.principal, business_key),
        archives=archives.of_instance(app, viewer.principal, business_key),
        surveys=surveys.of_instance(app, viewer.principal, business_key),
        steps={r.task_id: r.node for r in detail.progress},
        gantt=instance_gantt(
            detail,
            {n.id for n in definition.nodes.values() if n.type is NodeType.MILESTONE},
            app.now(),
            app.calendar.tz,
            viewer.lang,
            forecast_span(
                forecast.forecast_of(app, viewer.principal, business_key),
                viewer.lang,
                app.calendar.tz,
            ),
        ),
        report_nodes=reportable_nodes(detail, viewer),
        report_error=report_error,
        report_code=report_code,
        report_sent=report_sent or {},
    )


def reportable_nodes(detail: InstanceDetail, viewer: Viewer) -> list[NodeRef]:
    """The nodes with a task on which ``viewer`` may report an exception by hand, in a
    running instance: every such node for its initiating department, those whose latest
    task is one's department's for the others (engine/exceptions.py open_by_hand)."""
    if detail.summary.ended_at is not None:
        return []
    mine = set(viewer.principal.departments)
    initiating = detail.summary.department.code in mine
    latest = {r.node.id: r for r in detail.progress}
    return [
        r.node
        for r in latest.values()
        if initiating or (r.department is not None and r.department.code in mine)
    ]


def node_states(detail: InstanceDetail) -> dict[str, str]:
    """Each node's state on the diagram: done, current, overdue (open past its deadline);
    nodes not in the map are not reached."""
    found: dict[str, str] = {}
    for row in detail.progress:
        if row.is_open:
            found[row.node.id] = "overdue" if row.delay_hours > 0 else "current"
        elif row.node.id not in found or found[row.node.id] == "done":
            found[row.node.id] = "done" if row.state.value != "cancelled" else "cancelled"
    for entry in detail.timeline:  # nodes passed without tasks (gateways, notices, ends)
        if entry.node is not None and entry.node.id not in found:
            found[entry.node.id] = "done"
    return found


def forecast_span(found: InstanceForecast | None, lang: str, tz: str) -> gantt.Forecast | None:
    """A running instance's completion forecast as the Gantt's last row (issue 15): its
    state and p90 under its label, the expected completion beside its bar."""
    if found is None:
        return None
    zone = ZoneInfo(tz)

    def short(at: datetime) -> str:
        return at.astimezone(zone).strftime("%m-%d %H:%M")

    state = state_label(found.state, lang)
    return gantt.Forecast(
        word("forecast_row", lang),
        word("forecast_sub", lang, state=state, p90=short(found.p90)),
        found.median,
        found.p90,
        found.deadline,
        found.state.value,
        word("forecast_status", lang, median=short(found.median)),
    )


def row_forecast(
    found: InstanceForecast | None, status: str, lang: str, tz: str
) -> gantt.Forecast | None:
    """An instance's forecast on its own row of the portfolio, its status said first, and
    the forecast's state in words when it is not on track (not by its colour alone)."""
    drawn = forecast_span(found, lang, tz)
    if found is None or drawn is None:
        return None
    said = [status]
    if found.state is not ForecastState.ON_TRACK:
        said.append(state_label(found.state, lang))
    return replace(drawn, status=" · ".join([*said, drawn.status]))


def instance_gantt(
    detail: InstanceDetail,
    milestones: set[str],
    now: datetime,
    tz: str,
    lang: str,
    forecast: gantt.Forecast | None = None,
) -> gantt.Chart:
    """A row per task (planned: its deadline), then the planned nodes not reached yet, then
    the completion forecast of a running instance."""
    spans = []
    reached = set()
    for row in detail.progress:
        reached.add(row.node.id)
        who = row.owner.name.get(lang) if row.owner else ""
        dept = row.department.name.get(lang) if row.department else ""
        spans.append(
            gantt.Span(
                row.node.name.get(lang),
                " · ".join(p for p in (dept, who) if p),
                row.started,
                row.planned,
                row.actual,
                row.is_open,
                milestone=row.node.id in milestones,
                href=f"/tasks/{row.task_id}",
                status=words.status_text(row, lang),
            )
        )
    for plan in detail.planned:
        if plan.node.id not in reached:
            spans.append(
                gantt.Span(
                    plan.node.name.get(lang),
                    "",
                    plan.start,
                    plan.finish,
                    None,
                    False,
                    reached=False,
                    milestone=True,
                )
            )
    return gantt.chart(spans, now, tz, forecast)


@router.get("/portfolio")
def portfolio(
    request: Request,
    app: TheApp,
    viewer: Seen,
    process: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """A Gantt of the running instances one may see, of a process or department."""
    wanted = InstanceFilter(
        process=process or None,
        department=department or None,
        state=InstanceState.RUNNING,
        limit=200,
    )
    found = queries.instances(app, viewer.principal, wanted)
    expected = {
        f.business_key: f for f in forecast.forecasts(app, viewer.principal, process or None)
    }
    spans = [
        gantt.Span(
            f"{i.business_key} {i.title}",
            words.state_label(i.state, viewer.lang)
            + (" · " + "、".join(n.name.get(viewer.lang) for n in i.current) if i.current else ""),
            i.started_at,
            None,
            None,
            True,
            href=f"/instances/{i.business_key}",
            status=words.state_label(Sla.OVERDUE if i.overdue else i.state, viewer.lang),
            late=i.overdue,
            forecast=row_forecast(
                expected.get(i.business_key),
                words.state_label(Sla.OVERDUE if i.overdue else i.state, viewer.lang),
                viewer.lang,
                app.calendar.tz,
            ),
        )
        for i in found.items
    ]
    processes = catalog.list_published(app, viewer.principal)
    return render.page(
        request,
        app,
        viewer,
        "portfolio.html",
        gantt=gantt.chart(spans, app.now(), app.calendar.tz),
        processes=processes,
        process=process or "",
        department=department or "",
        total=found.total,
    )
