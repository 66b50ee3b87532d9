"""Deliverable files (SEC-5): uploaded for a task by its handler, listed and downloaded by
whoever may see the task. A completion names an uploaded file as ``file:ID``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import COMMON, ONE, Problem, Responses
from oaflow.api.uploads import OPENAPI_BODY, read_file
from oaflow.services import deliverables
from oaflow.services.deliverables import FileView

router = APIRouter(tags=["files"], responses=COMMON)
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
UPLOAD: Responses = {
    **ONE,
    413: {"model": Problem, "description": "Larger than the upload limit"},
    415: {"model": Problem, "description": "The content is of a type not accepted"},
}


@router.post(
    "/tasks/{task_id}/files",
    response_model=FileView,
    status_code=201,
    responses=UPLOAD,
    openapi_extra=OPENAPI_BODY,
)
async def upload(task_id: Id, request: Request, app: TheApp, who: Who) -> FileView:
    """Upload one deliverable for an open task of yours (multipart/form-data, field
    ``file``). Its type is decided by its content; name it in the completion as ``file:ID``."""
    await run_in_threadpool(deliverables.check_upload, app, who, task_id)
    with deliverables.receiver(app) as received:
        name = await read_file(request, received)
        return await run_in_threadpool(deliverables.keep, app, who, task_id, name, received)


@router.get("/tasks/{task_id}/files", response_model=list[FileView], responses=ONE)
def task_files(task_id: Id, app: TheApp, who: Who) -> list[FileView]:
    """The files uploaded for a task."""
    return deliverables.files_of_task(app, who, task_id)


@router.get(
    "/files/{file_id}",
    response_class=FileResponse,
    responses={**ONE, 200: {"content": {"application/octet-stream": {}}}},
)
def download(file_id: Id, app: TheApp, who: Who) -> FileResponse:
    """A file's bytes, as an attachment (never shown inline), with its checksum."""
    view, path = deliverables.download(app, who, file_id)
    return FileResponse(
        path,
        media_type=view.content_type,
        filename=view.name,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "X-Checksum-SHA256": view.sha256,
        },
    )
