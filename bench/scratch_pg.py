"""A scratch PostgreSQL database for a benchmark run: made fresh, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

from oaflow.storage.database import normalise_url


@contextmanager
def fresh_postgres(server: str) -> Iterator[str]:
    """The URL of a new database on the PostgreSQL ``server`` (a URL of any database there),
    dropped afterwards."""
    name = f"oaflow_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(server)).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
