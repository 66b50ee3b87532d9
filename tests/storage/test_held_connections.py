"""On SQLite the hot path keeps one connection per thread (storage/database.py): each
thread's own, seeing every other's commits, closed after its thread ended or on dispose."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

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
