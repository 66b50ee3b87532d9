"""Service calls and ledgers on the pages: /admin/services (INT-2) lists the incidents —
retried or skipped with a reason by administrators, read by auditors — and the endpoints
(configured there too; the secret is never shown again); /ledgers (ARC-2) shows each
ledger by period and department with totals, scoped like the services scope it, with its
Excel and CSV export."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from oaflow.api.schemas import MAX_ID
from oaflow.present.ledger_sheet import MEDIA, ledger_file
from oaflow.services import ledgers, service_admin
from oaflow.web import render
from oaflow.web.routes.admin.common import Short, Shown, gate, make_change, page
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
CallId = Annotated[int, Path(ge=1, le=MAX_ID)]
Name = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_-]*$")]
PeriodQ = Annotated[str | None, Query(max_length=32)]
BACK = "/admin/services"


@router.get("/admin/services")
def services_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    gate(viewer)
    return _page(request, app, viewer)


def _page(request: Request, app: TheApp, viewer: Viewer, shown: Shown = Shown()) -> Response:
    who = viewer.principal
    calls = service_admin.calls(app, who)
    sent = {"service": "", "url": "", "timeout": "10"} | dict(shown.sent or {})
    return page(
        request, app, viewer, "admin_services.html", "services", shown,
        incidents=[c for c in calls if c.state == "incident"],
        resolved=[c for c in calls if c.state != "incident"][:20],
        endpoints=service_admin.endpoints(app, who),
        sent=sent,
    )  # fmt: skip


@router.post("/admin/services")
def set_endpoint(
    request: Request,
    app: TheApp,
    viewer: Seen,
    service: Short,
    url: Annotated[str, Form(max_length=2000)] = "",
    secret: Short = "",
    timeout: Short = "10",
) -> Response:
    gate(viewer)
    sent = {"service": service, "url": url, "timeout": timeout}

    def save() -> str:
        seconds = float(timeout) if timeout.replace(".", "", 1).isdigit() else -1.0
        view = service_admin.set_endpoint(
            app, viewer.principal, service.strip(), url.strip() or None, secret or None, seconds
        )
        return render.word("svc_saved", viewer.lang, service=view.service)

    again = partial(_page, request, app, viewer)
    return make_change(app, viewer, save, again, back=BACK + "#endpoints", sent=sent)


@router.post("/admin/services/{service}/remove")
def remove_endpoint(
    request: Request,
    app: TheApp,
    viewer: Seen,
    service: Annotated[str, Path(max_length=100)],
) -> Response:
    gate(viewer)

    def remove() -> str:
        service_admin.remove_endpoint(app, viewer.principal, service)
        return render.word("svc_removed", viewer.lang, service=service)

    return make_change(app, viewer, remove, partial(_page, request, app, viewer), back=BACK)


@router.post("/admin/incidents/{call_id}/retry")
def retry(request: Request, app: TheApp, viewer: Seen, call_id: CallId) -> Response:
    gate(viewer)

    def again_now() -> str:
        service_admin.retry(app, viewer.principal, call_id)
        return render.word("svc_retried", viewer.lang, call=call_id)

    return make_change(app, viewer, again_now, partial(_page, request, app, viewer), back=BACK)


@router.post("/admin/incidents/{call_id}/skip")
def skip(
    request: Request,
    app: TheApp,
    viewer: Seen,
    call_id: CallId,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    gate(viewer)

    def skip_it() -> str:
        service_admin.skip(app, viewer.principal, call_id, reason)
        return render.word("svc_skipped", viewer.lang, call=call_id)

    return make_change(app, viewer, skip_it, partial(_page, request, app, viewer), back=BACK)


# -- ledgers ------------------------------------------------------------------------------
@router.get("/ledgers")
def ledger_list(request: Request, app: TheApp, viewer: Seen) -> Response:
    found = ledgers.ledgers(app, viewer.principal)
    if len(found) == 1:  # straight to the one ledger there is
        return ledger_page(request, app, viewer, found[0].ledger, None)
    return render.page(request, app, viewer, "ledgers.html", summaries=found, view=None)


@router.get("/ledgers/{name}")
def ledger_page(
    request: Request, app: TheApp, viewer: Seen, name: Name, period: PeriodQ = None
) -> Response:
    summaries = ledgers.ledgers(app, viewer.principal)
    every = ledgers.ledger(app, viewer.principal, name)
    view = ledgers.ledger(app, viewer.principal, name, period or None) if period else every
    return render.page(
        request, app, viewer, "ledgers.html",
        summaries=summaries, view=view, periods=[t.period for t in every.totals],
        period=period or "",
    )  # fmt: skip


@router.get("/ledgers/{name}/export.{fmt}")
def ledger_export(
    app: TheApp,
    viewer: Seen,
    name: Name,
    fmt: Literal["xlsx", "csv"],
    period: PeriodQ = None,
) -> Response:
    view = ledgers.ledger(app, viewer.principal, name, period or None)
    body = ledger_file(view, viewer.lang, app.calendar.tz, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=MEDIA[fmt], headers=headers)
