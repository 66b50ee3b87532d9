"""Migrating running instances between versions (/admin/processes/…/migrate, VER-4),
administrators only: pick the versions, map the nodes the target lacks, a dry run shows the
table per instance, then migrate. The same service as `oaflow process migrate` and the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from oaflow.domain.errors import OAFlowError
from oaflow.present.migration import report_document, summary
from oaflow.services import migration
from oaflow.services.migration import VersionChoice
from oaflow.web.routes.admin.common import Shown, gate, page, refused, status_of
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
Key = Annotated[str, Path(min_length=1, max_length=64)]
Ref = Annotated[str, Query(max_length=9, pattern=r"^\d*$")]
NodeIds = Annotated[list[str] | None, Form(max_length=100)]
#: free mapping rows offered besides those of the nodes the target lacks
FREE_ROWS = 2


@router.get("/admin/processes/migrate")
def index(request: Request, app: TheApp, viewer: Seen) -> Response:
    """The published processes, with how many instances run their older versions."""
    gate(viewer)
    found = migration.processes(app, viewer.principal)
    return page(request, app, viewer, "admin_migrate.html", "migrate", processes=found, key="")


@router.get("/admin/processes/{key}/migrate")
def form(
    request: Request,
    key: Key,
    app: TheApp,
    viewer: Seen,
    from_: Annotated[Ref, Query(alias="from")] = "",
    to: Ref = "",
) -> Response:
    gate(viewer)
    return _page(request, app, viewer, key, from_, to, {})


@router.post("/admin/processes/{key}/migrate")
def run(
    request: Request,
    key: Key,
    app: TheApp,
    viewer: Seen,
    from_: Annotated[str, Form(alias="from", max_length=9)] = "",
    to: Annotated[str, Form(max_length=9)] = "",
    action: Annotated[str, Form(max_length=10)] = "dry",
    old: NodeIds = None,
    new: NodeIds = None,
) -> Response:
    """A dry run (``action=dry``) or the migration (``action=migrate``) of ``from`` to ``to``
    under the mapping rows (``old``/``new`` pairs; a row with either empty is left out)."""
    gate(viewer)
    mapping = {o.strip(): n.strip() for o, n in zip(old or [], new or [], strict=False)}
    mapping = {o: n for o, n in mapping.items() if o and n}
    dry = action != "migrate"
    try:
        report = migration.migrate(app, viewer.principal, key, from_, to, mapping, dry)
    except OAFlowError as error:
        shown = Shown(status_of(error), refused(error, viewer, app))
        return _page(request, app, viewer, key, from_, to, mapping, shown)
    document = report_document(report, viewer.lang, app.calendar.tz)
    said = summary(report, viewer.lang)
    return _page(request, app, viewer, key, from_, to, mapping, report=document, said=said)


def _page(
    request: Request,
    app: TheApp,
    viewer: Viewer,
    key: str,
    from_: str,
    to: str,
    mapping: dict[str, str],
    shown: Shown = Shown(),
    **result: Any,
) -> Response:
    versions = migration.choices(app, viewer.principal, key)
    source, target = _chosen(versions, from_, to)
    lacking = [n for n in source.nodes if n[0] not in dict(target.nodes)] if target else []
    given = {n[0] for n in lacking}
    free = [(o, n) for o, n in mapping.items() if o not in given]
    free += [("", "")] * max(FREE_ROWS - len(free), 0)
    context = {
        "key": key,
        "versions": versions,
        "source": source,
        "target": target,
        "lacking": lacking,
        "free": free,
        "mapping": mapping,
        "report": result.get("report"),
        "said": result.get("said", ""),
    }
    return page(request, app, viewer, "admin_migrate.html", "migrate", shown, **context)


def _chosen(
    versions: list[VersionChoice], from_: str, to: str
) -> tuple[VersionChoice, VersionChoice | None]:
    """The versions chosen; by default the newest as the target and, as the source, the
    newest older version with running instances (else the one before the newest)."""
    by_number = {str(v.version): v for v in versions}
    target = by_number.get(to) or versions[0]
    older = [v for v in versions if v.version != target.version]
    source = by_number.get(from_) or next((v for v in older if v.running), None)
    source = source or (older[0] if older else target)
    return source, (target if len(versions) > 1 else None)
