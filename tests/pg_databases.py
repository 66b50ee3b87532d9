"""Fresh PostgreSQL databases for tests: made from the admin URL, dropped after.

One admin connection pool per test process (``_admin``): a new SQLAlchemy engine per
database made or dropped cost a connection and the dialect's first queries each time — about
half of a PostgreSQL test's setup, for some 300 tests a run."""

from __future__ import annotations

import uuid
from functools import cache

from sqlalchemy import Engine, create_engine, text


@cache
def _admin(admin_url: str) -> Engine:
    return create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_size=1)


def fresh_pg_database(
    admin_url: str, template: str | None = None, name: str | None = None
) -> tuple[str, str]:
    """A new database (a copy of ``template``, a database nobody is connected to, when
    given; named ``name`` when given): its URL and its name."""
    name = name or f"oaflow_t_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    with _admin(admin_url).connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    return admin_url.rsplit("/", 1)[0] + f"/{name}", name


def drop_pg_database(admin_url: str, name: str) -> None:
    with _admin(admin_url).connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
