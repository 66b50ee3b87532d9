"""On SQLite the hot path keeps one connection per thread (storage/database.py): each
thread's own, seeing every other's commits, closed after its thread ended or on dispose."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from oaflow.storage import database
from oaflow.storage.database import Database


def write(db: Database, value: int) -> Any:
    with db.raw_write() as dbapi:
        dbapi.execute("INSERT INTO numbers (n) VALUES (?)", (value,))
        return dbapi


def count(db: Database) -> int:
    with db.raw_write() as dbapi:
        return int(dbapi.execute("SELECT count(*) FROM numbers").fetchone()[0])


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = Database(f"sqlite:///{tmp_path / 'held.db'}")
    with database.raw_write() as dbapi:
        dbapi.execute("CREATE TABLE numbers (n INTEGER)")
    yield database
    database.dispose()


def in_thread(call: Any) -> Any:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()))
    thread.start()
    thread.join(30)
    return result[0]


def test_each_thread_keeps_its_own_connection_and_sees_the_others_commits(db: Database) -> None:
    mine = write(db, 1)
    assert write(db, 2) is mine  # kept between transactions
    theirs = in_thread(lambda: write(db, 3))
    assert theirs is not mine
    assert count(db) == 3
    assert mine.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # the engine's settings
    assert mine.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_failed_transaction_rolls_back_and_the_connection_stays_usable(db: Database) -> None:
    with pytest.raises(RuntimeError), db.raw_write() as dbapi:
        dbapi.execute("INSERT INTO numbers (n) VALUES (1)")
        raise RuntimeError("crash before commit")
    assert count(db) == 0
    write(db, 2)
    assert count(db) == 1


def test_connections_of_ended_threads_are_closed_and_dispose_closes_the_rest(
    db: Database,
) -> None:
    ended = in_thread(lambda: write(db, 1))
    in_thread(lambda: write(db, 2))  # a new thread's connection: the ended one is closed
    with pytest.raises(sqlite3.ProgrammingError):
        ended.execute("SELECT 1")
    mine = write(db, 3)
    db.dispose()
    with pytest.raises(sqlite3.ProgrammingError):
        mine.execute("SELECT 1")
    assert count(db) == 3  # a new connection after dispose


def test_an_in_memory_database_uses_the_pool_in_one_transaction_too() -> None:
    memory = Database("sqlite://")
    with memory.raw_write() as dbapi:
        dbapi.execute("CREATE TABLE numbers (n INTEGER)")
    with pytest.raises(RuntimeError), memory.raw_write() as dbapi:
        dbapi.execute("INSERT INTO numbers (n) VALUES (1)")
        raise RuntimeError("crash before commit")
    with memory.raw_write() as dbapi:
        assert dbapi.execute("SELECT count(*) FROM numbers").fetchone()[0] == 0
    memory.dispose()


def test_a_writer_waits_for_the_one_before_it_in_the_process_not_in_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SQLite's own wait switched off (busy_timeout 0), a second writer thread of the
    process still gets its turn as soon as the first commits: it waited on the process's
    writer lock, so no "database is locked" and no busy-handler sleeps."""
    pragmas = [p for p in database.SQLITE_PRAGMAS if "busy_timeout" not in p]
    monkeypatch.setattr(database, "SQLITE_PRAGMAS", (*pragmas, "PRAGMA busy_timeout=0"))
    db = Database(f"sqlite:///{tmp_path / 'writers.db'}")
    with db.raw_write() as dbapi:
        dbapi.execute("CREATE TABLE numbers (n INTEGER)")
    inside, release = threading.Event(), threading.Event()

    def first() -> None:
        with db.raw_write() as dbapi:
            dbapi.execute("INSERT INTO numbers (n) VALUES (1)")
            inside.set()
            assert release.wait(30)

    holder = threading.Thread(target=first)
    holder.start()
    assert inside.wait(30)
    waited: list[str] = []

    def second() -> None:
        with db.write() as conn:  # the SQLAlchemy way in waits on the same lock
            waited.append("in")
            conn.exec_driver_sql("INSERT INTO numbers (n) VALUES (2)")

    other = threading.Thread(target=second)
    other.start()
    other.join(0.2)
    assert waited == []  # still waiting for the first writer
    release.set()
    holder.join(30)
    other.join(30)
    assert waited == ["in"]
    assert count(db) == 2
    db.dispose()
