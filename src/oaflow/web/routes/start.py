"""Starting a process: the published processes, then a form generated from the chosen
one's form schema (Template 1's fields and its own), checked before anything is started;
each problem is shown next to its field."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.domain.errors import InputError, OAFlowError
from oaflow.domain.forms import STANDARD_FIELDS, check_values, from_form_text
from oaflow.services import catalog, organisation, runtime
from oaflow.services.catalog import StartForm
from oaflow.web import render
from oaflow.web.formdata import field_errors, spec_fields
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
#: Template 1's fields (标准发起信息): after the process's own, under "more" unless required
TEMPLATE_ONE = frozenset(f.name for f in STANDARD_FIELDS)
Key = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get("/start")
def choose(request: Request, app: TheApp, viewer: Seen) -> Response:
    processes = catalog.startable(app, viewer.principal)
    return render.page(request, app, viewer, "start_list.html", processes=processes)


@router.get("/start/{key}")
def form(request: Request, key: Key, app: TheApp, viewer: Seen) -> Response:
    wanted = catalog.start_form(app, viewer.principal, key)
    return _form_page(request, app, viewer, wanted)


def _form_page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    wanted: StartForm,
    status: int = 200,
    sent: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
) -> Response:
    people = organisation.users(app, viewer.principal)
    departments = {d.code: d for p in people for d in p.departments}
    return render.page(
        request,
        app,
        viewer,
        "start_form.html",
        status=status,
        form=wanted,
        sent=sent or {},
        errors=errors or {},
        error=error,
        departments=sorted(departments.values(), key=lambda d: d.code),
        people=[p for p in people if p.active],
        template_one=TEMPLATE_ONE,
    )


@router.post("/start/{key}")
async def submit(request: Request, key: Key, app: TheApp, viewer: Seen) -> Response:
    wanted = catalog.start_form(app, viewer.principal, key)
    posted = await request.form()
    fields = spec_fields(wanted.fields)
    values = {
        f.name: from_form_text(f, [str(v) for v in posted.getlist(f.name) if isinstance(v, str)])
        for f in fields
    }
    values = {k: v for k, v in values.items() if v is not None and v != []}
    sent = {
        f.name: "\n".join(str(v) for v in posted.getlist(f.name) if isinstance(v, str))
        for f in fields
    }
    problems = check_values(fields, values)
    if problems:
        errors = field_errors(problems, viewer.lang)
        message = render.word("fix_fields", viewer.lang)
        return _form_page(request, app, viewer, wanted, 422, sent, errors, message)
    try:
        started = runtime.start(app, viewer.principal, key, values)
    except InputError as refused:
        message = refused.text(viewer.lang, app.calendar.tz)
        return _form_page(request, app, viewer, wanted, 422, sent, {}, message)
    except OAFlowError as refused:
        if refused.kind in ("not_found", "forbidden"):
            raise
        message = refused.text(viewer.lang, app.calendar.tz)
        return _form_page(request, app, viewer, wanted, 409, sent, {}, message)
    flash = render.word("started_ok", viewer.lang, key=started.business_key)
    target = f"/instances/{started.business_key}?" + urlencode({"flash": flash})
    return RedirectResponse(target, status_code=303)
