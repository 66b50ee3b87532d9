"""Process pages (DEF-8): the published processes, one process with its versions, its
diagram and its YAML; administrators upload a definition, see every problem with its line
number, and publish it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from oaflow.domain.errors import OAFlowError, ValidationError
from oaflow.present import flowchart
from oaflow.services import catalog
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp

router = APIRouter()
Key = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
#: the largest definition accepted from the page (the API's limit)
MAX_SOURCE = 1_000_000


@router.get("/processes")
def processes(request: Request, app: TheApp, viewer: Seen) -> Response:
    found = catalog.list_published(app, viewer.principal)
    return render.page(
        request, app, viewer, "processes.html", processes=found, source="", result=None,
        major=False, note="",
    )  # fmt: skip


@router.post("/processes")
def check_or_publish(
    request: Request,
    app: TheApp,
    viewer: Seen,
    source: Annotated[str, Form(max_length=MAX_SOURCE)],
    intent: Annotated[str, Form(max_length=16)] = "validate",
    major: Annotated[bool, Form()] = False,
    note: Annotated[str, Form(max_length=catalog.NOTE_LIMIT)] = "",
) -> Response:
    """Validate the YAML pasted or loaded into the form; publish it when asked and valid (a
    minor version unless ``major``, with the change note): to the new version's page."""
    lang = viewer.lang
    result: dict[str, object]
    try:
        if intent == "publish":
            published = catalog.publish(
                app, viewer.principal, source, "definition.yaml", major=major, note=note
            )
            flash = render.word("published", lang, key=published.key, version=published.version)
            if published.notified:
                flash = render.word(
                    "kb_published_notice", lang, label=published.label, n=len(published.notified)
                )
            page = f"/knowledge/{published.key}/versions/{published.version}"
            return RedirectResponse(f"{page}?flash={quote(flash)}", 303)
        definition = catalog.validate(app, source, "definition.yaml")
        result = {"ok": True, "message": render.word("valid", lang, name=definition.name.get(lang))}
    except ValidationError as invalid:
        lines = [
            {"line": p.line, "text": p.fault.text(lang), "hint": p.fault.hint(lang)}
            for p in invalid.problems
        ]
        result = {"ok": False, "problems": lines}
    except OAFlowError as refused:
        if refused.kind == "forbidden":
            raise
        result = {"ok": False, "problems": [{"line": None, "text": refused.text(lang), "hint": ""}]}
    found = catalog.list_published(app, viewer.principal)
    status = 200 if result["ok"] else 422
    return render.page(
        request, app, viewer, "processes.html", status=status, processes=found,
        source=source, result=result, major=major, note=note,
    )  # fmt: skip


@router.get("/processes/{key}")
def process(
    request: Request,
    key: Key,
    app: TheApp,
    viewer: Seen,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    shown, definition = catalog.shown(app, viewer.principal, key, version)
    versions = catalog.versions(app, viewer.principal, key)
    return render.page(
        request,
        app,
        viewer,
        "process.html",
        p=shown,
        versions=versions,
        chart=flowchart.layout(definition, viewer.lang),
        node_states={},
        source_lines=shown.source.splitlines(),
    )
