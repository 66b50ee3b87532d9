"""What every administration page shares: who may look, the page frame, and how a change
answers (done: back to the page saying so; refused: the page again with why and what was
sent, and nothing changed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.domain.errors import OAFlowError
from oaflow.domain.security import Permission, granted
from oaflow.services import authz
from oaflow.web import render
from oaflow.web.viewer import TheApp, Viewer

Short = Annotated[str, Form(max_length=200)]


@dataclass(frozen=True)
class Shown:
    """How a section's page is shown: its status, why a change was refused, and what the
    form sent (shown in it again)."""

    status: int = 200
    error: str = ""
    sent: Mapping[str, Any] | None = None


#: a section's page, shown again after a refusal
Again = Callable[[Shown], Response]


def gate(viewer: Viewer) -> None:
    """Administrators and auditors only; anyone else is refused like the services refuse
    (a 403 page, and a denial in the audit log)."""
    if not granted(viewer.principal, Permission.AUDIT):
        raise authz.forbidden(viewer.principal, Permission.AUDIT, "admin")


def page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    template: str,
    section: str,
    shown: Shown = Shown(),
    **context: Any,
) -> Response:
    """A section's page; the forms to change things only for administrators."""
    admin = granted(viewer.principal, Permission.ADMINISTER)
    context |= {"section": section, "error": shown.error, "admin": admin}
    return render.page(request, app, viewer, template, status=shown.status, **context)


def done(path: str, message: str) -> Response:
    """Back to ``path`` (and its ``#anchor``) after a change, saying what was done."""
    path, _, anchor = path.partition("#")
    joiner = "&" if "?" in path else "?"
    where = path + joiner + urlencode({"flash": message}) + (f"#{anchor}" if anchor else "")
    return RedirectResponse(where, status_code=303)


def refused(error: OAFlowError, viewer: Viewer, app: TheApp) -> str:
    """What a refused change says; a forbidden one goes to the error page."""
    if error.kind == "forbidden":
        raise error
    return error.text(viewer.lang, app.calendar.tz)


def status_of(error: OAFlowError) -> int:
    """The status of the page that shows a refusal."""
    return {"conflict": 409, "not_found": 404}.get(error.kind, 422)


def blank(*names: str) -> dict[str, str]:
    """A form's fields, empty (what was sent is laid over them)."""
    return dict.fromkeys(names, "")


def make_change(
    app: TheApp,
    viewer: Viewer,
    call: Callable[[], str | Response],
    again: Again,
    back: str = "",
    sent: Mapping[str, Any] | None = None,
) -> Response:
    """Make a change through its service: ``call`` makes it and returns what to say (the
    answer goes back to ``back`` saying it) or a page of its own. A refusal shows the
    section's page again (``again``) with its status, why, and what was ``sent``."""
    try:
        answer = call()
    except OAFlowError as error:
        return again(Shown(status_of(error), refused(error, viewer, app), sent))
    return answer if isinstance(answer, Response) else done(back, answer)
