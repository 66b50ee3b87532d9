"""Building archives' bundles (ARC-1) as one of the timers' sweeps (services/timers.py): an
archive recorded when its instance passed the archive node is due at once; the worker (or
``oaflow tick``) claims it (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: the write lock),
so that it is built once with several workers, gathers the instance's deliverable files, its
history, progress table (Template 3) and exception records (Template 4), writes the folder,
the zip and the manifest, and keeps the checksums in the same transaction.

The readable files (CSV/Excel/JSON) are written by ``app.archive_files``, which the adapters
set (they may use present/); a process without it leaves bundles to one that has it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.errors import OAFlowError
from oaflow.domain.security import SYSTEM, SYSTEM_LOGIN
from oaflow.services import archive_bundle as bundle
from oaflow.services import audit, deliverables, queries
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.services.timers import RETRY_FAILED, Sweep
from oaflow.storage import archive_repo as repo
from oaflow.storage import files_repo
from oaflow.storage.archive_repo import ArchiveRow

log = logging.getLogger(__name__)


def next_due(app: App) -> datetime | None:
    if app.archive_files is None:
        return None
    with app.db.read() as conn:
        return repo.next_build(conn)


def fire_one(app: App, now: datetime) -> bool:
    """Build one due bundle in a transaction of its own; False when none is due. A build
    that fails (a full disk) is tried again ``RETRY_FAILED`` later, with its error kept."""
    if app.archive_files is None:
        return False
    claimed: list[int] = []
    try:
        with app.db.write() as conn:
            row = repo.claim(conn, now)
            if row is None:
                return False
            claimed.append(row.id)
            _build(app, conn, row, now)
        return True
    except (OAFlowError, OSError, ValueError) as error:
        if not claimed:
            raise
        log.warning("archive %s could not be built, retried later: %s", claimed[0], error)
        with app.db.write() as conn:
            repo.failed(conn, claimed[0], now + RETRY_FAILED, str(error))
        return True


def _build(app: App, conn: Connection, row: ArchiveRow, now: datetime) -> None:
    files = dict(_readable(app, row))
    files.update(_deliverables(app, conn, row.instance_id))
    listed = bundle.listing(files)
    about = {
        "archive": row.name,
        "business_key": row.business_key,
        "node": row.node_id,
        "created_at": row.created_at.isoformat(),
        "built_at": now.isoformat(),
    }
    manifest = bundle.manifest_bytes(about, listed)
    bundle.write(app.files_root, row.name, files, manifest)
    digest = bundle.sha256(manifest)
    repo.built(conn, row.id, now, listed, digest)
    detail: dict[str, Any] = {"name": row.name, "files": len(listed), "manifest_sha256": digest}
    audit.record(
        app, conn, SYSTEM_LOGIN, AuditAction.ARCHIVE_BUILD, f"archive:{row.name}", **detail
    )


def _readable(app: App, row: ArchiveRow) -> Mapping[str, bytes]:
    """The history, the progress table and the exception records, as the adapter writes
    them; sensitive form values are left out (the bundle is read by whoever sees the
    instance)."""
    assert app.archive_files is not None
    detail = queries.instance_detail(app, SYSTEM, row.business_key)
    lang, tz = app.default_locale, app.calendar.tz
    return app.archive_files(detail, lang, tz)


def _deliverables(app: App, conn: Connection, instance_id: int) -> dict[str, bytes]:
    """The instance's uploaded deliverable files, as ``deliverables/<id>-<name>``."""
    found: dict[str, bytes] = {}
    for stored in files_repo.files_of_instance(conn, instance_id):
        path = deliverables.stored_path(app, stored.stored_name)
        found[f"deliverables/{stored.id}-{stored.name}"] = path.read_bytes()
    return found


SWEEP = Sweep("archives", next_due, fire_one)
