"""On a SQLite file the write transactions of one process take turns on a lock of the
process (storage/database.py OneWriter) instead of polling SQLite's write lock: threads
writing at once never see "database is locked", however short SQLite's own wait; a turn
not given in time is SQLite's "database is locked" (a 503 "busy" to an API caller)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from oaflow.domain.errors import BusyError
from oaflow.storage import database, failures
from oaflow.storage.database import Database

THREADS = 8
WRITES = 40


@pytest.fixture
def impatient(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A SQLite file whose connections do not wait at all for SQLite's write lock."""
    pragmas = tuple(
        "PRAGMA busy_timeout=0" if p.startswith("PRAGMA busy_timeout") else p
        for p in database.SQLITE_PRAGMAS
    )
    monkeypatch.setattr(database, "SQLITE_PRAGMAS", pragmas)
    db = Database(f"sqlite:///{tmp_path / 'turns.db'}")
    with db.write() as conn:
        conn.execute(text("CREATE TABLE numbers (n INTEGER)"))
    yield db
    db.dispose()


def test_threads_writing_at_once_take_turns_and_none_is_refused(impatient: Database) -> None:
    failed: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(number: int) -> None:
        start.wait()
        try:
            for n in range(WRITES):
                if n % 2:  # the hot path's held connection and SQLAlchemy's pool alike
                    with impatient.raw_write() as dbapi:
                        dbapi.execute("INSERT INTO numbers (n) VALUES (?)", (number,))
                else:
                    with impatient.write() as conn:
                        conn.execute(text("INSERT INTO numbers (n) VALUES (:n)"), {"n": number})
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failed == []
    with impatient.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM numbers")).scalar() == THREADS * WRITES


def test_another_process_still_meets_sqlites_own_lock(impatient: Database, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "turns.db", isolation_level=None)  # not our process's
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"), impatient.raw_write():
            pass
    finally:
        other.execute("ROLLBACK")
        other.close()
    with impatient.write() as conn:  # the turn was given back
        conn.execute(text("INSERT INTO numbers (n) VALUES (1)"))


def test_a_turn_not_given_in_time_is_database_is_locked(
    impatient: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "WRITE_WAIT_SECONDS", 0.2)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with impatient.write():
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(30)
        with pytest.raises(sqlite3.OperationalError) as refused, impatient.write():
            pass
        explained = failures.explain(impatient, refused.value)
        assert isinstance(explained, BusyError) and explained.code == "database.busy"
    finally:
        release.set()
        holder.join(30)
    with impatient.write() as conn:
        conn.execute(text("INSERT INTO numbers (n) VALUES (2)"))
