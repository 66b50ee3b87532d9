"""Migrating running instances between versions of a process (VER-4), administrators only:
every instance checked first, then (unless a dry run) each safe one migrated whole."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from oaflow.api.deps import TheApp, Who
from oaflow.api.problems import CHANGE, COMMON, ONE, language
from oaflow.api.schemas import Strict
from oaflow.present.migration import report_document
from oaflow.services import migration

router = APIRouter(tags=["processes"], responses=COMMON)
Key = Annotated[str, Path(min_length=1, max_length=64)]
VersionRef = Annotated[
    Annotated[int, Field(ge=1, le=1_000_000)] | Annotated[str, Field(min_length=1, max_length=200)],
    Field(description="a version: its number (2), its V-number (V1.1) or its label"),
]
NodeId = Annotated[str, Field(min_length=1, max_length=64)]


class Migration(Strict):
    source: VersionRef = Field(alias="from")
    target: VersionRef = Field(alias="to")
    map: dict[NodeId, NodeId] = Field(
        default={},
        max_length=500,
        description="old node id -> new node id; nodes with the same id in both versions "
        "map to themselves",
    )
    dry_run: bool = Field(default=False, description="check every instance, change nothing")


class Version(BaseModel):
    version: int
    label: str


class Move(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    old: str = Field(alias="from")
    new: str = Field(alias="to")


class InstanceProblem(BaseModel):
    code: str
    text: str
    hint: str


class InstanceOutcome(BaseModel):
    business_key: str
    title: str
    outcome: str = Field(description="migrated, would_migrate (a dry run) or refused")
    outcome_label: str
    at_nodes: list[str] = Field(description="the nodes of its open tasks, before")
    moves: list[Move] = Field(description="the nodes it reached that are renamed")
    problems: list[InstanceProblem] = Field(description="every reason it was refused")


class MigrationReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    key: str
    source: Version = Field(alias="from")
    target: Version = Field(alias="to")
    map: dict[str, str]
    dry_run: bool
    counts: dict[str, int]
    instances: list[InstanceOutcome]


@router.post(
    "/processes/{key}/migrations",
    response_model=MigrationReport,
    response_model_by_alias=True,
    responses={**ONE, **CHANGE},
)
def migrate(key: Key, body: Migration, request: Request, app: TheApp, who: Who) -> MigrationReport:
    """Move the running instances of version ``from`` to version ``to`` (administrators).
    Every instance is checked first; a mapping naming a node neither version has is a 422
    and nothing is done. Each safe instance is then migrated in a transaction of its own;
    the others are left as they were, with every reason. ``dry_run`` changes nothing."""
    report = migration.migrate(
        app, who, key, str(body.source), str(body.target), body.map, body.dry_run
    )
    document = report_document(report, language(request), app.calendar.tz)
    return MigrationReport.model_validate(document)
