"""Archives of instances that passed an archive node (ARC-1): list, show, verify and export.
Whoever may see an instance may see its archive (the same scope, SEC-2); an archive out of
the caller's scope is answered like a missing one. Building the bundle is the worker's
(services/archive_jobs.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from oaflow.domain.errors import ConflictError, InputError, NotFoundError
from oaflow.domain.security import Permission, Principal, scope_of
from oaflow.services import archive_bundle as bundle
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.services.archive_bundle import Finding
from oaflow.services.views import InstanceDetail
from oaflow.storage import archive_repo as repo
from oaflow.storage import runtime_reads
from oaflow.storage.archive_repo import ArchiveRow
from oaflow.storage.scope_sql import visible_clause

#: writes an archive's readable files from its instance's view, in a language and time zone
#: (present/archive_files.py, given by the adapters as ``App.archive_files``)
ArchiveFiles = Callable[[InstanceDetail, str, str], Mapping[str, bytes]]


@dataclass(frozen=True)
class ArchiveFile:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ArchiveView:
    """An archive: its name, its instance, whether its bundle is built, and its files."""

    name: str
    business_key: str
    node_id: str
    created_at: datetime
    state: str  # pending | built
    built_at: datetime | None
    files: tuple[ArchiveFile, ...]
    manifest_sha256: str
    error: str = ""  # why the last attempt to build it failed

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class ArchiveCheck:
    """What ``verify`` found: every changed, missing or extra file (none: intact)."""

    name: str
    checked_at: datetime
    files: int
    findings: tuple[Finding, ...]

    @property
    def intact(self) -> bool:
        return not self.findings


def _view(row: ArchiveRow) -> ArchiveView:
    files = tuple(ArchiveFile(f["path"], int(f["size"]), f["sha256"]) for f in row.files)
    return ArchiveView(
        row.name,
        row.business_key,
        row.node_id,
        row.created_at,
        row.state,
        row.built_at,
        files,
        row.manifest_sha256,
        row.error,
    )


def archive_list(app: App, who: Principal) -> list[ArchiveView]:
    """The archives of the instances ``who`` may see, newest first."""
    with app.db.read() as conn:
        clause = None if who.sees_all else visible_clause(scope_of(who))
        return [_view(r) for r in repo.listed(conn, clause)]


def of_instance(app: App, who: Principal, business_key: str) -> list[ArchiveView]:
    """The archives of one instance ``who`` may see (none: not archived yet)."""
    from oaflow.services.queries import find_instance

    with app.db.read() as conn:
        instance = find_instance(app, conn, who, business_key)
        return [_view(r) for r in repo.of_instance(conn, instance.id or 0)]


def _visible(app: App, conn: Connection, who: Principal, name: str) -> ArchiveRow:
    missing = NotFoundError("archive.not_found", name=name)
    row = repo.by_name(conn, name)
    if row is None:
        raise missing
    instance = runtime_reads.load_instance(conn, app.sensitive, row.instance_id)
    assert instance is not None
    authz.authorize(app, conn, who, Permission.VIEW, instance=instance, missing=missing)
    return row


def show(app: App, who: Principal, name: str) -> ArchiveView:
    with app.db.read() as conn:
        return _view(_visible(app, conn, who, name))


def _built(app: App, who: Principal, name: str) -> ArchiveRow:
    with app.db.read() as conn:
        row = _visible(app, conn, who, name)
    if row.state != repo.BUILT:
        raise ConflictError("archive.not_built", name=name)
    return row


def verify(app: App, who: Principal, name: str) -> ArchiveCheck:
    """Compare the bundle's folder and zip with the checksums kept in the database."""
    row = _built(app, who, name)
    found = bundle.verify(app.files_root, name, list(row.files), row.manifest_sha256)
    return ArchiveCheck(name, app.now(), len(row.files) + 1, tuple(found))


def zip_path(app: App, who: Principal, name: str) -> Path:
    """Where the bundle's zip is (for a download)."""
    _built(app, who, name)
    path = bundle.zip_of(app.files_root, name)
    if not path.is_file():
        raise NotFoundError("archive.not_found", name=name)
    return path


def export(app: App, who: Principal, name: str, to: Path, folder: bool = False) -> Path:
    """Copy the bundle's zip (or, with ``folder``, its folder) to ``to``, which must not
    exist yet; returns ``to``."""
    _built(app, who, name)
    if to.exists():
        raise InputError("archive.export_exists", path=str(to))
    source = (bundle.folder_of if folder else bundle.zip_of)(app.files_root, name)
    if not source.exists():
        raise NotFoundError("archive.not_found", name=name)
    try:
        if folder:
            shutil.copytree(source, to)
        else:
            shutil.copyfile(source, to)
    except OSError as exc:
        raise InputError("archive.export_failed", path=str(to), reason=exc.strerror) from None
    return to
