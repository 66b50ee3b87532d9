"""The review report of a month or a quarter (月度/季度复盘, MTR-4) as JSON and as an Excel
workbook with charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from oaflow.api.deps import TheApp, Who
from oaflow.api.downloads import attachment
from oaflow.api.problems import COMMON, ONE, language
from oaflow.present.review_xlsx import review_workbook
from oaflow.services import review as reviews
from oaflow.services.review import Review

router = APIRouter(tags=["reports"], responses=COMMON)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Period = Annotated[
    str,
    Query(
        min_length=1,
        max_length=32,
        description="a month 2024-03, a quarter 2024-Q1 or days 2024-01-15..2024-02-14",
    ),
]
Process = Annotated[str | None, Query(max_length=64, description="a process key; none: all")]


@router.get("/reports/review", response_model=Review, responses=ONE)
def review(app: TheApp, who: Who, period: Period, process: Process = None) -> Review:
    """The review of ``period`` over the instances one may see: per process, node and
    department the cycle times (seconds; working and calendar), first-pass, exception and
    on-time rates, workload and satisfaction; the bottlenecks with their sentences; six
    months of trend; the exception causes (Pareto); the heat of each node's median against
    its limit. docs/metrics.md defines every figure."""
    return reviews.review(app, who, period, process or None)


@router.get(
    "/reports/review.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "An Excel workbook"}, **ONE},
)
def review_xlsx(
    request: Request, app: TheApp, who: Who, period: Period, process: Process = None
) -> Response:
    """The same as an Excel workbook with native charts (sheets 概览, 趋势, 节点, 部门, 瓶颈,
    异常原因; names in the caller's language, headers in Chinese), saved as 复盘-<period>.xlsx."""
    view = reviews.review(app, who, period, process or None)
    label = view.period.label + (f"-{process}" if process else "")
    headers = attachment(f"复盘-{label}.xlsx", f"review-{label}.xlsx")
    return Response(
        review_workbook(view, language(request), app.calendar.tz), media_type=XLSX, headers=headers
    )
