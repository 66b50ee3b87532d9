"""Small named values kept in the `settings` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update

from oaflow.storage.database import Database
from oaflow.storage.tables import settings


def get_instant(db: Database, name: str) -> datetime | None:
    with db.read() as conn:
        value = conn.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
    return datetime.fromisoformat(value) if value else None


def set_instant(db: Database, name: str, at: datetime) -> None:
    with db.write() as conn:
        changed = conn.execute(
            update(settings).where(settings.c.name == name).values(value=at.isoformat())
        ).rowcount
        if not changed:
            conn.execute(insert(settings).values(name=name, value=at.isoformat()))
