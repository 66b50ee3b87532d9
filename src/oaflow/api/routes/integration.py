"""Service calls to other systems (INT-2) — the endpoints each service name is answered at
and the incidents administrators retry or skip — and the department ledgers (ARC-2), as
JSON and as Excel/CSV files."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import Field

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, language
from oaflow.api.schemas import MAX_ID, Strict
from oaflow.present.ledger_sheet import MEDIA, ledger_file
from oaflow.services import ledgers, service_admin
from oaflow.services.ledgers import LedgerSummary, LedgerView
from oaflow.services.service_admin import MAX_TIMEOUT, CallView, EndpointView

router = APIRouter(tags=["integration"], responses=COMMON)
Service = Annotated[str, Path(min_length=1, max_length=100, description="e.g. finance.sync_budget")]
CallId = Annotated[int, Path(ge=1, le=MAX_ID)]
Ledger = Annotated[str, Path(min_length=1, max_length=64, description="e.g. dept_budget")]
Period = Annotated[str | None, Query(max_length=32, description="only this period, e.g. 2025")]
Dept = Annotated[str | None, Query(max_length=32, description="only this department (code)")]


class EndpointSettings(Strict):
    url: str | None = Field(default=None, max_length=2000, description="http(s) URL")
    secret: str | None = Field(
        default=None, max_length=500, description="signing secret (kept encrypted, never shown)"
    )
    timeout_seconds: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)


class Skip(Strict):
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/services", response_model=list[EndpointView])
def endpoints(app: TheApp, who: Who) -> list[EndpointView]:
    """The configured endpoints (administrators); secrets are never shown."""
    return service_admin.endpoints(app, who)


@router.get("/services/{service}", response_model=EndpointView, responses=ONE)
def endpoint(service: Service, app: TheApp, who: Who) -> EndpointView:
    return service_admin.endpoint(app, who, service)


@router.put("/services/{service}", response_model=EndpointView, responses={**ONE, **CHANGE})
def set_endpoint(service: Service, body: EndpointSettings, app: TheApp, who: Who) -> EndpointView:
    """Configure where ``service`` is POSTed to, or change part of it (the secret is kept
    when none is sent)."""
    return service_admin.set_endpoint(
        app, who, service, body.url, body.secret, body.timeout_seconds
    )


@router.delete("/services/{service}", status_code=204, responses=ONE)
def remove_endpoint(service: Service, app: TheApp, who: Who) -> Response:
    service_admin.remove_endpoint(app, who, service)
    return Response(status_code=204)


@router.get("/incidents", response_model=list[CallView])
def incidents(
    app: TheApp,
    who: Who,
    all_calls: Annotated[bool, Query(alias="all", description="every call")] = False,
    business_key: Annotated[str | None, Query(max_length=64)] = None,
) -> list[CallView]:
    """Service calls that kept failing, open ones first (every call with ``all=true``)."""
    return service_admin.calls(app, who, incidents=not all_calls, business_key=business_key)


@router.get("/incidents/{call_id}", response_model=CallView, responses=ONE)
def incident(call_id: CallId, app: TheApp, who: Who) -> CallView:
    return service_admin.call(app, who, call_id)


@router.post("/incidents/{call_id}/retry", response_model=CallView, responses={**ONE, **CHANGE})
def retry(call_id: CallId, app: TheApp, who: Who) -> CallView:
    """Attempt the call again now, from its first attempt (the worker makes it)."""
    return service_admin.retry(app, who, call_id)


@router.post("/incidents/{call_id}/skip", response_model=CallView, responses={**ONE, **CHANGE})
def skip(call_id: CallId, body: Skip, app: TheApp, who: Who) -> CallView:
    """Skip the call with a reason: its node passes and the instance moves on."""
    return service_admin.skip(app, who, call_id, body.reason)


@router.get("/ledgers", response_model=list[LedgerSummary])
def ledger_list(app: TheApp, who: Who) -> list[LedgerSummary]:
    """The ledgers one sees rows of, with their totals."""
    return ledgers.ledgers(app, who)


@router.get("/ledgers/{name}", response_model=LedgerView, responses=ONE)
def ledger(
    name: Ledger, app: TheApp, who: Who, period: Period = None, department: Dept = None
) -> LedgerView:
    """A ledger's rows (those one may see) by period and department, with totals."""
    return ledgers.ledger(app, who, name, period, department)


@router.get(
    "/ledgers/{name}/export",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA.values()}, "description": "A file"}, **ONE},
)
def ledger_export(
    request: Request,
    name: Ledger,
    app: TheApp,
    who: Who,
    format: Literal["xlsx", "csv"] = "xlsx",
    period: Period = None,
    department: Dept = None,
) -> Response:
    """The ledger as an Excel workbook or a CSV file (UTF-8 with BOM), formula-safe."""
    view = ledgers.ledger(app, who, name, period, department)
    body = ledger_file(view, language(request), app.calendar.tz, format)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{format}"'}
    return Response(body, media_type=MEDIA[format], headers=headers)
