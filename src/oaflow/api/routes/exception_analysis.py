"""The cause categories of exception records (EXC-1) and the monthly cause analysis
(EXC-5) as JSON and as an Excel file. Registered before the exception records' own routes,
so that /exceptions/pareto is never taken for the record of code 'pareto'."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import COMMON, ONE, language
from oaflow.api.schemas import Strict
from oaflow.present.pareto_xlsx import pareto_workbook
from oaflow.services import exception_analysis, exception_causes
from oaflow.services.exception_analysis import Pareto
from oaflow.services.exception_causes import MAX_NAME, CauseList

router = APIRouter(tags=["exceptions"], responses=COMMON)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Month = Annotated[str, Query(min_length=1, max_length=16, description="e.g. 2024-03")]
By = Annotated[
    str | None, Query(max_length=16, description="process, node or department; none: all")
]
Process = Annotated[str | None, Query(max_length=64, description="a process key")]


class Causes(Strict):
    names: list[Annotated[str, Field(max_length=MAX_NAME * 2)]] = Field(max_length=100)


@router.get("/exception-causes", response_model=CauseList)
def causes(app: TheApp, who: Who) -> CauseList:
    """The cause categories (原因分类) an exception is explained with, in their order; the
    default ones have English labels."""
    return exception_causes.cause_list(app, who)


@router.put("/exception-causes", response_model=CauseList)
def set_causes(body: Causes, app: TheApp, who: Who) -> CauseList:
    """Replace the cause categories (administrators): at least one, each 1-40 characters,
    none twice. Records keep the category they were given."""
    return exception_causes.set_causes(app, who, body.names)


@router.get("/exceptions/pareto", response_model=Pareto, responses=ONE)
def pareto(app: TheApp, who: Who, month: Month, by: By = None, process: Process = None) -> Pareto:
    """The causes of the exceptions found in ``month`` (business calendar's time zone) that
    one may see, ranked per group of ``by``: count, share, cumulative share, and whether
    the cause is among the vital few that make up 80 %."""
    return exception_analysis.pareto(app, who, month, by or None, process or None)


@router.get(
    "/exceptions/pareto.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "An Excel workbook"}, **ONE},
)
def pareto_xlsx(
    request: Request, app: TheApp, who: Who, month: Month, by: By = None, process: Process = None
) -> Response:
    """The same as an Excel workbook: a sheet per group with a Pareto chart (names in the
    caller's language, headers in Chinese)."""
    view = exception_analysis.pareto(app, who, month, by or None, process or None)
    name = f"exception-causes-{view.month}.xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(pareto_workbook(view, language(request)), media_type=XLSX, headers=headers)
