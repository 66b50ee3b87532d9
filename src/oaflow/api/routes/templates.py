"""The manual's templates 1-4 as Excel/CSV (TPL-1..4): blank sheets, exports (an instance's
start form, a definition, progress, exception records) and the two imports — Template 1
rows start instances, a Template 2 sheet becomes a process definition (administrators).
An import with problems answers 422 listing every one with its sheet, row and column
(``cells``) and changes nothing; ``dry_run`` checks without starting or publishing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, Problem, error_response, language
from oaflow.api.uploads import read_upload
from oaflow.domain.errors import ValidationError
from oaflow.domain.exception_loop import OPEN_STATES, ExceptionState
from oaflow.domain.states import InstanceState
from oaflow.domain.template_sheets import MAX_BYTES, place
from oaflow.present import template1, template2, template3, templates
from oaflow.present.sheets import Sheet
from oaflow.services import templates as service
from oaflow.services.catalog import Published
from oaflow.services.views import InstanceFilter

router = APIRouter(tags=["templates"], responses=COMMON)
Format = Annotated[Literal["xlsx", "csv"], Query(description="xlsx (default) or csv")]
Number = Annotated[int, Path(ge=1, le=4)]
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {templates.MEDIA["xlsx"]: {}, "text/csv": {}}, "description": "The file"}
}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": Problem, "description": "Problems with their sheet, row and column (cells)"}
}
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": Problem, "description": "Larger than 5 MB"}
}


@dataclass(frozen=True)
class TemplateInfo:
    number: int
    name_zh: str
    name_en: str
    importable: bool


@dataclass(frozen=True)
class StartedRow:
    row: int
    title: str
    business_key: str


@dataclass(frozen=True)
class DefinitionImported:
    key: str
    source: str
    published: Published | None


def _file(pages: list[Sheet], number: int, what: str, fmt: str) -> Response:
    name = templates.file_name(number, what, fmt)
    return Response(
        templates.file_bytes(pages, fmt),
        media_type=templates.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/sheets", response_model=list[TemplateInfo])
def template_list() -> list[TemplateInfo]:
    """The four templates, and which of them import."""
    return [
        TemplateInfo(n, t.zh, t.en, n in templates.IMPORTABLE) for n, t in templates.NAMES.items()
    ]


@router.get("/sheets/{number}/blank", response_class=Response, responses=FILE_RESPONSE)
def blank(request: Request, number: Number, format: Format = "xlsx") -> Response:
    """A blank template: its headers and the manual's example row as a sample."""
    return _file(templates.blank(number, language(request)), number, "blank", format)


@router.get(
    "/sheets/1/instances/{business_key}",
    response_class=Response,
    responses={**ONE, **FILE_RESPONSE},
)
def export_start_form(
    request: Request,
    app: TheApp,
    who: Who,
    business_key: Annotated[str, Path(min_length=1, max_length=64)],
    format: Format = "xlsx",
) -> Response:
    """An instance's initiation form as Template 1 (多部门协同任务需求表)."""
    lang = language(request)
    rows = service.start_form_rows(app, who, business_key, lang)
    return _file([template1.sheet(rows, lang)], 1, business_key, format)


@router.get(
    "/sheets/2/processes/{key}", response_class=Response, responses={**ONE, **FILE_RESPONSE}
)
def export_definition(
    request: Request,
    app: TheApp,
    who: Who,
    key: Annotated[str, Path(min_length=1, max_length=64)],
    version: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    format: Format = "xlsx",
) -> Response:
    """A published version (the newest, or ``version``: 2, V1.1 or a label) as Template 2
    (流程节点配置表), with a 流程信息 sheet; nodes the table cannot say are explained in a
    说明 column."""
    lang = language(request)
    exported = service.definition_rows(app, who, key, version, lang)
    return _file(template2.sheets(exported, lang), 2, key, format)


@router.get("/sheets/3", response_class=Response, responses={**ONE, **FILE_RESPONSE})
def export_progress(
    request: Request,
    app: TheApp,
    who: Who,
    business_key: Annotated[str | None, Query(max_length=64)] = None,
    process: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    state: InstanceState | None = None,
    format: Format = "xlsx",
) -> Response:
    """Template 3 (执行进度跟踪表): one instance's steps, or those of the instances in your
    scope that match the filters (initiating department, state)."""
    lang = language(request)
    wanted = InstanceFilter(process=process, department=department, state=state)
    rows = service.progress_rows(app, who, business_key, wanted)
    page = template3.sheet(rows, lang, app.calendar.tz)
    return _file([page], 3, business_key or "progress", format)


@router.get("/sheets/4", response_class=Response, responses=FILE_RESPONSE)
def export_exceptions(
    request: Request,
    app: TheApp,
    who: Who,
    process: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    state: ExceptionState | None = None,
    open: bool = False,
    format: Format = "xlsx",
) -> Response:
    """Template 4 (异常处理记录表): the exception records in your scope (as the exception
    list), of one process or responsible department, in one state or the open ones."""
    states = [state] if state else sorted(OPEN_STATES) if open else []
    records = service.exception_rows(app, who, states, process, department)
    page = templates.template4_sheet(records, language(request), app.calendar.tz)
    return _file([page], 4, "exceptions", format)


def _problems(request: Request, error: ValidationError, tz: str) -> JSONResponse:
    """The 422 of an import, with every problem's place (sheet, row, column)."""
    response = error_response(request, error, tz)
    body = json.loads(bytes(response.body))
    lang = language(request)
    body["cells"] = [{**place(p), "text": p.fault.text(lang)} for p in error.problems]
    return JSONResponse(body, status_code=422, media_type=response.media_type)


@router.post(
    "/sheets/1/import",
    response_model=list[StartedRow],
    responses={**ONE, **INVALID, **TOO_LARGE},
)
async def import_start_forms(
    request: Request,
    app: TheApp,
    who: Who,
    file: Annotated[UploadFile, File(description="A filled Template 1 (.xlsx or .csv)")],
    process: Annotated[str, Form(min_length=1, max_length=64)],
    dry_run: Annotated[bool, Form()] = False,
) -> Any:
    """Start one instance of ``process`` per row (as you, from your department) — or, when
    any row has a problem, start none and list every problem."""
    data = await read_upload(file, MAX_BYTES)
    name = file.filename or "upload.xlsx"
    try:
        started = await run_in_threadpool(
            lambda: service.import_start_forms(app, who, data, name, process, dry_run)
        )
    except ValidationError as error:
        return _problems(request, error, app.calendar.tz)
    return [StartedRow(s.row, s.title, s.business_key) for s in started]


@router.post(
    "/sheets/2/import",
    response_model=DefinitionImported,
    responses={**CHANGE, **INVALID, **TOO_LARGE},
)
async def import_definition(
    request: Request,
    app: TheApp,
    who: Who,
    file: Annotated[UploadFile, File(description="A filled Template 2 (.xlsx or .csv)")],
    key: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    initiators: Annotated[str, Form(max_length=500)] = "",
    business_key: Annotated[str, Form(max_length=100)] = "",
    dry_run: Annotated[bool, Form()] = False,
    major: Annotated[bool, Form()] = False,
) -> Any:
    """A Template 2 sheet as a process definition (administrators): checked, then published
    as a new version unless ``dry_run``. The process's key and names come from its
    流程信息 sheet or these fields."""
    data = await read_upload(file, MAX_BYTES)
    filename = file.filename or "upload.xlsx"
    options = {
        "key": key,
        "name": name,
        "name_en": name_en,
        "initiators": initiators,
        "business_key": business_key,
    }
    try:
        done = await run_in_threadpool(
            lambda: service.import_definition(app, who, data, filename, options, dry_run, major)
        )
    except ValidationError as error:
        return _problems(request, error, app.calendar.tz)
    return DefinitionImported(done.key, done.source, done.published)
