"""The knowledge base (知识库, VER-3): every process with its versions; a process's version
history, each version with its label, publisher, time, change note and what changed against
the version before it; one version with its diagram; the diff between any two versions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.definition_diff import DefinitionDiff, diff_definitions
from oaflow.domain.errors import NotFoundError
from oaflow.domain.security import Permission, Principal
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.services.catalog import ProcessVersion, as_version, resolve
from oaflow.services.view_parts import Names
from oaflow.storage import catalog_repo
from oaflow.storage.catalog_repo import StoredDefinition


@dataclass(frozen=True)
class ProcessHistory:
    """A process and its versions, newest first."""

    key: str
    versions: tuple[ProcessVersion, ...]

    @property
    def newest(self) -> ProcessVersion:
        return self.versions[0]


@dataclass(frozen=True)
class VersionChanges:
    """A version and what changed since ``previous`` (None: the first version)."""

    version: ProcessVersion
    previous: ProcessVersion | None
    diff: DefinitionDiff | None


@dataclass(frozen=True)
class VersionPage:
    """One version with its definition, and the one before it (to draw what it removed)."""

    changes: VersionChanges
    definition: ProcessDefinition
    previous_definition: ProcessDefinition | None


@dataclass(frozen=True)
class Comparison:
    """What changed from one version (``old``) to another (``new``)."""

    key: str
    old: ProcessVersion
    new: ProcessVersion
    diff: DefinitionDiff
    old_definition: ProcessDefinition
    new_definition: ProcessDefinition


def catalogue(app: App, who: Principal) -> list[ProcessHistory]:
    """Every published process with all its versions (without their YAML), by key."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW)
        names = Names(app.org(conn))
        found: dict[str, list[ProcessVersion]] = {}
        for stored in catalog_repo.every_version(conn):
            found.setdefault(stored.key, []).append(as_version(names, stored))
    return [ProcessHistory(key, tuple(versions)) for key, versions in found.items()]


def history(app: App, who: Principal, key: str) -> list[VersionPage]:
    """Every version of ``key``, newest first, each with what changed since the one before
    (and both definitions, to draw it)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW, process=key)
        stored = catalog_repo.versions_of(conn, key)
        if not stored:
            raise NotFoundError("process.not_published", key=key)
        names = Names(app.org(conn))
        older = [*stored[1:], None]
        return [_page(app, conn, names, s, before) for s, before in zip(stored, older, strict=True)]


def version_page(app: App, who: Principal, key: str, ref: str) -> VersionPage:
    """The version ``ref`` names (``2``, ``V1.1`` or its label), what changed in it."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW, process=key)
        stored = resolve(conn, key, ref)
        before = catalog_repo.get_definition(conn, key, stored.version - 1)
        return _page(app, conn, Names(app.org(conn)), stored, before)


def compare(app: App, who: Principal, key: str, old_ref: str, new_ref: str) -> Comparison:
    """The changes from version ``old_ref`` to ``new_ref`` (either way round)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW, process=key)
        old, new = resolve(conn, key, old_ref), resolve(conn, key, new_ref)
        names = Names(app.org(conn))
        before, after = app.definition(conn, old.id), app.definition(conn, new.id)
        return Comparison(
            key,
            as_version(names, old),
            as_version(names, new),
            diff_definitions(before, after),
            before,
            after,
        )


def _page(
    app: App,
    conn: Connection,
    names: Names,
    stored: StoredDefinition,
    before: StoredDefinition | None,
) -> VersionPage:
    definition = app.definition(conn, stored.id)
    if before is None:
        return VersionPage(VersionChanges(as_version(names, stored), None, None), definition, None)
    previous = app.definition(conn, before.id)
    diff = diff_definitions(previous, definition)
    changes = VersionChanges(as_version(names, stored), as_version(names, before), diff)
    return VersionPage(changes, definition, previous)
