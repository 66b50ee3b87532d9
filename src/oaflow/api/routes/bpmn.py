"""BPMN 2.0 (DEF-1): a published process as BPMN XML with its diagram; a BPMN file imported
as a definition — a dry run that shows the YAML, or published as a new version
(administrators). Every problem of a file is listed (422) and nothing is published."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, Problem, language
from oaflow.api.uploads import read_upload
from oaflow.domain.bpmn_read import MAX_BYTES
from oaflow.present.bpmn_export import to_bpmn
from oaflow.services import bpmn
from oaflow.services.catalog import Published

router = APIRouter(tags=["processes"], responses=COMMON)
Key = Annotated[str, Path(min_length=1, max_length=64)]
MEDIA = "application/xml"


@dataclass(frozen=True)
class BpmnImported:
    """What the file became: the definition's key, its node count and YAML text, the
    defaults taken for a file drawn in another modeler, the version published (or null)."""

    key: str
    nodes: int
    source: str
    notes: list[str]
    published: Published | None


@router.get(
    "/processes/{key}/bpmn",
    response_class=Response,
    responses={**ONE, 200: {"content": {MEDIA: {}}, "description": "BPMN 2.0 XML"}},
)
def export(
    key: Key,
    app: TheApp,
    who: Who,
    version: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Response:
    """A published version (the newest, or ``version``: a number or a label such as V1.1)
    as BPMN 2.0 XML with its diagram, as a file to download."""
    ref: int | str | None = int(version) if version and version.isdigit() else version
    stored = bpmn.exported(app, who, key, ref)
    xml = to_bpmn(stored.source, f"{stored.key}.yaml")
    name = f"{stored.key}-v{stored.version}.bpmn"
    return Response(
        xml,
        media_type=MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/bpmn",
    response_model=BpmnImported,
    responses={**CHANGE, 413: {"model": Problem, "description": "Larger than 2 MB"}},
)
async def import_file(
    request: Request,
    app: TheApp,
    who: Who,
    file: Annotated[UploadFile, File(description="A BPMN 2.0 file (.bpmn, .xml)")],
    publish: Annotated[bool, Form()] = False,
    major: Annotated[bool, Form()] = False,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> BpmnImported:
    """Turn a BPMN file into a definition and validate it; with ``publish`` publish it as a
    new version (administrators). A 422 lists every problem — unsupported elements with
    their tag, id, name and line — and nothing is published."""
    data = await read_upload(file, MAX_BYTES)
    found = await run_in_threadpool(
        lambda: bpmn.imported(
            app,
            who,
            data,
            file.filename or "upload.bpmn",
            publish=publish,
            major=major,
            note=note,
        )
    )
    lang = language(request)
    notes = [n.text(lang) for n in found.notes]
    return BpmnImported(found.key, found.nodes, found.source, notes, found.published)
