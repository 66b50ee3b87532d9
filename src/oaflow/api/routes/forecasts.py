"""The completion forecast of the running instances (issue 15 item 4) as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import COMMON, ONE
from oaflow.services import forecast
from oaflow.services.forecast import InstanceForecast

router = APIRouter(tags=["reports"], responses=COMMON)
Process = Annotated[str | None, Query(max_length=64, description="a process key; none: all")]
AtRisk = Annotated[bool, Query(description="only the instances at risk or late")]


@router.get("/forecasts", response_model=list[InstanceForecast], responses=ONE)
def forecasts(
    app: TheApp, who: Who, process: Process = None, at_risk: AtRisk = False
) -> list[InstanceForecast]:
    """The running instances one may see, the most urgent first, each with its expected
    completion (``median``: half of such instances finish by then; ``p90``: nine in ten),
    the working seconds left (``remaining_median``, ``remaining_p90``), its ``deadline``
    (null: no planned dates nor time limits), its ``state`` (on_track, at_risk: the p90 is
    after the deadline, late: the deadline has passed) and the node durations used
    (``nodes``: working seconds, from history, limit or default). docs/forecast.md."""
    return list(forecast.forecasts(app, who, process or None, not_on_track=at_risk))
