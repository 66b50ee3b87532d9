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


def engine_rate(app: App, instances: int) -> float:
    for _ in range(instances):
        runtime.start(app, "customer-complaint", "csd.head", FORM)
    elapsed = 0.0
    done = 0
    for node, login, command in STEPS:
        ids = open_task_ids(app, login, node)
        begin = time.perf_counter()
        for task_id in ids:
            runtime.act(app, task_id, command)
        elapsed += time.perf_counter() - begin
        done += len(ids)
    assert done == 4 * instances, done
    return done / elapsed


def bare_rate(path: Path, count: int) -> float:
    """The same rows with stdlib sqlite3: UPDATE task, INSERT next task, INSERT one event."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "busy_timeout=10000",
        "wal_autocheckpoint=10000",
    ):  # the engine's own settings (storage/database.py)
        conn.execute(f"PRAGMA {pragma}")
    instance_id = conn.execute("SELECT min(id) FROM instances").fetchone()[0]
    now = "2025-03-03 01:00:00.000000"
    insert_task = (
        "INSERT INTO tasks (instance_id, node_id, round, state, department, assignee, candidates,"
        " created_at, due_at, progress, note, outputs, version) VALUES"
        " (?, 'bench', 1, 'pending', 'prd', 'prd.head', '[]', ?, ?, 0, '', '{}', 1)"
    )
    task_id = conn.execute(insert_task, (instance_id, now, now)).lastrowid
    begin = time.perf_counter()
    for seq in range(count):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE tasks SET state='done', version=version+1 WHERE id=? AND version=?",
            (task_id, 1),
        )
        task_id = conn.execute(insert_task, (instance_id, now, now)).lastrowid
        conn.execute(
            "INSERT INTO history (instance_id, seq, at, kind, node_id, task_id, actor, data)"
            " VALUES (?, ?, ?, 'task_done', 'bench', ?, 'prd.head', '{}')",
            (instance_id, 1_000_000 + seq, now, task_id),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - begin
    conn.close()
    return count / elapsed


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--instances", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        app = make_app(path)
        rate = engine_rate(app, args.instances)
        app.db.dispose()
        limit = bare_rate(path, 4 * args.instances)
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
