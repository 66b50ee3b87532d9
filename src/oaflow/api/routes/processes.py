"""Process definitions: list, show a version, its diagram; validate and publish
(administrators); the versions with what changed in each, and the diff of any two (VER)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, language
from oaflow.api.schemas import (
    Definition,
    Publication,
    VersionChange,
    VersionDetail,
    VersionDiff,
    VersionInfo,
)
from oaflow.domain.definition_diff import DefinitionDiff
from oaflow.present.version_diff import change_rows
from oaflow.services import catalog, knowledge
from oaflow.services.catalog import ProcessVersion, Published
from oaflow.services.change_notice import version_page

router = APIRouter(prefix="/processes", tags=["processes"], responses=COMMON)
Key = Annotated[str, Path(min_length=1, max_length=64)]
Version = Annotated[int | None, Query(ge=1, le=100_000)]
#: a version: its number (2), its V-number (V1.1) or its whole label
Ref = Annotated[str, Path(min_length=1, max_length=200)]


@dataclass(frozen=True)
class Validated:
    key: str
    nodes: int


@router.get("", response_model=list[ProcessVersion])
def listed(app: TheApp, who: Who) -> list[ProcessVersion]:
    """The published processes, newest version of each."""
    return catalog.list_published(app, who)


@router.get("/{key}/versions", response_model=list[ProcessVersion], responses=ONE)
def versions(key: Key, app: TheApp, who: Who) -> list[ProcessVersion]:
    """Every published version of a process, newest first (without their YAML text)."""
    return catalog.versions(app, who, key)


@router.get("/{key}/versions/{ref}", response_model=VersionDetail, responses=ONE)
def version(key: Key, ref: Ref, app: TheApp, who: Who) -> VersionDetail:
    """One version (``2``, ``V1.1`` or its label) with what changed against the one before."""
    changes = knowledge.version_page(app, who, key, ref).changes
    shown = changes.version
    return VersionDetail(
        **_info(shown).model_dump(),
        previous=_info(changes.previous) if changes.previous else None,
        changes=_changes(changes.diff),
        page=version_page(key, shown.version),
    )


@router.get("/{key}/diff", response_model=VersionDiff, responses=ONE)
def diff(
    key: Key,
    app: TheApp,
    who: Who,
    old: Annotated[str, Query(alias="from", min_length=1, max_length=200)],
    new: Annotated[str, Query(alias="to", min_length=1, max_length=200)],
) -> VersionDiff:
    """What changed from version ``from`` to version ``to`` (each ``2``, ``V1.1`` or a
    label), in Chinese and English words."""
    compared = knowledge.compare(app, who, key, old, new)
    return VersionDiff(
        key=key,
        old=_info(compared.old),
        new=_info(compared.new),
        changes=_changes(compared.diff),
    )


def _info(v: ProcessVersion) -> VersionInfo:
    return VersionInfo(
        key=v.key,
        version=v.version,
        label=v.label,
        major=v.major,
        minor=v.minor,
        name_zh=v.name.zh,
        name_en=v.name.en,
        note=v.note,
        published_at=v.published_at,
        published_by=v.published_by.login,
    )


def _changes(found: DefinitionDiff | None) -> list[VersionChange]:
    return [VersionChange.model_validate(row) for row in change_rows(found)]


@router.get("/{key}", response_model=ProcessVersion, responses=ONE)
def show(key: Key, app: TheApp, who: Who, version: Version = None) -> ProcessVersion:
    """A published version with its YAML text."""
    return catalog.shown(app, who, key, version)[0]


@router.get("/{key}/diagram", response_model=str, responses=ONE)
def diagram(
    key: Key,
    request: Request,
    app: TheApp,
    who: Who,
    version: Version = None,
    format: Literal["mermaid"] = "mermaid",
) -> str:
    """The flow as Mermaid text with departments and time limits on the nodes."""
    return catalog.diagram(app, who, key, version, language(request))


@router.post("/validate", response_model=Validated)
def validate(body: Definition, app: TheApp, who: Who) -> Validated:
    """Check a definition against the format, the organisation and the policies; a 422
    lists every problem with its line."""
    definition = catalog.validate(app, body.source, body.file)
    return Validated(definition.key, len(definition.nodes))


@router.post("", response_model=Published, status_code=201, responses=CHANGE)
def publish(body: Publication, app: TheApp, who: Who) -> Published:
    """Publish a new immutable version (administrators): V1.0 first, then a minor step
    (V1.1) unless ``major`` (V2.0); ``note`` is its change log. From the second version on,
    the change notice goes to the departments the process involves (``notified``)."""
    return catalog.publish(app, who, body.source, body.file, major=body.major, note=body.note)
