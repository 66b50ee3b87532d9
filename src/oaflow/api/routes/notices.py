"""One's notifications (NTF-2) and preferences; exception records (EXC-1); the outbox and
its deliveries for auditors and administrators (NTF-5)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE
from oaflow.api.schemas import (
    ExceptionCoordination,
    ExceptionExplanation,
    ExceptionReopening,
    ExceptionReport,
    ExceptionResolution,
    ExceptionVerification,
    Ids,
    Preferences,
)
from oaflow.domain.clock import parse_instant
from oaflow.domain.exception_loop import OPEN_STATES, ExceptionState
from oaflow.services import delivery, exception_views, exceptions, messages, notify_admin
from oaflow.services.messages import Delivery, Inbox, OutboxMessage
from oaflow.services.notify_admin import Preferences as PreferencesView
from oaflow.services.views import ExceptionDetail, ExceptionView

router = APIRouter(tags=["notifications"], responses=COMMON)
Login = Annotated[str, Path(min_length=1, max_length=64)]
Code = Annotated[str, Path(min_length=1, max_length=32)]


@router.get("/notifications", response_model=Inbox)
def inbox(app: TheApp, who: Who, unread: bool = False) -> Inbox:
    """One's notifications (站内消息), newest first, with the unread count."""
    return messages.notifications(app, who, unread)


@router.post("/notifications/read", response_model=dict[str, int])
def read(body: Ids, app: TheApp, who: Who) -> dict[str, int]:
    """Mark notifications read (every unread one when ``ids`` is null)."""
    return {"changed": messages.mark_read(app, who, body.ids)}


@router.get("/users/{login}/preferences", response_model=PreferencesView, responses=ONE)
def preferences(login: Login, app: TheApp, who: Who) -> PreferencesView:
    return notify_admin.preferences(app, who, login)


@router.put("/users/{login}/preferences", response_model=PreferencesView, responses=ONE)
def set_preferences(login: Login, body: Preferences, app: TheApp, who: Who) -> PreferencesView:
    """Change notification preferences (one's own; anyone's for administrators)."""
    changes: dict[str, Any] = {
        k: v for k, v in body.model_dump(exclude={"no_digest"}).items() if v is not None
    }
    if body.no_digest:
        changes["digest_hour"] = None
    return notify_admin.set_preferences(app, who, login, **changes)


@router.get("/exceptions", response_model=list[ExceptionView])
def exception_list(
    app: TheApp,
    who: Who,
    state: ExceptionState | None = None,
    open: bool = False,
) -> list[ExceptionView]:
    """The exception records of the instances one may see, newest first (Template 4);
    ``state``: only those in it; ``open=true``: only those not closed."""
    states = [state] if state else sorted(OPEN_STATES) if open else []
    return exception_views.exceptions(app, who, states)


@router.get("/exceptions/{code}", response_model=ExceptionDetail, responses=ONE)
def exception_detail(code: Code, app: TheApp, who: Who) -> ExceptionDetail:
    """One record, its loop's steps so far and the steps one may take now."""
    return exception_views.exception_detail(app, who, code)


@router.post(
    "/exceptions/{code}/report", response_model=ExceptionDetail, responses={**ONE, **CHANGE}
)
def exception_report(
    code: Code, body: ExceptionExplanation, app: TheApp, who: Who
) -> ExceptionDetail:
    """The responsible department's report (异常处理说明): cause category and cause, expected
    resolution time, resources needed — due within 4 working hours of discovery."""
    expected = parse_instant(body.expected, app.calendar.tz)
    exceptions.report(app, who, code, body.category, body.cause, expected, body.resources)
    return exception_views.exception_detail(app, who, code)


@router.post(
    "/exceptions/{code}/coordinate", response_model=ExceptionDetail, responses={**ONE, **CHANGE}
)
def exception_coordinate(
    code: Code, body: ExceptionCoordination, app: TheApp, who: Who
) -> ExceptionDetail:
    """The coordination's resolution (initiating department): plan, handler, new deadline;
    an open linked task takes the deadline and the handler in the same transaction."""
    deadline = parse_instant(body.deadline, app.calendar.tz)
    exceptions.coordinate(app, who, code, body.plan, body.handler, deadline)
    return exception_views.exception_detail(app, who, code)


@router.post(
    "/exceptions/{code}/resolve", response_model=ExceptionDetail, responses={**ONE, **CHANGE}
)
def exception_resolve(
    code: Code, body: ExceptionResolution, app: TheApp, who: Who
) -> ExceptionDetail:
    """The handler marks it resolved; it waits for the verification."""
    exceptions.resolve(app, who, code, body.note)
    return exception_views.exception_detail(app, who, code)


@router.post(
    "/exceptions/{code}/verify", response_model=ExceptionDetail, responses={**ONE, **CHANGE}
)
def exception_verify(
    code: Code, body: ExceptionVerification, app: TheApp, who: Who
) -> ExceptionDetail:
    """The initiating department verifies: ``passed`` closes it (the result goes to all
    parties), else it goes back to the handler."""
    exceptions.verify(app, who, code, body.passed, body.result)
    return exception_views.exception_detail(app, who, code)


@router.post(
    "/exceptions/{code}/reopen", response_model=ExceptionDetail, responses={**ONE, **CHANGE}
)
def exception_reopen(
    code: Code, body: ExceptionReopening, app: TheApp, who: Who
) -> ExceptionDetail:
    """Reopen a closed record, with a reason."""
    exceptions.reopen(app, who, code, body.reason)
    return exception_views.exception_detail(app, who, code)


@router.post(
    "/instances/{business_key}/exceptions",
    response_model=dict[str, str],
    status_code=201,
    responses={**ONE, **CHANGE},
)
def report(
    business_key: Annotated[str, Path(min_length=1, max_length=64)],
    body: ExceptionReport,
    app: TheApp,
    who: Who,
) -> dict[str, str]:
    """Report an exception by hand (异常上报); answers its code (ABN…)."""
    code = exceptions.open_exception(app, who, business_key, body.node, body.description)
    return {"code": code}


@router.get("/outbox", response_model=list[OutboxMessage])
def outbox(app: TheApp, who: Who, to: str | None = None) -> list[OutboxMessage]:
    """Outgoing messages, oldest first (auditors and administrators)."""
    return messages.outbox(app, who, to)


@router.get("/deliveries", response_model=list[Delivery])
def deliveries(
    app: TheApp,
    who: Who,
    status: Literal["pending", "sending", "sent", "dead", "discarded"] | None = None,
) -> list[Delivery]:
    """Where each message went; ``status=dead``: the dead letters."""
    return messages.deliveries(app, who, status)


@router.post("/deliveries/retry", response_model=dict[str, int])
def retry(body: Ids, app: TheApp, who: Who) -> dict[str, int]:
    """Send dead deliveries again (every dead one when ``ids`` is null; administrators)."""
    return {"queued": delivery.redrive(app, who, body.ids)}


@router.post("/deliveries/discard", response_model=dict[str, int])
def discard(body: Ids, app: TheApp, who: Who) -> dict[str, int]:
    """Give up on deliveries (administrators)."""
    return {"discarded": delivery.discard(app, who, body.ids or [])}
