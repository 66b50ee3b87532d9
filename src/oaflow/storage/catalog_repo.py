"""Published process definitions: immutable versions (VER-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from oaflow.storage.tables import definitions


@dataclass(frozen=True)
class StoredDefinition:
    id: int
    key: str
    version: int
    label: str
    name_zh: str
    name_en: str
    source: str
    file: str
    published_at: datetime
    published_by: str
    major: int = 1
    minor: int = 0
    note: str = ""


def _stored(row: object) -> StoredDefinition:
    return StoredDefinition(**row._mapping)  # type: ignore[attr-defined]


def latest_version(conn: Connection, key: str) -> int:
    found = conn.execute(
        select(func.max(definitions.c.version)).where(definitions.c.key == key)
    ).scalar_one()
    return int(found or 0)


def insert_definition(conn: Connection, values: dict[str, object]) -> int:
    return int(
        conn.execute(insert(definitions).values(values).returning(definitions.c.id)).scalar_one()
    )


def get_definition(
    conn: Connection, key: str, version: int | None = None
) -> StoredDefinition | None:
    query = select(definitions).where(definitions.c.key == key)
    if version is not None:
        query = query.where(definitions.c.version == version)
    row = conn.execute(query.order_by(definitions.c.version.desc()).limit(1)).first()
    return _stored(row) if row else None


def get_definition_by_id(conn: Connection, definition_id: int) -> StoredDefinition | None:
    row = conn.execute(select(definitions).where(definitions.c.id == definition_id)).first()
    return _stored(row) if row else None


def list_definitions(conn: Connection) -> list[StoredDefinition]:
    newest = (
        select(definitions.c.key, func.max(definitions.c.version).label("v"))
        .group_by(definitions.c.key)
        .subquery()
    )
    rows = conn.execute(
        select(definitions)
        .join(newest, (definitions.c.key == newest.c.key) & (definitions.c.version == newest.c.v))
        .order_by(definitions.c.key)
    ).all()
    return [_stored(r) for r in rows]


def versions_of(conn: Connection, key: str) -> list[StoredDefinition]:
    """Every published version of ``key``, newest first."""
    rows = conn.execute(
        select(definitions).where(definitions.c.key == key).order_by(definitions.c.version.desc())
    ).all()
    return [_stored(r) for r in rows]


def every_version(conn: Connection) -> list[StoredDefinition]:
    """Every published version of every process, by key, newest first (the knowledge base)."""
    rows = conn.execute(
        select(definitions).order_by(definitions.c.key, definitions.c.version.desc())
    ).all()
    return [_stored(r) for r in rows]


#: a version number longer than this names no version (the databases' integers end)
MAX_VERSION_DIGITS = 9


def version_by_ref(conn: Connection, key: str, ref: str) -> StoredDefinition | None:
    """The version of ``key`` that ``ref`` names: its number (``2``), its label
    (``V1.1-202403-新产品上市流程``) or the label's number part (``V1.1``)."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) > MAX_VERSION_DIGITS:
        return None  # no such version, and too large an integer for SQLite to compare
    query = select(definitions).where(definitions.c.key == key)
    if ref.isdigit():
        query = query.where(definitions.c.version == int(ref))
    else:
        query = query.where(
            (definitions.c.label == ref)
            | definitions.c.label.startswith(f"{ref}-", autoescape=True)
        )
    row = conn.execute(query.order_by(definitions.c.version.desc()).limit(1)).first()
    return _stored(row) if row else None
