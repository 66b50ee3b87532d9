"""Durable task completions per second on the complaint process, against the bare limit.

    python bench/engine.py [--instances N]

Runs N customer-complaint instances (4 user tasks each) to completion on a SQLite file
(WAL, synchronous=NORMAL, wal_autocheckpoint=10000 for both measurements); every completion
is its own transaction with everything the engine writes. In the same run it measures the
machine's bare limit: stdlib sqlite3, one transaction = UPDATE the task + INSERT the next
task + INSERT one history event, on the same schema.
Prints both rates, their ratio, and the peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import runtime, setup
from oaflow.services.app import App
from oaflow.storage import runtime_repo
from oaflow.storage.database import Database

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
    clock = FixedClock(datetime(2025, 3, 3, 1, 0, tzinfo=UTC))
    app = App(db=Database(f"sqlite:///{path}"), clock=clock, calendar=china_calendar())
    setup.init(app, demo=True)
    return app


def open_task_ids(app: App, login: str, node: str) -> list[int]:
    with app.db.read() as conn:
        return [t.id or 0 for t in runtime_repo.open_tasks_for(conn, login) if t.node_id == node]


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


def measure(app: App, bare: Bare, instances: int) -> tuple[float, float]:
    """Completions per second of the engine and of the bare loop, measured in alternating
    chunks (one per process step) so that both see the same machine load."""
    for _ in range(instances):
        runtime.start(app, "customer-complaint", "csd.head", FORM)
    engine_time = bare_time = 0.0
    done = 0
    for node, login, command in STEPS:
        ids = open_task_ids(app, login, node)
        begin = time.perf_counter()
        for task_id in ids:
            runtime.act(app, task_id, command)
        engine_time += time.perf_counter() - begin
        bare_time += bare.run(len(ids))
        done += len(ids)
    assert done == 4 * instances, done
    return done / engine_time, done / bare_time


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--instances", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "engine.db")
        bare_app = make_app(Path(tmp) / "bare.db")
        runtime.start(bare_app, "customer-complaint", "csd.head", FORM)
        bare_app.db.dispose()
        rate, limit = measure(app, Bare(Path(tmp) / "bare.db"), args.instances)
        app.db.dispose()
    report(args.instances, rate, limit)
    return 0


def report(instances: int, rate: float, limit: float, out: Callable[[str], object] = print) -> None:
    out(f"instances:                 {instances} (4 user tasks each, complaint process)")
    out(f"engine completions/s:      {rate:,.0f}")
    out(f"bare SQLite limit/s:       {limit:,.0f}  (UPDATE task + INSERT task + INSERT event)")
    out(f"ratio engine / bare:       {rate / limit:.2f}  (target 0.40 or better)")
    out(f"peak RSS:                  {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
