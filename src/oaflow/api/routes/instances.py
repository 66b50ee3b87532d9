"""Instances: start one (RUN-1), list those one may see, show one with its form,
timeline and progress table (MON-1), withdraw it (撤回)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE
from oaflow.api.schemas import Reason, Start
from oaflow.domain.states import InstanceState
from oaflow.services import queries, runtime
from oaflow.services.views import InstanceDetail, InstanceFilter, InstancePage

router = APIRouter(prefix="/instances", tags=["instances"], responses=COMMON)
Key = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("", response_model=InstanceDetail, status_code=201, responses={**ONE, **CHANGE})
def start(body: Start, app: TheApp, who: Who) -> InstanceDetail:
    """Start the newest version of a process with its initiation form (Template 1)."""
    instance = runtime.start(app, who, body.process, body.form)
    return queries.instance_detail(app, who, instance.business_key)


@router.get("", response_model=InstancePage)
def listed(
    app: TheApp,
    who: Who,
    process: str | None = None,
    state: InstanceState | None = None,
    department: str | None = None,
    initiator: str | None = None,
    overdue: bool = False,
    started_from: datetime | None = None,
    started_until: datetime | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> InstancePage:
    """The instances the caller may see, newest first, narrowed by the filters."""
    wanted = InstanceFilter(
        process, state, department, initiator, overdue, started_from, started_until, offset, limit
    )
    return queries.instances(app, who, wanted)


@router.get("/{business_key}", response_model=InstanceDetail, responses=ONE)
def show(business_key: Key, app: TheApp, who: Who) -> InstanceDetail:
    return queries.instance_detail(app, who, business_key)


@router.post("/{business_key}/withdraw", response_model=InstanceDetail, responses={**ONE, **CHANGE})
def withdraw(business_key: Key, app: TheApp, who: Who) -> InstanceDetail:
    """The initiator withdraws an instance nobody else has acted on yet."""
    runtime.withdraw(app, who, business_key)
    return queries.instance_detail(app, who, business_key)


@router.post("/{business_key}/cancel", response_model=InstanceDetail, responses={**ONE, **CHANGE})
def cancel(business_key: Key, body: Reason, app: TheApp, who: Who) -> InstanceDetail:
    """An administrator cancels (作废) a running instance with a reason."""
    runtime.cancel(app, who, business_key, body.reason)
    return queries.instance_detail(app, who, business_key)
