"""Connecting to SQLite (embedded default) or PostgreSQL, and write transactions."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.pool import NullPool, Pool

from oaflow.domain.errors import InputError

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    # checkpoint every ~40 MB of WAL instead of ~4 MB: fewer fsyncs per transaction
    "PRAGMA wal_autocheckpoint=10000",
)


class JoinsWrites(Protocol):
    """Work that rides along in the first write transaction of a context (a request) that
    commits: an Idempotency-Key's claim (services/idempotency.py), so that a request's
    change and its claim are one transaction instead of two (docs/adr/0017)."""

    def join(self, dbapi: Any, dialect: str) -> None:
        """Called at the start of each write transaction until one commits, on its driver
        connection; raising rolls the transaction back."""

    def committed(self) -> None:
        """The transaction ``join`` ran in has committed."""


JOINING: ContextVar[JoinsWrites | None] = ContextVar("oaflow_joining", default=None)


class Database:
    """One database: its engine and the way to open transactions on it."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine = _make_engine(self.url, echo)
        self.dialect = self.engine.dialect.name
        #: a test hook called inside a write transaction just before commit
        self.before_commit: Callable[[], None] | None = None
        file = self.dialect == "sqlite" and self.engine.url.database not in (None, "", ":memory:")
        self._held = HeldConnections(self.engine) if file else None
        self._writers = OneWriter() if file else None
        self._file_or_server = file or self.dialect == "postgresql"
        self._unpooled: Engine | None = None

    @contextmanager
    def _turn_to_write(self) -> Iterator[None]:
        """On a SQLite file, this process's write transactions one at a time (OneWriter)."""
        if self._writers is None:
            yield
            return
        with self._writers.turn():
            yield

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite); commits or rolls back as a whole."""
        joining = JOINING.get()
        with self._turn_to_write(), self.engine.connect() as conn, conn.begin():
            if joining is not None:
                joining.join(conn.connection.dbapi_connection, self.dialect)
            yield conn
            if self.before_commit is not None:
                self.before_commit()
        if joining is not None:
            joining.committed()

    @contextmanager
    def raw_write(self) -> Iterator[Any]:
        """A write transaction on the driver connection itself (the engine's hot path,
        docs/adr/0002): the same pool, the same BEGIN IMMEDIATE on SQLite, no per-statement
        SQLAlchemy work. On SQLite each thread keeps its own connection for it (the pool's
        checkout and reset cost about a tenth of a task action)."""
        if self._held is not None:
            dbapi: Any = self._held.mine()
            with self._turn_to_write():
                dbapi.execute("BEGIN IMMEDIATE")
                yield from self._finish(dbapi)
            return
        pooled = self.engine.raw_connection()
        try:
            dbapi = pooled.dbapi_connection
            if self.dialect == "sqlite":  # an in-memory database
                dbapi.execute("BEGIN IMMEDIATE")
            yield from self._finish(dbapi)
        finally:
            pooled.close()

    def _finish(self, dbapi: Any) -> Iterator[Any]:
        joining = JOINING.get()
        try:
            if joining is not None:
                joining.join(dbapi, self.dialect)
            yield dbapi
            if self.before_commit is not None:
                self.before_commit()
            dbapi.commit()
        except BaseException:
            dbapi.rollback()
            raise
        if joining is not None:
            joining.committed()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with (
            self.engine.connect().execution_options(oaflow_read=True) as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def read_outside_pool(self) -> Iterator[Connection]:
        """A read on a connection of its own, never taken from the pool: for the small reads
        a thread may make while it holds a pooled connection (the calendar and its revision,
        App.calendar). Taking a second pooled connection there could wait for the pool that
        the threads it blocks (SQLite's write lock) keep busy — every request stalled until
        the pool's timeout under load."""
        if not self._file_or_server:  # an in-memory database exists on its one connection
            with self.read() as conn:
                yield conn
            return
        if self._unpooled is None:
            self._unpooled = _make_engine(self.url, echo=False, poolclass=NullPool)
        with (
            self._unpooled.connect().execution_options(oaflow_read=True) as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read transaction that sees the database as of one moment in all its statements
        (PostgreSQL: REPEATABLE READ; a SQLite read transaction does so anyway): for reads
        in several statements that must agree, such as verifying the audit chains."""
        options: dict[str, Any] = {"oaflow_read": True}
        if self.dialect == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        with self.engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        if self._held is not None:
            self._held.close_all()
        if self._unpooled is not None:
            self._unpooled.dispose()
        self.engine.dispose()


#: the longest a write waits for its turn in this process (SQLite's busy_timeout, which
#: then bounds the wait for other processes' writes)
WRITE_WAIT_SECONDS = 10.0


class OneWriter:
    """The write transactions of one process on one SQLite file, one at a time.

    SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps
    and polls (1, 2, 5 … 100 ms): under load the lock lies free between one writer's commit
    and the next poll, and a writer may lose every poll for seconds — 50 users at once saw a
    p99 of 8.6 s and a "database is locked" after 10 s. Threads of one process wait here
    instead, on a lock handed on at once when released; only writers of other processes (a
    worker, the CLI) still meet in SQLite's busy handler. A thread may nest (re-entrant); a
    forked child starts with a lock of its own."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._pid = os.getpid()

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self._pid != os.getpid():  # a forked child never waits for its parent's threads
            self._lock, self._pid = threading.RLock(), os.getpid()
        lock = self._lock
        if not lock.acquire(timeout=WRITE_WAIT_SECONDS):
            raise sqlite3.OperationalError("database is locked")  # as SQLite's own wait says
        try:
            yield
        finally:
            lock.release()


class HeldConnections:
    """One SQLite connection per thread for the hot path, made with the engine's own
    connect arguments and settings, closed by ``close_all`` or when a new one is made after
    its thread ended."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._lock = threading.Lock()
        self._by_thread: dict[threading.Thread, sqlite3.Connection] = {}
        self._pid = os.getpid()

    def mine(self) -> sqlite3.Connection:
        """This thread's connection."""
        if self._pid != os.getpid():  # a forked child never touches its parent's
            self._pid, self._by_thread, self._local = os.getpid(), {}, threading.local()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        return conn if conn is not None else self._connect()

    def _connect(self) -> sqlite3.Connection:
        args, kwargs = self._engine.dialect.create_connect_args(self._engine.url)
        options: dict[str, Any] = {**kwargs, "check_same_thread": False}
        conn: sqlite3.Connection = sqlite3.connect(str(args[0]), **options)
        _sqlite_connect(conn, None)
        self._local.conn = conn
        with self._lock:
            for ended in [t for t in self._by_thread if not t.is_alive()]:
                self._by_thread.pop(ended).close()
            self._by_thread[threading.current_thread()] = conn
        return conn

    def close_all(self) -> None:
        with self._lock:
            for conn in self._by_thread.values():
                conn.close()
            self._by_thread.clear()
        self._local = threading.local()


def normalise_url(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError("database.url_malformed", url=url) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError("database.unsupported", backend=parsed.get_backend_name())
    return parsed.render_as_string(hide_password=False)


def _make_engine(url: str, echo: bool, poolclass: type[Pool] | None = None) -> Engine:
    pooling: dict[str, Any] = {} if poolclass is None else {"poolclass": poolclass}
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, json_deserializer=_json_loads, **pooling)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, echo=echo, json_deserializer=_json_loads, **pooling)
    if poolclass is None:
        event.listen(engine, "checkout", _ping_when_idle(engine))
        event.listen(engine, "checkin", _checked_in)
    return engine


#: a pooled PostgreSQL connection unused for longer than this is pinged before it is handed
#: out (a server restarted meanwhile); one in steady use is not: the ping is a round trip,
#: about a twentieth of a task action (docs/adr/0016)
IDLE_PING_SECONDS = 2.0


def _checked_in(dbapi_conn: Any, record: Any) -> None:
    if dbapi_conn is not None:
        record.info["checked_in"] = time.monotonic()


def _ping_when_idle(engine: Engine) -> Callable[[Any, Any, Any], None]:
    """The pool's pre-ping, for connections idle a while or known broken: a failed ping
    makes the pool connect again (SQLAlchemy retries on DisconnectionError)."""

    def checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        if getattr(dbapi_conn, "broken", False):
            raise DisconnectionError("the connection is broken")
        last = record.info.get("checked_in")  # None: a connection made just now
        if last is None or time.monotonic() - last < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError(str(exc)) from exc

    return checkout


def _json_loads(text: str | bytes) -> Any:
    """A JSON column's value: read by orjson as the hot path reads it (several times
    faster), or by the standard library where orjson refuses what ``json.dumps`` may have
    written (NaN, Infinity)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _sqlite_connect(dbapi_conn: Any, record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    readonly = conn.get_execution_options().get("oaflow_read", False)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
