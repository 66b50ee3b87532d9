"""What a database failure means for a person: no OA-Flow schema there yet (or an older
one), or no database to reach at all. The adapters present these errors; only storage knows
the drivers' exceptions."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from oaflow.domain.errors import BusyError, OAFlowError
from oaflow.storage.database import Database

#: what the databases say when tables or columns are missing: no schema yet, or an old one
SCHEMA_SIGNS = ("no such table", "no such column", "does not exist")
#: what they say when a lock was waited for longer than allowed (SQLite past its busy
#: timeout; PostgreSQL past lock_timeout): the transaction was rolled back
BUSY_SIGNS = ("database is locked", "database table is locked", "lock timeout")
#: what they say when there is nothing to talk to
UNREACHABLE_SIGNS = (
    "connection",
    "could not connect",
    "unable to open database",
    "could not translate host",
    "timeout",
)


def driver_errors() -> tuple[type[BaseException], ...]:
    """The errors a database call can raise; psycopg's only when it was loaded (it is not
    imported for SQLite: a tenth of a command's start-up)."""
    psycopg = sys.modules.get("psycopg")
    loaded: tuple[type[BaseException], ...] = (psycopg.Error,) if psycopg is not None else ()
    return (DBAPIError, OperationalError, ProgrammingError, sqlite3.Error, *loaded)


def location(db: Database) -> str:
    return db.engine.url.render_as_string()


def no_schema(db: Database) -> OAFlowError:
    return OAFlowError("database.no_schema", url=location(db))


def explain(db: Database, exc: BaseException) -> OAFlowError | None:
    """The error a person should see for ``exc``, or None when it is no such failure."""
    text = str(exc).lower()
    if any(sign in text for sign in BUSY_SIGNS):  # before "timeout" below: the server answers
        return BusyError("database.busy")
    if any(sign in text for sign in SCHEMA_SIGNS):
        return no_schema(db)
    if any(sign in text for sign in UNREACHABLE_SIGNS):
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return OAFlowError("database.unreachable", url=location(db), reason=reason)
    return None


def require_file(db: Database) -> None:
    """A SQLite file that does not exist has no schema (and must not be created by a
    command that only reads or acts)."""
    url = db.engine.url
    is_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if is_file and not Path(str(url.database)).exists():
        raise no_schema(db)


def require_tables(db: Database) -> None:
    """A clear error (not a driver traceback) on a database that was never initialised."""
    if not inspect(db.engine).has_table("tasks"):
        raise no_schema(db)
