"""Durable task completions per second on PostgreSQL: the engine with 1 and with 4 processes,
beside the bare 3-statement transaction on one connection, measured in the same run.

    python bench/engine_pg.py [--pg-instances 2000] [--pg URL | env OAFLOW_TEST_DATABASE_URL]

On a fresh database of the server (created and dropped by the run; bench/scratch_pg.py),
made by the normal setup (migrations, the demo organisation, the processes) — and the bare
loop on another, made the same way, with one instance for its rows to belong to:

1. one process: N complaint instances are started (untimed), then their 4 user tasks are
   completed through services.runtime.act, one process step of every instance at a time,
   each step followed by as many bare transactions (psycopg, one connection: UPDATE the task
   + INSERT the next task + INSERT one history event, the schema's own tables — engine.Bare
   on PostgreSQL), so that both see the same load;
2. four processes: N more instances; each step's open tasks are split in four shares, each
   completed by its own worker process (multiprocessing, fork) through its own App and
   connection pool; again each step is followed by as many bare transactions on the one
   connection.

Figures: the engine's completions/s with 1 process (target ≥ 0.8 × the bare transaction)
and with 4 processes (target ≥ 3 × the bare transaction on one connection). Note that this
machine has few cores: 4 worker processes, the PostgreSQL server and the bench share them.

Two more figures say how far the targets can be reached here at all (no target of their own):

- the engine with its own process's CPU taken out: completions / (wall time − the bench
  process's CPU time while the engine ran), i.e. the rate if the engine's Python (and the
  driver's) cost nothing — what is left is the server's work on the engine's rows and the
  waits for it. Beside the bare transaction, it bounds the 1-process ratio from above;
- the bare transaction on 4 connections at once (4 processes, each its own connection and its
  own task row), run after each step of the 4-process pass: what the machine gives 4
  clients of the smallest transaction, beside 1 connection. The 4-process ratio of the engine
  cannot exceed it by much, since the engine's transaction is the larger.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url

sys.path.insert(0, str(Path(__file__).parent))

import engine
from figures import Figure, Target, at_least_ratio
from scratch_pg import fresh_postgres

from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services import authz, runtime
from oaflow.services.app import App
from oaflow.storage.database import Database, normalise_url

ONE = "PostgreSQL engine completions/s, 1 process"
FOUR = "PostgreSQL engine completions/s, 4 processes"
BARE = "bare 3-statement transaction/s, 1 connection"
BARE_FOUR = "bare 3-statement transaction/s, 4 connections"
SERVER_SIDE = "PostgreSQL engine with its process's CPU taken out, completions/s"
WORKERS = 4


class BarePg:
    """engine.Bare on PostgreSQL: psycopg, one connection, one transaction = UPDATE the
    task, INSERT the next task (RETURNING its id), INSERT one history event."""

    NOW = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)

    def __init__(self, url: str, seq: int = 1_000_000) -> None:
        dsn = make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(False)
        self.conn = psycopg.connect(dsn)
        self.instance_id = self.conn.execute("SELECT min(id) FROM instances").fetchone()[0]  # type: ignore[index]
        self.task_id = self._insert_task()
        self.conn.commit()
        self.seq = seq  # the history's (instance, seq) is unique: each loop its own range

    def _insert_task(self) -> int:
        row = self.conn.execute(
            "INSERT INTO tasks (instance_id, node_id, round, state, department, assignee,"
            " candidates, created_at, due_at, progress, note, outputs, version) VALUES"
            " (%s, 'bench', 1, 'pending', 'prd', 'prd.head', '[]', %s, %s, 0, '', '{}', 1)"
            " RETURNING id",
            (self.instance_id, self.NOW, self.NOW),
        ).fetchone()
        assert row is not None
        return int(row[0])

    def run(self, count: int) -> float:
        """Seconds for ``count`` transactions."""
        conn = self.conn
        begin = time.perf_counter()
        for _ in range(count):
            conn.execute(
                "UPDATE tasks SET state='done', version=version+1 WHERE id=%s AND version=%s",
                (self.task_id, 1),
            )
            self.task_id = self._insert_task()
            conn.execute(
                "INSERT INTO history (instance_id, seq, at, kind, node_id, task_id, actor, data)"
                " VALUES (%s, %s, %s, 'task_done', 'bench', %s, 'prd.head', '{}')",
                (self.instance_id, self.seq, self.NOW, self.task_id),
            )
            conn.commit()
            self.seq += 1
        return time.perf_counter() - begin

    def close(self) -> None:
        self.conn.close()


# -- the worker processes ------------------------------------------------------------------

_APP: list[App] = []


def _worker_app(url: str) -> None:
    """Each worker process's own App (its own pool of connections), made once."""
    clock = FixedClock(datetime(2025, 3, 3, 1, 0, tzinfo=UTC))
    _APP.append(
        App(db=Database(url), clock=clock, calendar=china_calendar(), cipher=engine.KEYS[0])
    )


def _complete(share: tuple[list[int], Any]) -> int:
    ids, command = share
    app = _APP[0]
    who = authz.principal(app, command.actor)
    for task_id in ids:
        runtime.act(app, who, task_id, command)
    return len(ids)


_BARE: list[BarePg] = []


def _bare_loop(url: str, started: Any) -> None:
    """Each bare worker process's own connection and task row, and its own range of the
    history's seq (``started``: a shared counter of the workers)."""
    with started.get_lock():
        started.value += 1
        number = started.value
    _BARE.append(BarePg(url, seq=(1 + number) * 100_000_000))


def _bare_share(count: int) -> float:
    return _BARE[0].run(count)


def _one(app: App, bare: BarePg, instances: int) -> tuple[float, float, float]:
    """The engine's rate, the bare loop's, and the engine's with its process's CPU taken
    out (see the module's text)."""
    engine_time = engine_cpu = bare_time = 0.0
    done = 0
    for ids, command in engine.steps(app):
        who = authz.principal(app, command.actor)
        cpu = time.process_time()
        begin = time.perf_counter()
        for task_id in ids:
            runtime.act(app, who, task_id, command)
        engine_time += time.perf_counter() - begin
        engine_cpu += time.process_time() - cpu
        bare_time += bare.run(len(ids))
        done += len(ids)
    if done != 4 * instances:
        raise RuntimeError(f"{done} completions, not {4 * instances}")
    return done / engine_time, done / bare_time, done / (engine_time - engine_cpu)


def four_processes(
    app: App, url: str, bare: BarePg, bare_url: str, instances: int
) -> tuple[float, float, float]:
    """The engine's rate with 4 processes, the bare loop's on 1 connection and on 4."""
    engine.start_instances(app, instances)
    engine_time = bare_time = bare_four_time = 0.0
    done = 0
    context = multiprocessing.get_context("fork")
    app.db.dispose()  # no pooled connection crosses the fork
    with (
        context.Pool(WORKERS, initializer=_worker_app, initargs=(url,)) as pool,
        context.Pool(
            WORKERS, initializer=_bare_loop, initargs=(bare_url, context.Value("i", 0))
        ) as bare_pool,
    ):
        pool.map(_noop, range(WORKERS))  # every worker up before the clock starts
        bare_pool.map(_noop, range(WORKERS))
        for ids, command in engine.steps(app):
            shares = [(ids[i::WORKERS], command) for i in range(WORKERS)]
            begin = time.perf_counter()
            done += sum(pool.map(_complete, shares, chunksize=1))
            engine_time += time.perf_counter() - begin
            bare_time += bare.run(len(ids))
            counts = [len(share) for share, _ in shares]
            begin = time.perf_counter()
            bare_pool.map(_bare_share, counts, chunksize=1)
            bare_four_time += time.perf_counter() - begin
    if done != 4 * instances:
        raise RuntimeError(f"{done} completions, not {4 * instances}")
    return done / engine_time, done / bare_time, done / bare_four_time


def _noop(_: int) -> int:
    return os.getpid()


# -- the part of bench/run.py -------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pg-instances", type=int, default=2000, help="engine_pg: complaints per pass"
    )


def targets(args: argparse.Namespace) -> list[Target]:
    return [
        Target(f"{ONE} vs {BARE}", "≥ 0.8 × the bare transaction", at_least_ratio(0.8)),
        Target(f"{FOUR} vs {BARE}", "≥ 3 × the bare transaction", at_least_ratio(3)),
    ]


def measure(args: argparse.Namespace) -> list[Figure]:
    instances = 20 if getattr(args, "quick", False) else args.pg_instances
    with fresh_postgres(args.pg) as url, fresh_postgres(args.pg) as bare_url:
        bare_app = engine.app_on(bare_url)  # the bare loop's database: one instance in it
        runtime.start(
            bare_app, authz.principal(bare_app, "csd.head"), "customer-complaint", engine.FORM
        )
        bare_app.db.dispose()
        bare = BarePg(bare_url)
        app = engine.app_on(url)
        try:
            one, bare_one, server_side = _one_pass(app, bare, instances)
            four, bare_four, four_connections = four_processes(app, url, bare, bare_url, instances)
        finally:
            bare.close()
            app.db.dispose()
    return [
        Figure(ONE, one, "/s", BARE, bare_one),
        Figure(SERVER_SIDE, server_side, "/s", BARE, bare_one),
        Figure(FOUR, four, "/s", BARE, bare_four),
        Figure(FOUR, four, "/s", BARE_FOUR, four_connections),
        Figure(BARE_FOUR, four_connections, "/s", BARE, bare_four),
    ]


def _one_pass(app: App, bare: BarePg, instances: int) -> tuple[float, float, float]:
    engine.start_instances(app, instances)
    return _one(app, bare, instances)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--pg", default=os.environ.get("OAFLOW_TEST_DATABASE_URL", ""))
    args = parser.parse_args(argv)
    if not args.pg:
        print("give --pg URL or set OAFLOW_TEST_DATABASE_URL")
        return 2
    for f in measure(args):
        print(f"{f.name}: {f.value:,.0f}   {f.reference_name}: {f.reference:,.0f}   ×{f.ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
