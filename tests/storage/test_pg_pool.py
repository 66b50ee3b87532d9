"""PostgreSQL's pool pings a connection only when it has been idle a while or is known
broken (storage/database.py): a connection in steady use costs no round trip, and one whose
server side went away (a restart, an idle timeout) is replaced, not handed out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text
from tests.pg_databases import drop_pg_database, fresh_pg_database

from oaflow.storage import database
from oaflow.storage.database import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def db(pg_admin_url: str) -> Iterator[Database]:
    url, name = fresh_pg_database(pg_admin_url)
    found = Database(url)
    yield found
    found.dispose()
    drop_pg_database(pg_admin_url, name)


def backend_pid(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(admin_url: str, pid: int) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p, 5000)"), {"p": pid}).scalar()
    admin.dispose()


def pings(db: Database) -> list[str]:
    """The statements the pool's ping sends, from now on."""
    sent: list[str] = []
    real = db.engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        sent.append("ping")
        return bool(real(dbapi_connection))

    db.engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return sent


def test_a_connection_in_steady_use_is_not_pinged(db: Database) -> None:
    first = backend_pid(db)
    sent = pings(db)
    for _ in range(5):
        assert backend_pid(db) == first  # the same connection, again and again
        with db.raw_write() as dbapi:
            dbapi.execute("SELECT 1")
    assert sent == []


def test_an_idle_connection_whose_server_side_ended_is_replaced(
    db: Database, pg_admin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = backend_pid(db)
    terminate(pg_admin_url, first)
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # as if idle for long
    sent = pings(db)
    second = backend_pid(db)  # no error reaches the caller
    assert second != first
    assert sent == ["ping"]


def test_a_connection_that_broke_in_use_is_not_handed_out_again(
    db: Database, pg_admin_url: str
) -> None:
    first = backend_pid(db)
    terminate(pg_admin_url, first)
    with pytest.raises(psycopg.OperationalError), db.raw_write() as dbapi:
        dbapi.execute("SELECT 1")  # checked in a moment ago: not pinged, and it fails
    assert backend_pid(db) != first  # the broken one was not taken again
    with db.raw_write() as dbapi:
        assert dbapi.execute("SELECT 1").fetchone() == (1,)
