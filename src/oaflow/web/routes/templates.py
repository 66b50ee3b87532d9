"""The templates page (/templates, TPL-1..4): the four templates' blank sheets, exports as
files (also linked from the instance page and the exception list), Template 1 uploads that
start instances and Template 2 uploads that publish a definition (administrators). An
upload is posted by htmx (multipart, with the CSRF header) and answered with its result:
the instances started, the definition published, or every problem with its sheet, row and
column — nothing changed then."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from oaflow.api.uploads import read_upload
from oaflow.domain.errors import OAFlowError, ValidationError
from oaflow.domain.exception_loop import OPEN_STATES, ExceptionState
from oaflow.domain.states import InstanceState
from oaflow.domain.template_sheets import MAX_BYTES, place
from oaflow.present import template1, template2, template3, templates
from oaflow.present.sheets import Sheet
from oaflow.services import catalog
from oaflow.services import templates as service
from oaflow.services.views import InstanceFilter
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Format = Annotated[Literal["xlsx", "csv"], Query()]
Text64 = Annotated[str | None, Query(max_length=64)]


@router.get("/templates")
def templates_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    return _page(request, app, viewer)


def _page(request: Request, app: TheApp, viewer: Viewer, **result: Any) -> Response:
    with_versions = catalog.list_published(app, viewer.principal)
    startable = catalog.startable(app, viewer.principal)
    return render.page(
        request, app, viewer, "sheets.html",
        names=templates.NAMES, uses=templates.USES, processes=with_versions,
        startable=startable, instance_states=list(InstanceState),
        exception_states=list(ExceptionState), **result,
    )  # fmt: skip


@router.get("/templates/{number}/blank")
def blank(
    number: Annotated[int, Path(ge=1, le=4)], viewer: Seen, format: Format = "xlsx"
) -> Response:
    return _file(templates.blank(number, viewer.lang), number, "blank", format)


def _file(pages: list[Sheet], number: int, what: str, fmt: str) -> Response:
    name = templates.file_name(number, what, fmt)
    return Response(
        templates.file_bytes(pages, fmt),
        media_type=templates.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/templates/1/file")
def export_1(
    app: TheApp,
    viewer: Seen,
    business_key: Annotated[str, Query(min_length=1, max_length=64)],
    format: Format = "xlsx",
) -> Response:
    rows = service.start_form_rows(app, viewer.principal, business_key, viewer.lang)
    return _file([template1.sheet(rows, viewer.lang)], 1, business_key, format)


@router.get("/templates/2/file")
def export_2(
    app: TheApp,
    viewer: Seen,
    process: Annotated[str, Query(min_length=1, max_length=64)],
    version: Text64 = None,
    format: Format = "xlsx",
) -> Response:
    exported = service.definition_rows(app, viewer.principal, process, version or None, viewer.lang)
    return _file(template2.sheets(exported, viewer.lang), 2, process, format)


@router.get("/templates/3/file")
def export_3(
    app: TheApp,
    viewer: Seen,
    business_key: Text64 = None,
    process: Text64 = None,
    department: Text64 = None,
    state: Text64 = None,
    format: Format = "xlsx",
) -> Response:
    wanted = InstanceFilter(
        process=process or None,
        department=department or None,
        state=InstanceState(state) if state in set(InstanceState) else None,
    )
    rows = service.progress_rows(app, viewer.principal, business_key or None, wanted)
    page = template3.sheet(rows, viewer.lang, app.calendar.tz)
    return _file([page], 3, business_key or "progress", format)


@router.get("/templates/4/file")
def export_4(
    app: TheApp,
    viewer: Seen,
    process: Text64 = None,
    department: Text64 = None,
    state: Text64 = None,
    open: bool = False,
    format: Format = "xlsx",
) -> Response:
    chosen = ExceptionState(state) if state in set(ExceptionState) else None
    states = [chosen] if chosen else sorted(OPEN_STATES) if open else []
    records = service.exception_rows(
        app, viewer.principal, states, process or None, department or None
    )
    page = templates.template4_sheet(records, viewer.lang, app.calendar.tz)
    return _file([page], 4, "exceptions", format)


def _result(
    request: Request, app: TheApp, viewer: Viewer, status: int = 200, **shown: object
) -> Response:
    answer: dict[str, object] = {
        "problems": [],
        "error": "",
        "started": None,
        "dry_run": False,
        "definition": None,
    }
    return render.page(request, app, viewer, "_sheet_result.html", status, **(answer | shown))


def _problems(error: ValidationError, lang: str) -> list[dict[str, object]]:
    return [
        {
            **place(p),
            "text": p.fault.params["problem"].text(lang)
            if "problem" in p.fault.params
            else p.fault.text(lang),
            "hint": p.fault.hint(lang),
        }
        for p in error.problems
    ]


@router.post("/templates/1/import")
async def import_1(
    request: Request,
    app: TheApp,
    viewer: Seen,
    file: Annotated[UploadFile, File()],
    process: Annotated[str, Form(min_length=1, max_length=64)],
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    def run(data: bytes, file_name: str) -> object:
        return service.import_start_forms(app, viewer.principal, data, file_name, process, dry_run)

    return await _imported(request, app, viewer, file, run, "started", dry_run=dry_run)


@router.post("/templates/2/import")
async def import_2(
    request: Request,
    app: TheApp,
    viewer: Seen,
    file: Annotated[UploadFile, File()],
    key: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    initiators: Annotated[str, Form(max_length=500)] = "",
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    options = {"key": key, "name": name, "name_en": name_en, "initiators": initiators}

    def run(data: bytes, file_name: str) -> object:
        return service.import_definition(app, viewer.principal, data, file_name, options, dry_run)

    return await _imported(request, app, viewer, file, run, "definition")


async def _imported(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    file: UploadFile,
    run: Callable[[bytes, str], object],
    shown_as: str,
    **shown: object,
) -> Response:
    """An upload read and imported (off the event loop), answered with its result or with
    every problem (nothing changed then)."""
    try:
        data = await read_upload(file, MAX_BYTES)
        done = await run_in_threadpool(run, data, file.filename or "upload.xlsx")
    except ValidationError as invalid:
        return _result(request, app, viewer, 422, problems=_problems(invalid, viewer.lang))
    except OAFlowError as error:
        return _result(request, app, viewer, 422, error=error.text(viewer.lang, app.calendar.tz))
    return _result(request, app, viewer, 200, **{shown_as: done}, **shown)
