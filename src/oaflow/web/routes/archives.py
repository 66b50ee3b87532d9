"""The archive pages (ARC-1): the archives one may see, and an archive with its files,
sizes and checksums, a verify button that shows what it found, and the zip to download
(served by the API). Whoever may see an instance may see its archive."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from oaflow.api.problems import STATUS
from oaflow.domain.errors import OAFlowError
from oaflow.present.archive_words import finding_text, size_text, state_text
from oaflow.services import archives
from oaflow.services.archives import ArchiveCheck
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Name = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/archives")
def archive_list(request: Request, app: TheApp, viewer: Seen) -> Response:
    found = archives.archive_list(app, viewer.principal)
    return render.page(request, app, viewer, "archives.html", items=found, **_words(viewer))


@router.get("/archives/{name}")
def show(request: Request, name: Name, app: TheApp, viewer: Seen) -> Response:
    return _page(request, app, viewer, name)


@router.post("/archives/{name}/verify")
def verify(request: Request, name: Name, app: TheApp, viewer: Seen) -> Response:
    try:
        check = archives.verify(app, viewer.principal, name)
    except OAFlowError as error:
        status = STATUS.get(error.kind, 400)
        if status == 404:
            raise
        message = error.text(viewer.lang, app.calendar.tz)
        return _page(request, app, viewer, name, status=status, error=message)
    return _page(request, app, viewer, name, check=check)


def _page(
    request: Request,
    app: Any,
    viewer: Viewer,
    name: str,
    status: int = 200,
    check: ArchiveCheck | None = None,
    error: str = "",
) -> Response:
    view = archives.show(app, viewer.principal, name)
    findings = [finding_text(f, viewer.lang) for f in check.findings] if check else []
    return render.page(
        request,
        app,
        viewer,
        "archive.html",
        status=status,
        a=view,
        check=check,
        findings=findings,
        error=error,
        **_words(viewer),
    )


def _words(viewer: Viewer) -> dict[str, Any]:
    lang = viewer.lang
    return {"size_text": size_text, "state_text": lambda s: state_text(s, lang)}
