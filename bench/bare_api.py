"""The reference of bench/http_load.py: a bare FastAPI endpoint on `oaflow serve`'s server
settings that runs the bare 3-statement transaction.

    python bench/bare_api.py --db FILE --port PORT [--host 127.0.0.1] [--prepare]

``POST /bare`` runs, in one transaction (BEGIN IMMEDIATE … COMMIT) on a SQLite file made by
the normal setup (migrations, the demo organisation, one started complaint — the schema and
indexes of `oaflow serve`'s database): UPDATE the caller's current task, INSERT its next
task, INSERT one history event — bench/engine.py's bare loop (engine.Bare), through stdlib
sqlite3 with the application's own PRAGMAs (storage.database.SQLITE_PRAGMAS). The endpoint
is a plain ``def``, so that it runs in the server's thread pool as OA-Flow's routes do; each
pool thread keeps its own connection and its own current task (the history's ``seq`` comes
from one counter for all).

The server is the one `oaflow serve` runs (cli/serve_cmd.py): uvicorn, one process, the same
``uvicorn.Config`` (log level info with its access log, graceful shutdown 10 s) on the same
listening socket (cli.serve_cmd._bind: TCP_NODELAY). ``--prepare`` only makes the file.
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from engine import FORM, Bare
from fastapi import FastAPI

from oaflow.cli.serve_cmd import _bind
from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services import authz, runtime, setup
from oaflow.services.app import App
from oaflow.storage.database import SQLITE_PRAGMAS, Database


def prepare(path: Path) -> None:
    """The database: the normal setup and one complaint, whose instance the loop writes to."""
    app = App(
        db=Database(f"sqlite:///{path}"),
        clock=FixedClock(datetime(2025, 3, 3, 1, 0, tzinfo=UTC)),
        calendar=china_calendar(),
    )
    setup.init(app, demo=True)
    runtime.start(app, authz.principal(app, "csd.head"), "customer-complaint", FORM)
    app.db.dispose()


class Loop(threading.local):
    """One pool thread's connection and the task it completes next."""

    conn: sqlite3.Connection | None = None
    task_id: int = 0


def create_site(path: Path) -> FastAPI:
    site = FastAPI()
    local = Loop()
    seq = itertools.count(1_000_000)  # next() on it is atomic under the GIL
    lock = threading.Lock()
    instance: list[int] = []

    def connection() -> sqlite3.Connection:
        if local.conn is None:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in SQLITE_PRAGMAS:
                conn.execute(pragma)
            with lock:
                if not instance:
                    instance.append(conn.execute("SELECT min(id) FROM instances").fetchone()[0])
            conn.execute("BEGIN IMMEDIATE")
            local.task_id = (
                conn.execute(Bare.INSERT_TASK, (instance[0], Bare.NOW, Bare.NOW)).lastrowid or 0
            )
            conn.execute("COMMIT")
            local.conn = conn
        return local.conn

    @site.post("/bare")
    def bare() -> dict[str, int]:
        conn = connection()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE tasks SET state='done', version=version+1 WHERE id=? AND version=?",
            (local.task_id, 1),
        )
        local.task_id = (
            conn.execute(Bare.INSERT_TASK, (instance[0], Bare.NOW, Bare.NOW)).lastrowid or 0
        )
        conn.execute(
            "INSERT INTO history (instance_id, seq, at, kind, node_id, task_id, actor, data)"
            " VALUES (?, ?, ?, 'task_done', 'bench', ?, 'prd.head', '{}')",
            (instance[0], next(seq), Bare.NOW, local.task_id),
        )
        conn.execute("COMMIT")
        return {"task": local.task_id}

    return site


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="the SQLite file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--prepare", action="store_true", help="only make the database")
    args = parser.parse_args(argv)
    if args.prepare or not args.db.exists():
        prepare(args.db)
        if args.prepare:
            return 0
    listening = _bind(args.host, args.port)
    config = uvicorn.Config(  # as cli/serve_cmd.py configures `oaflow serve`
        create_site(args.db),
        host=args.host,
        port=args.port,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run(sockets=[listening])
    return 0


if __name__ == "__main__":
    sys.exit(main())
