"""Archives (ARC-1): the bundles of instances that passed their archive node — list, show,
download the zip, verify. Whoever may see an instance may see its archive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import COMMON, ONE, language
from oaflow.api.schemas import ArchiveCheckOut, ArchiveFileOut, ArchiveFindingOut, ArchiveOut
from oaflow.present.archive_words import finding_text
from oaflow.services import archives
from oaflow.services.archives import ArchiveView

router = APIRouter(tags=["archives"], responses=COMMON)
Name = Annotated[str, Path(min_length=1, max_length=200, description="e.g. 项目归档-2024-新产品A")]


def archive_out(view: ArchiveView, files: bool = True) -> ArchiveOut:
    return ArchiveOut(
        name=view.name,
        business_key=view.business_key,
        node_id=view.node_id,
        state=view.state,
        created_at=view.created_at,
        built_at=view.built_at,
        file_count=len(view.files),
        total_size=view.total_size,
        manifest_sha256=view.manifest_sha256,
        files=[ArchiveFileOut(path=f.path, size=f.size, sha256=f.sha256) for f in view.files]
        if files
        else None,
        error=view.error,
    )


@router.get("/archives", response_model=list[ArchiveOut])
def archive_list(app: TheApp, who: Who) -> list[ArchiveOut]:
    """The archives of the instances you may see, newest first (without their files)."""
    return [archive_out(a, files=False) for a in archives.archive_list(app, who)]


@router.get("/archives/{name}", response_model=ArchiveOut, responses=ONE)
def show(name: Name, app: TheApp, who: Who) -> ArchiveOut:
    """One archive with every file's size and SHA-256."""
    return archive_out(archives.show(app, who, name))


@router.get(
    "/archives/{name}/zip",
    response_class=FileResponse,
    responses={**ONE, 200: {"content": {"application/zip": {}}}},
)
def download(name: Name, app: TheApp, who: Who) -> FileResponse:
    """The bundle as a zip (409 while it is not built yet)."""
    path = archives.zip_path(app, who, name)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"{name}.zip",
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.post("/archives/{name}/verify", response_model=ArchiveCheckOut, responses=ONE)
def verify(name: Name, request: Request, app: TheApp, who: Who) -> ArchiveCheckOut:
    """Compare the folder and the zip with the checksums kept when it was built (changes
    nothing): ``intact``, or every changed, missing or extra file."""
    found = archives.verify(app, who, name)
    lang = language(request)
    return ArchiveCheckOut(
        name=found.name,
        intact=found.intact,
        checked_at=found.checked_at,
        files=found.files,
        findings=[
            ArchiveFindingOut(
                where=f.where, path=f.path, problem=f.problem, text=finding_text(f, lang)
            )
            for f in found.findings
        ],
    )
