"""Durable task completions per second on the complaint process, against the bare limit.

    python bench/engine.py [--instances N]

Runs N customer-complaint instances (4 user tasks each) to completion on a SQLite file
(WAL, synchronous=NORMAL, wal_autocheckpoint=10000 for every measurement); every completion
is its own transaction with everything the engine writes. In the same run it measures the
machine's bare limit: stdlib sqlite3, one transaction = UPDATE the task + INSERT the next
task + INSERT one history event, on the same schema.
Prints both rates, their ratio, and the peak RSS.

Then, to show where the rest of the time goes, it records the statements the engine
executes for the same completions (on a copy of the database, untimed) and replays them
through stdlib sqlite3 on another copy, one transaction per completion: the rate of the
engine's own rows without any engine logic, measured against the bare loop again.

    python bench/engine.py --postgres postgresql://root@127.0.0.1:5432/postgres

also runs the same completions on a fresh database of that PostgreSQL server (created and
dropped by the run) and prints its rate: a standing figure, with no bare limit to compare.

The complaint's `phone` is a sensitive field: the engine runs with a key and seals it, as
a production system does (docs/adr/0008); `--plain` runs without a key (values kept plain).

For bench/run.py (part ``engine_sqlite``), ``measure(args)`` measures in ONE pass of
alternating chunks the engine, the replay of its own statements (recorded beforehand on a
copy), SpiffWorkflow persisting every step (bench/spiff_complaint.py) and the bare loop.
It also prints the replay beside SpiffWorkflow: the most any engine writing these rows could
reach against SpiffWorkflow here.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from figures import Figure, Target, at_least_ratio
from scratch_pg import fresh_postgres

from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import authz, runtime, setup
from oaflow.services.app import App
from oaflow.storage import runtime_reads, runtime_store
from oaflow.storage.crypto import Cipher, Key
from oaflow.storage.database import SQLITE_PRAGMAS, Database
from oaflow.storage.sealing import SensitiveFields

#: the key the engine seals sensitive fields with (None: `--plain`)
KEYS: list[Cipher | None] = [Cipher([Key("bench", bytes(range(32)))])]

FORM = {
    "title": "投诉",
    "customer": "某公司",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "包装破损",
}
STEPS: list[tuple[str, str, Command]] = [
    ("triage", "csd.head", Command(Action.APPROVE, "csd.head")),
    (
        "handle",
        "prd.head",
        Command(Action.COMPLETE, "prd.head", outputs={"cause": "包装", "solution": "补发"}),
    ),
    ("review", "csd.head", Command(Action.APPROVE, "csd.head")),
    ("reply", "csd.head", Command(Action.COMPLETE, "csd.head", outputs={"reply": "已补发"})),
]


def make_app(path: Path) -> App:
    return app_on(f"sqlite:///{path}")


def app_on(url: str) -> App:
    clock = FixedClock(datetime(2025, 3, 3, 1, 0, tzinfo=UTC))
    app = App(db=Database(url), clock=clock, calendar=china_calendar(), cipher=KEYS[0])
    setup.init(app, demo=True)
    return app


def postgres_rate(server: str, instances: int) -> float:
    """Completions per second of the same work on a fresh PostgreSQL database."""
    with fresh_postgres(server) as url:
        app = app_on(url)
        try:
            start_instances(app, instances)
            begin = time.perf_counter()
            done = 0
            for ids, command in steps(app):
                who = authz.principal(app, command.actor)
                for task_id in ids:
                    runtime.act(app, who, task_id, command)
                done += len(ids)
            return done / (time.perf_counter() - begin)
        finally:
            app.db.dispose()


def open_task_ids(app: App, login: str, node: str) -> list[int]:
    with app.db.read() as conn:
        return [
            t.id or 0
            for t in runtime_reads.open_tasks_for(conn, app.sensitive, login)
            if t.node_id == node
        ]


class Bare:
    """The bare limit: stdlib sqlite3, one transaction = UPDATE the task, INSERT the next
    task, INSERT one history event, on a file with the same schema and settings."""

    INSERT_TASK = (
        "INSERT INTO tasks (instance_id, node_id, round, state, department, assignee, candidates,"
        " created_at, due_at, progress, note, outputs, version) VALUES"
        " (?, 'bench', 1, 'pending', 'prd', 'prd.head', '[]', ?, ?, 0, '', '{}', 1)"
    )
    NOW = "2025-03-03 01:00:00.000000"

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in SETTINGS:
            self.conn.execute(f"PRAGMA {pragma}")
        self.instance_id = self.conn.execute("SELECT min(id) FROM instances").fetchone()[0]
        self.task_id = self.conn.execute(
            self.INSERT_TASK, (self.instance_id, self.NOW, self.NOW)
        ).lastrowid
        self.seq = 1_000_000

    def run(self, count: int) -> float:
        """Seconds for ``count`` transactions."""
        conn = self.conn
        begin = time.perf_counter()
        for _ in range(count):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "UPDATE tasks SET state='done', version=version+1 WHERE id=? AND version=?",
                (self.task_id, 1),
            )
            self.task_id = conn.execute(
                self.INSERT_TASK, (self.instance_id, self.NOW, self.NOW)
            ).lastrowid
            conn.execute(
                "INSERT INTO history (instance_id, seq, at, kind, node_id, task_id, actor, data)"
                " VALUES (?, ?, ?, 'task_done', 'bench', ?, 'prd.head', '{}')",
                (self.instance_id, self.seq, self.NOW, self.task_id),
            )
            conn.execute("COMMIT")
            self.seq += 1
        return time.perf_counter() - begin


#: the engine's own SQLite settings (storage/database.py), used for the bare loop too
SETTINGS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "busy_timeout=10000",
    "wal_autocheckpoint=10000",
)


Transaction = list[tuple[str, str, Any]]  # (method, sql, parameters)


def start_instances(app: App, instances: int) -> None:
    for _ in range(instances):
        runtime.start(app, authz.principal(app, "csd.head"), "customer-complaint", FORM)


def steps(app: App) -> Iterator[tuple[list[int], Command]]:
    """Each process step's open task ids (in order) and the command completing them."""
    for node, login, command in STEPS:
        yield open_task_ids(app, login, node), command


def alongside(app: App, bare: Bare, instances: int) -> tuple[float, float]:
    """Completions per second of the engine and of the bare loop, measured in alternating
    chunks (one per process step) so that both see the same machine load."""
    engine_time = bare_time = 0.0
    done = 0
    for ids, command in steps(app):
        who = authz.principal(app, command.actor)  # as the API will: once per signed-in user
        begin = time.perf_counter()
        for task_id in ids:
            runtime.act(app, who, task_id, command)
        engine_time += time.perf_counter() - begin
        bare_time += bare.run(len(ids))
        done += len(ids)
    assert done == 4 * instances, done
    return done / engine_time, done / bare_time


class RecordingCursor:
    """A driver cursor that also notes every statement run through it."""

    def __init__(self, cursor: Any, into: Transaction) -> None:
        self._cursor = cursor
        self._into = into

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        self._into.append(("execute", sql, parameters))
        return self._cursor.execute(sql, parameters)

    def executemany(self, sql: str, rows: Any) -> Any:
        self._into.append(("executemany", sql, list(rows)))
        return self._cursor.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


@contextmanager
def recording(into: Transaction) -> Iterator[None]:
    """While inside: every hot-path cursor notes its statements in ``into``."""
    original = runtime_store.RuntimeStore.__init__

    def init(
        self: runtime_store.RuntimeStore, dbapi: Any, dialect: str, fields: SensitiveFields
    ) -> None:
        original(self, dbapi, dialect, fields)
        self.cursor = RecordingCursor(self.cursor, into)

    runtime_store.RuntimeStore.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        runtime_store.RuntimeStore.__init__ = original  # type: ignore[method-assign]


def record(app: App) -> list[list[Transaction]]:
    """The engine's statements for every completion, one transaction each, per step."""
    chunks: list[list[Transaction]] = []
    for ids, command in steps(app):
        chunk: list[Transaction] = []
        who = authz.principal(app, command.actor)
        for task_id in ids:
            statements: Transaction = []
            with recording(statements):
                runtime.act(app, who, task_id, command)
            chunk.append(statements)
        chunks.append(chunk)
    return chunks


def replay(path: Path, chunks: list[list[Transaction]], bare: Bare) -> tuple[float, float]:
    """Transactions per second of the recorded statements replayed through stdlib sqlite3
    (the engine's own pragmas) and of the bare loop, in alternating chunks."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        conn.execute(pragma)
    cursor = conn.cursor()
    replay_time = bare_time = 0.0
    done = 0
    for chunk in chunks:
        replay_time += replay_chunk(cursor, chunk)
        bare_time += bare.run(len(chunk))
        done += len(chunk)
    conn.close()
    return done / replay_time, done / bare_time


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def copy_database(app: App, to: Path) -> None:
    """A copy of ``app``'s SQLite file as it is now (WAL checkpointed first)."""
    source = Path(str(app.db.engine.url.database))
    app.db.dispose()
    checkpoint = sqlite3.connect(source)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    shutil.copyfile(source, to)


# -- the part of bench/run.py -------------------------------------------------------------

ENGINE = "SQLite engine completions/s"
SPIFF = "SpiffWorkflow persisted/s"
SPIFF_KEPT = "SpiffWorkflow kept in memory, persisted/s"
REPLAY = "replay of its own statements/s"
BARE = "bare 3-statement loop/s"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--instances", type=int, default=2000, help="engine_sqlite: complaints (4 tasks each)"
    )


def targets(args: argparse.Namespace) -> list[Target]:
    return [
        Target(f"{ENGINE} vs {SPIFF}", "≥ 5 × SpiffWorkflow", at_least_ratio(5)),
        Target(f"{ENGINE} vs {REPLAY}", "≥ 0.7 × the replay", at_least_ratio(0.7)),
    ]


def measure(args: argparse.Namespace) -> list[Figure]:
    """The engine on SQLite beside, in one pass of alternating chunks (one process step of
    every instance at a time, each contender in turn): the replay of its own statements
    (recorded first, untimed, on a copy), SpiffWorkflow persisting every step
    (bench/spiff_complaint.py), and the bare 3-statement loop."""
    from spiff_complaint import Spiff

    instances = 30 if getattr(args, "quick", False) else args.instances
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = make_app(folder / "engine.db")
        start_instances(app, instances)
        copy_database(app, folder / "recorded.db")
        copy_database(app, folder / "replayed.db")
        recorded_app = make_app(folder / "recorded.db")
        chunks = record(recorded_app)  # untimed
        recorded_app.db.dispose()
        bare_app = make_app(folder / "bare.db")
        runtime.start(bare_app, authz.principal(bare_app, "csd.head"), "customer-complaint", FORM)
        bare_app.db.dispose()
        bare = Bare(folder / "bare.db")
        spiff = Spiff(folder / "spiff.db", instances, reload=True)
        kept = Spiff(folder / "spiff-kept.db", instances, reload=False)
        replayer = sqlite3.connect(folder / "replayed.db", isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            replayer.execute(pragma)
        cursor = replayer.cursor()
        seconds = dict.fromkeys((ENGINE, SPIFF, SPIFF_KEPT, REPLAY, BARE), 0.0)
        done = dict.fromkeys(seconds, 0)
        for index, (ids, command) in enumerate(steps(app)):
            who = authz.principal(app, command.actor)
            begin = time.perf_counter()
            for task_id in ids:
                runtime.act(app, who, task_id, command)
            seconds[ENGINE] += time.perf_counter() - begin
            done[ENGINE] += len(ids)
            seconds[REPLAY] += replay_chunk(cursor, chunks[index])
            done[REPLAY] += len(chunks[index])
            count, spent = spiff.run_step(index)
            seconds[SPIFF] += spent
            done[SPIFF] += count
            count, spent = kept.run_step(index)
            seconds[SPIFF_KEPT] += spent
            done[SPIFF_KEPT] += count
            seconds[BARE] += bare.run(len(ids))
            done[BARE] += len(ids)
        ended = spiff.all_completed() and kept.all_completed()
        if done[ENGINE] != 4 * instances or not ended:
            raise RuntimeError(f"not every instance ran to its end: {done}")
        replayer.close()
        spiff.close()
        kept.close()
        bare.conn.close()
        app.db.dispose()
    rate = {name: done[name] / seconds[name] for name in seconds}
    return [
        Figure(ENGINE, rate[ENGINE], "/s", SPIFF, rate[SPIFF]),
        Figure(ENGINE, rate[ENGINE], "/s", REPLAY, rate[REPLAY]),
        Figure(ENGINE, rate[ENGINE], "/s", SPIFF_KEPT, rate[SPIFF_KEPT]),
        Figure(ENGINE, rate[ENGINE], "/s", BARE, rate[BARE]),
        Figure(REPLAY, rate[REPLAY], "/s", BARE, rate[BARE]),
        # the ceiling of "≥ 5 × SpiffWorkflow": the engine's own statements with no engine
        # logic at all; 5 × SpiffWorkflow asks the engine for 5 / (this ratio) of the replay
        Figure(REPLAY, rate[REPLAY], "/s", SPIFF, rate[SPIFF]),
    ]


def replay_chunk(cursor: sqlite3.Cursor, chunk: list[Transaction]) -> float:
    """Seconds to replay ``chunk``'s transactions, each its own, through ``cursor``."""
    begin = time.perf_counter()
    for statements in chunk:
        cursor.execute("BEGIN IMMEDIATE")
        for method, sql, parameters in statements:
            getattr(cursor, method)(sql, parameters)
            if method == "execute" and sql.lstrip().startswith("INSERT"):
                cursor.fetchall()  # RETURNING rows are read, as the engine reads them
        cursor.execute("COMMIT")
    return time.perf_counter() - begin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--plain", action="store_true", help="no key: sensitive values plain")
    args = parser.parse_args(argv)
    if args.plain:
        KEYS[0] = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = make_app(folder / "engine.db")
        start_instances(app, args.instances)
        copy_database(app, folder / "recorded.db")
        copy_database(app, folder / "replayed.db")
        bare_app = make_app(folder / "bare.db")
        runtime.start(bare_app, authz.principal(bare_app, "csd.head"), "customer-complaint", FORM)
        bare_app.db.dispose()
        bare = Bare(folder / "bare.db")
        rate, limit = alongside(app, bare, args.instances)
        app.db.dispose()
        peak = peak_rss_mib()
        recorded_app = make_app(folder / "recorded.db")
        chunks = record(recorded_app)
        recorded_app.db.dispose()
        rows_rate, rows_limit = replay(folder / "replayed.db", chunks, bare)
    report(args.instances, rate, limit, peak)
    report_rows(rate, rows_rate, rows_limit)
    if args.postgres:
        pg_rate = postgres_rate(args.postgres, args.instances)
        print(f"PostgreSQL completions/s:  {pg_rate:,.0f}  (the same work, one transaction each)")
    return 0


def report(
    instances: int, rate: float, limit: float, peak: float, out: Callable[[str], object] = print
) -> None:
    out(f"instances:                 {instances} (4 user tasks each, complaint process)")
    out(f"engine completions/s:      {rate:,.0f}")
    out(f"bare SQLite limit/s:       {limit:,.0f}  (UPDATE task + INSERT task + INSERT event)")
    out(f"ratio engine / bare:       {rate / limit:.2f}  (target 0.40 or better)")
    out(f"peak RSS:                  {peak:.0f} MiB")


def report_rows(
    rate: float, rows_rate: float, rows_limit: float, out: Callable[[str], object] = print
) -> None:
    out("where the time goes (a second measurement, the same completions):")
    out(f"  the engine's own statements, replayed by stdlib sqlite3/s: {rows_rate:,.0f}")
    out(f"  bare SQLite limit/s, measured alongside:                  {rows_limit:,.0f}")
    out(f"  ratio replay / bare (the most the engine's rows allow):   {rows_rate / rows_limit:.2f}")
    out(f"  ratio engine / replay (share of time in SQLite itself):   {rate / rows_rate:.2f}")


if __name__ == "__main__":
    sys.exit(main())
