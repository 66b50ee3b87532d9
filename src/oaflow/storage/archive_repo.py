"""Rows of archives (ARC-1): recorded with the decision that passes an archive node (on the
runtime store's cursor, in its transaction), claimed by the worker to build the bundle, and
read by the archive use cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, func, select, update

from oaflow.domain.archive_names import numbered
from oaflow.domain.model import Decision
from oaflow.storage.runtime_sql import for_driver
from oaflow.storage.tables import archives, instances

PENDING, BUILT = "pending", "built"
_FIND = "SELECT name FROM archives WHERE instance_id = :iid AND node_id = :node"
_TAKEN = "SELECT 1 FROM archives WHERE name = :name"
_INSERT = (
    "INSERT INTO archives (name, instance_id, node_id, created_at, state, build_at, files, "
    "manifest_sha256, error) VALUES (:name, :iid, :node, :at, 'pending', :at, {files}, '', '')"
)


class Cursor(Protocol):
    """What ``record`` needs of the runtime store (storage/runtime_store.py)."""

    dialect: str
    cursor: Any

    def next_sequence(self, scope: str) -> int: ...

    def _time_in(self, value: datetime | None) -> Any: ...


def _sql(statement: str, dialect: str) -> str:
    empty = "CAST('[]' AS JSON)" if dialect == "postgresql" else "'[]'"
    return for_driver(statement.replace("{files}", empty), dialect)


def record(store: Cursor, instance_id: int, decision: Decision) -> None:
    """An archive row for every ``archived`` event of ``decision``, due to be built at once;
    its name made unique (``-2``, ``-3`` … after the pattern's name), and the event's name
    set to it. An instance that passes the same archive node again keeps its archive."""
    for event in decision.events:
        if event.kind != "archived" or event.node_id is None:
            continue
        params = {"iid": instance_id, "node": event.node_id}
        store.cursor.execute(_sql(_FIND, store.dialect), params)
        row = store.cursor.fetchone()
        if row is not None:
            event.data["name"] = row[0]
            continue
        name = _unique(store, str(event.data.get("name") or ""))
        event.data["name"] = name
        at = store._time_in(decision.at)
        store.cursor.execute(_sql(_INSERT, store.dialect), {**params, "name": name, "at": at})


def _unique(store: Cursor, base: str) -> str:
    """``base``, or ``base-2``, ``base-3`` … — the next number of its name (gap-free, it
    commits with the archive), past any name taken otherwise (a product named ``X-2``)."""
    while True:
        name = numbered(base, store.next_sequence(f"archive:{base}"[:100]))
        store.cursor.execute(_sql(_TAKEN, store.dialect), {"name": name})
        if store.cursor.fetchone() is None:
            return name


@dataclass(frozen=True)
class ArchiveRow:
    id: int
    name: str
    instance_id: int
    business_key: str
    node_id: str
    created_at: datetime
    state: str
    built_at: datetime | None
    files: Sequence[dict[str, Any]]
    manifest_sha256: str
    error: str


def _select() -> Any:
    return select(
        archives.c.id,
        archives.c.name,
        archives.c.instance_id,
        instances.c.business_key,
        archives.c.node_id,
        archives.c.created_at,
        archives.c.state,
        archives.c.built_at,
        archives.c.files,
        archives.c.manifest_sha256,
        archives.c.error,
    ).join(instances, instances.c.id == archives.c.instance_id)


def _rows(conn: Connection, query: Any) -> list[ArchiveRow]:
    return [ArchiveRow(**r._mapping) for r in conn.execute(query)]


def by_name(conn: Connection, name: str) -> ArchiveRow | None:
    found = _rows(conn, _select().where(archives.c.name == name))
    return found[0] if found else None


def of_instance(conn: Connection, instance_id: int) -> list[ArchiveRow]:
    return _rows(conn, _select().where(archives.c.instance_id == instance_id))


def listed(conn: Connection, visible: ColumnElement[bool] | None) -> list[ArchiveRow]:
    """Every archive (``visible`` None) or those of the instances matching ``visible`` (a
    condition on ``instances``: the caller's scope), newest first."""
    query = _select().order_by(archives.c.created_at.desc(), archives.c.id.desc())
    if visible is not None:
        query = query.where(visible)
    return _rows(conn, query)


def next_build(conn: Connection) -> datetime | None:
    found: datetime | None = conn.execute(select(func.min(archives.c.build_at))).scalar()
    return found


def claim(conn: Connection, now: datetime) -> ArchiveRow | None:
    """An archive whose bundle is due at ``now``, locked for this transaction (PostgreSQL:
    rows other workers hold are skipped; SQLite: the write lock serialises workers)."""
    query = (
        select(archives.c.id)
        .where(archives.c.build_at.is_not(None), archives.c.build_at <= now)
        .order_by(archives.c.build_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    archive_id = conn.execute(query).scalar()
    if archive_id is None:
        return None
    found = _rows(conn, _select().where(archives.c.id == archive_id))
    return found[0]


def built(
    conn: Connection, archive_id: int, at: datetime, files: list[dict[str, Any]], manifest: str
) -> None:
    conn.execute(
        update(archives)
        .where(archives.c.id == archive_id)
        .values(
            state=BUILT, build_at=None, built_at=at, files=files, manifest_sha256=manifest, error=""
        )
    )


def failed(conn: Connection, archive_id: int, retry_at: datetime, error: str) -> None:
    conn.execute(
        update(archives)
        .where(archives.c.id == archive_id)
        .values(build_at=retry_at, error=error[:2000])
    )
