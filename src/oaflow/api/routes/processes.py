"""Process definitions: list, show a version, its diagram; validate and publish
(administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, language
from oaflow.api.schemas import Definition
from oaflow.services import catalog
from oaflow.services.catalog import ProcessVersion, Published

router = APIRouter(prefix="/processes", tags=["processes"], responses=COMMON)
Key = Annotated[str, Path(min_length=1, max_length=64)]
Version = Annotated[int | None, Query(ge=1, le=100_000)]


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
def publish(body: Definition, app: TheApp, who: Who) -> Published:
    """Publish a new immutable version (administrators)."""
    return catalog.publish(app, who, body.source, body.file)
