"""Rows of uploaded deliverables (the bytes are files under the storage root)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from oaflow.storage.tables import files


@dataclass(frozen=True)
class StoredFile:
    id: int
    task_id: int
    instance_id: int
    name: str
    stored_name: str
    size: int
    content_type: str
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


def add_file(conn: Connection, values: dict[str, object]) -> int:
    return int(conn.execute(insert(files).values(values).returning(files.c.id)).scalar_one())


def get_file(conn: Connection, file_id: int) -> StoredFile | None:
    row = conn.execute(select(files).where(files.c.id == file_id)).first()
    return StoredFile(**row._mapping) if row else None


def files_of_task(conn: Connection, task_id: int) -> list[StoredFile]:
    rows = conn.execute(select(files).where(files.c.task_id == task_id).order_by(files.c.id))
    return [StoredFile(**r._mapping) for r in rows]


def files_of_instance(conn: Connection, instance_id: int) -> list[StoredFile]:
    rows = conn.execute(
        select(files).where(files.c.instance_id == instance_id).order_by(files.c.id)
    )
    return [StoredFile(**r._mapping) for r in rows]
