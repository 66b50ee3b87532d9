"""The knowledge base (知识库, VER-3): every process with its versions; a process's version
history (each version's label, publisher, time, change note, what changed against the one
before and its diagram with the changes coloured); one version's page; two versions
compared."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.definition_diff import DefinitionDiff
from oaflow.present.version_diff import changed_chart, removed_chart, removed_names
from oaflow.services import catalog, knowledge
from oaflow.web import render
from oaflow.web.viewer import Seen, TheApp

router = APIRouter()
Key = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
#: a version: its number (2), its V-number (V1.1) or its whole label
Ref = Annotated[str, Path(min_length=1, max_length=200)]
#: how the diagram's marks read, in the legend's order
LEGEND = (
    ("added", "+", "kb_legend_added"),
    ("changed", "△", "kb_legend_changed"),
    ("same", "", "kb_legend_same"),
)
REMOVED_LEGEND = (("removed", "−", "kb_legend_removed"), ("same", "", "kb_legend_same"))


@router.get("/knowledge")
def catalogue(request: Request, app: TheApp, viewer: Seen) -> Response:
    found = knowledge.catalogue(app, viewer.principal)
    return render.page(request, app, viewer, "knowledge.html", processes=found)


@router.get("/knowledge/{key}")
def history(request: Request, key: Key, app: TheApp, viewer: Seen) -> Response:
    pages = knowledge.history(app, viewer.principal, key)
    lang = viewer.lang
    charts = [changed_chart(p.definition, p.changes.diff, lang) for p in pages]
    return render.page(
        request, app, viewer, "knowledge_process.html", key=key,
        versions=[p.changes for p in pages], charts=charts, newest=pages[0].changes.version,
        legend=LEGEND,
    )  # fmt: skip


@router.get("/knowledge/{key}/versions/{ref}")
def version(request: Request, key: Key, ref: Ref, app: TheApp, viewer: Seen) -> Response:
    shown = knowledge.version_page(app, viewer.principal, key, ref)
    diff = shown.changes.diff
    versions = catalog.versions(app, viewer.principal, key)
    return render.page(
        request, app, viewer, "knowledge_version.html", key=key, v=shown.changes,
        versions=versions,
        **_drawn(shown.definition, shown.previous_definition, diff, viewer.lang),
    )  # fmt: skip


@router.get("/knowledge/{key}/diff")
def compare(
    request: Request,
    key: Key,
    app: TheApp,
    viewer: Seen,
    old: Annotated[str, Query(alias="from", min_length=1, max_length=200)],
    new: Annotated[str, Query(alias="to", min_length=1, max_length=200)],
) -> Response:
    compared = knowledge.compare(app, viewer.principal, key, old, new)
    versions = catalog.versions(app, viewer.principal, key)
    drawn = _drawn(compared.new_definition, compared.old_definition, compared.diff, viewer.lang)
    return render.page(
        request, app, viewer, "knowledge_diff.html", key=key, c=compared, versions=versions,
        **drawn,
    )  # fmt: skip


def _drawn(
    new: ProcessDefinition, old: ProcessDefinition | None, diff: DefinitionDiff | None, lang: str
) -> dict[str, Any]:
    """The diagrams of a version page and of a comparison: ``new`` with its added and
    changed nodes marked, ``old`` with the removed ones, and the removed nodes' names."""
    return {
        "marked": changed_chart(new, diff, lang),
        "before": removed_chart(old, diff, lang),
        "removed": removed_names(old, diff, lang),
        "legend": LEGEND,
        "removed_legend": REMOVED_LEGEND,
    }
