"""BPMN 2.0 on the pages (DEF-1): a published process's .bpmn file to download or to look
at (drawn in the page by the vendored bpmn-js viewer), and the
administrators' import page (/admin/bpmn) — a file (read into the form by the page's script,
or XML pasted) is checked: every problem listed, or the defaults taken and the definition it
becomes shown; publishing it goes to the process's page. Nothing is published on a problem."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.domain.bpmn_read import MAX_BYTES
from oaflow.domain.errors import OAFlowError, Problem, ValidationError
from oaflow.present.bpmn_export import to_bpmn
from oaflow.services import bpmn
from oaflow.web import render
from oaflow.web.routes.admin.common import Shown, gate, page, refused
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Key = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


def _ref(version: str | None) -> int | str | None:
    """A version reference: its number (``2``) or a label (``V1.1``)."""
    return int(version) if version and version.isdigit() else version


@router.get("/processes/{key}/bpmn")
def download(
    key: Key,
    app: TheApp,
    viewer: Seen,
    version: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Response:
    """The process (newest version, or ``version``) as a .bpmn file for a modeler."""
    stored = bpmn.exported(app, viewer.principal, key, _ref(version))
    name = f"{stored.key}-v{stored.version}.bpmn"
    return Response(
        to_bpmn(stored.source, f"{stored.key}.yaml"),
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/processes/{key}/bpmn/view")
def view(
    request: Request,
    key: Key,
    app: TheApp,
    viewer: Seen,
    version: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Response:
    """The process's BPMN diagram drawn by bpmn-js (vendored) from its .bpmn file."""
    stored = bpmn.exported(app, viewer.principal, key, _ref(version))
    source = f"/processes/{stored.key}/bpmn?version={stored.version}"
    return render.page(request, app, viewer, "bpmn_view.html", process=stored, source=source)


@router.get("/admin/bpmn")
def import_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    gate(viewer)
    return _page(request, app, viewer)


@router.post("/admin/bpmn")
def check_or_publish(
    request: Request,
    app: TheApp,
    viewer: Seen,
    xml: Annotated[str, Form(max_length=MAX_BYTES)],
    intent: Annotated[str, Form(max_length=16)] = "check",
    major: Annotated[bool, Form()] = False,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the BPMN XML; publish it when asked and there is no problem."""
    gate(viewer)
    sent = {"xml": xml, "major": major, "note": note}
    try:
        found = bpmn.imported(
            app,
            viewer.principal,
            xml.encode("utf-8"),
            "upload.bpmn",
            publish=intent == "publish",
            major=major,
            note=note,
        )
    except ValidationError as invalid:
        listed = [_line(p, viewer.lang) for p in invalid.problems]
        made = bpmn.yaml_name("upload.bpmn")
        source = ""  # the definition's text, when the problems name its lines
        if any(p.file == made for p in invalid.problems):
            source = bpmn.converted(app, viewer.principal, xml.encode("utf-8"), "upload.bpmn")
        shown = Shown(422, "", sent)
        return _page(request, app, viewer, shown, problems=listed, source=source)
    except OAFlowError as error:
        return _page(request, app, viewer, Shown(422, refused(error, viewer, app), sent))
    if found.published is not None:
        p = found.published
        flash = render.word("published", viewer.lang, key=p.key, version=p.version)
        return RedirectResponse(f"/processes/{p.key}?flash={flash}", status_code=303)
    return _page(request, app, viewer, Shown(200, "", sent), found=found)


def _line(p: Problem, lang: str) -> dict[str, object]:
    return {"where": p.where(), "text": p.fault.text(lang), "hint": p.fault.hint(lang)}


def _page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    shown: Shown = Shown(),
    problems: list[dict[str, object]] | None = None,
    found: bpmn.BpmnImport | None = None,
    source: str = "",
) -> Response:
    sent = {"xml": "", "major": False, "note": ""} | dict(shown.sent or {})
    notes = [_line(n, viewer.lang) for n in found.notes] if found is not None else []
    return page(
        request, app, viewer, "admin_bpmn.html", "bpmn", shown,
        sent=sent, problems=problems or [], found=found, notes=notes, source=source,
    )  # fmt: skip
