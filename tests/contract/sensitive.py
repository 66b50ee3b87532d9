"""Helpers of the tests of sensitive fields at rest (SEC-3): apps with other keys on the same
database, and every place a value could be found — the SQLite file, its WAL, a dump of
every table (and pg_dump on PostgreSQL)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url, select

from oaflow.domain.errors import CryptoError
from oaflow.services.app import App
from oaflow.storage.crypto import cipher_from
from oaflow.storage.database import Database
from oaflow.storage.tables import metadata

#: a phone number that appears nowhere else
CANARY = "13942424242"
#: a second key, and the tests' key id with other bytes (a wrong key)
K2 = "k2:a2V5IHR3byBvZiB0aGUgdGVzdHM6IDMyIGJ5dGVzISE="
WRONG = "test1:d3Jvbmcga2V5IGZvciB0aGUgaWQgdGVzdDEgISEhISE="


def app_with(app: App, keys: str) -> App:
    """Another App on ``app``'s database whose keys are ``keys`` (OAFLOW_KEYS; "" none)."""
    cipher = cipher_from(keys, "")
    return App(db=Database(app.db.url), clock=app.clock, calendar=app.calendar, cipher=cipher)


def table_dump(app: App) -> str:
    """Every row of every table, as text (what a logical backup holds)."""
    lines = []
    with app.db.read() as conn:
        for table in metadata.sorted_tables:
            lines += [f"{table.name}: {tuple(row)!r}" for row in conn.execute(select(table))]
    return "\n".join(lines)


def places(app: App) -> dict[str, bytes]:
    """Where a value at rest can be read: the files of a SQLite database (read before
    any checkpoint: the WAL holds every page written), or pg_dump's output; and a dump of
    every table through SQL."""
    found = {"tables": table_dump(app).encode()}
    url = make_url(app.db.url)
    if url.get_backend_name() == "sqlite":
        file = Path(str(url.database))
        for suffix in ("", "-wal", "-shm"):
            path = file.with_name(file.name + suffix)
            if path.exists():
                found[path.name] = path.read_bytes()
        assert found.get(file.name + "-wal"), "the WAL is read before a checkpoint"
    elif shutil.which("pg_dump"):
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
        dump = subprocess.run(["pg_dump", "--data-only", libpq], capture_output=True, check=True)
        found["pg_dump"] = dump.stdout
    return found


def holding(app: App, text: str) -> list[str]:
    """The places at rest that hold ``text``."""
    return sorted(name for name, blob in places(app).items() if text.encode() in blob)


@contextmanager
def fails_closed(code: str) -> Iterator[None]:
    """The block raises the CryptoError ``code``."""
    with pytest.raises(CryptoError) as raised:
        yield
    assert raised.value.code == code, raised.value
