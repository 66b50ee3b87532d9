"""SLA checks ("timers") fired per second by several `oaflow worker` processes (TIME-7).

    python bench/timers.py [--due 100000] [--future 1000] [--workers 4] [--batch 500]
                           [--pg URL | env OAFLOW_TEST_DATABASE_URL] [--no-sqlite] [--no-pg]

QUALITY.md: "4 workers, 100k due timers, 0 duplicates, 0 missing", never early. For each
backend — a SQLite file in a temporary directory, and PostgreSQL in a database of its own
created through the admin URL and dropped afterwards — it:

1. initialises the demo database and starts one real customer complaint, 30 hours in the
   past, whose handling task nobody acknowledges: its first reminder (`ack1`, 24 h) is due,
   the second (`ack2`, 36 h) is 6 hours away;
2. copies that task (each copy in its own copy of the instance) in one INSERT ... SELECT:
   ``--due`` tasks due in all, plus ``--future`` tasks created an hour ago (nothing due);
   The worker's other sweeps (the hourly forecast of every running instance — each copy is
   one —, the surveys, the metrics' roll-up) are run once at that instant, so that the
   workers' rounds are the SLA checks alone (the forecasts of 100,000 instances are ~60 s
   of one worker's CPU once an hour, not timer work);
3. runs ``--workers`` real `oaflow worker --exit-when-idle` processes at once and waits;
4. counts, from the history (the outbox ignores a repeated message id, so it cannot show a
   double): duplicates (a task reminded more than once), missing (a due task not reminded,
   or not rescheduled to its `ack2` time) and early (a future task that fired).

Prints per backend the timers per second — over the span between the first and the last
message written (a worker stamps a round's messages with the instant the round began, so the
span misses each worker's last round: with k distinct instants from w workers, k / w rounds
each, it is scaled by r / (r - 1), r = k / w; with one round each, the wall time),
and over the wall time including the workers' start-up — then the three counts. Exits 1 if
any count is not 0.

For bench/run.py (part ``timers``), ``measure(args)`` runs this with 1 and with 4 workers on
each backend (``--timers-due`` checks each time): the 4 workers' rate is judged against
3,000/s and shown beside the 1 worker's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from engine import FORM  # the same complaint as every benchmark
from figures import Figure, Target, at_least
from scratch_pg import fresh_postgres
from sqlalchemy import func, select

from oaflow.domain.clock import FixedClock, SystemClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import authz, runtime, setup, timers
from oaflow.services.app import App
from oaflow.storage.bulk import copy_task
from oaflow.storage.database import Database
from oaflow.storage.tables import history, outbox, tasks

H = timedelta(hours=1)


@dataclass
class Outcome:
    backend: str
    due: int
    seconds_firing: float
    seconds_wall: float
    duplicates: int
    missing: int
    early: int

    def line(self, workers: int) -> str:
        return (
            f"{self.backend:<10} {self.due} due, {workers} workers: "
            f"{self.due / self.seconds_firing:,.0f} timers/s "
            f"(wall {self.due / self.seconds_wall:,.0f}/s, {self.seconds_wall:.1f} s) · "
            f"duplicates {self.duplicates} · missing {self.missing} · early {self.early}"
        )


def oaflow_command() -> list[str]:
    found = shutil.which("oaflow", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-c", "from oaflow.cli.main import run; run()"]


def prepare(url: str, due: int, future: int, now: datetime) -> App:
    """The demo database with ``due`` unacknowledged tasks whose ``ack1`` is due at ``now``
    and ``future`` tasks with nothing due."""
    app = App(db=Database(url), clock=FixedClock(now - 30 * H), calendar=china_calendar())
    setup.init(app, demo=True)
    head = authz.principal(app, "csd.head")
    instance = runtime.start(app, head, "customer-complaint", FORM)
    with app.db.read() as conn:
        triage = conn.execute(
            select(tasks.c.id).where(tasks.c.instance_id == instance.id)
        ).scalar_one()
    runtime.act(app, head, triage, Command(Action.APPROVE, "csd.head"))
    with app.db.read() as conn:
        template = conn.execute(
            select(tasks.c.id).where(tasks.c.node_id == "handle", tasks.c.state == "pending")
        ).scalar_one()
    copy_task(app.db, template, due - 1, "BENCH-DUE-", now - 30 * H, now - 6 * H)  # ack1 due
    copy_task(app.db, template, future, "BENCH-LATER-", now - 1 * H, now + 23 * H)
    for sweep in timers.sweeps():  # the hourly forecasts of every copy, the surveys, the
        while sweep.fire_one(app, now):  # roll-up: done here, the workers' work is the checks
            pass
    return app


def run_workers(url: str, workers: int, batch: int) -> float:
    """Seconds from starting ``workers`` worker processes until the last one exited."""
    command = [*oaflow_command(), "--db", url, "worker", "--exit-when-idle", "--batch", str(batch)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")}
    started = time.perf_counter()
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a worker failed ({proc.returncode}):\n{err.decode()}")
    return time.perf_counter() - started


def verify(app: App, backend: str, now: datetime, wall: float, workers: int) -> Outcome:
    due_created, later_created = now - 30 * H, now - 1 * H
    with app.db.read() as conn:
        rows = conn.execute(
            select(tasks.c.id, tasks.c.created_at, tasks.c.check_at, tasks.c.sla_fired).where(
                tasks.c.node_id == "handle"
            )
        ).all()
        reminded = conn.execute(
            select(history.c.task_id, func.count())
            .where(history.c.kind == "sla_ack_reminder")
            .group_by(history.c.task_id)
        ).all()
        # the workers' messages: not those prepare() wrote 30 hours back (the tasks' own)
        first, last, stamps = conn.execute(
            select(
                func.min(outbox.c.created_at),
                func.max(outbox.c.created_at),
                func.count(func.distinct(outbox.c.created_at)),
            ).where(outbox.c.created_at >= now)
        ).one()
    times = {task_id: n for task_id, n in reminded}
    due = [r for r in rows if r.created_at == due_created]
    later = [r for r in rows if r.created_at == later_created]
    duplicates = sum(n - 1 for n in times.values() if n > 1)
    missing = sum(
        r.id not in times or (r.sla_fired, r.check_at) != (["ack1"], r.created_at + 36 * H)
        for r in due
    )
    early = sum(r.id in times or r.sla_fired != [] for r in later)
    # a worker stamps one round's messages with the instant the round began: k instants of
    # w workers are k / w rounds each, of which the span between the first and the last
    # instant covers all but one
    span = (last - first).total_seconds() if first and last else 0.0
    rounds = stamps / workers
    firing = span * rounds / (rounds - 1) if rounds > 1 and span > 0 else wall
    return Outcome(backend, len(due), max(firing, 1e-6), wall, duplicates, missing, early)


def measure_backend(backend: str, url: str, args: argparse.Namespace) -> Outcome:
    now = SystemClock().now()
    app = prepare(url, args.due, args.future, now)
    try:
        wall = run_workers(url, args.workers, args.batch)
        return verify(app, backend, now, wall, args.workers)
    finally:
        app.db.dispose()


# -- the part of bench/run.py -------------------------------------------------------------

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def figure_name(backend: str, workers: int) -> str:
    return f"timers fired/s, {NAMES[backend]}, {workers} worker{'s' if workers > 1 else ''}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timers-due", type=int, default=100_000, help="timers: due checks (default 100000)"
    )


def targets(args: argparse.Namespace) -> list[Target]:
    return [
        Target(figure_name(backend, 4), "≥ 3,000/s", at_least(3000))
        for backend in ("sqlite", "postgresql")
    ]


def measure(args: argparse.Namespace) -> list[Figure]:
    """Timers fired per second (first to last message written) with 1 and with 4 worker
    processes, on SQLite and — when ``args.pg`` names a server — PostgreSQL: the 4 workers'
    figure beside the 1 worker's. A duplicate, missing or early timer is an error."""
    due = 200 if getattr(args, "quick", False) else args.timers_due
    figures: list[Figure] = []
    backends = ["sqlite", "postgresql"] if args.pg else ["sqlite"]
    for backend in backends:
        rates: dict[int, float] = {}
        wall: dict[int, float] = {}
        for workers in (1, 4):
            run = argparse.Namespace(due=due, future=max(10, due // 100), workers=workers)
            run.batch = 500
            if backend == "sqlite":
                with tempfile.TemporaryDirectory() as tmp:
                    outcome = measure_backend(backend, f"sqlite:///{Path(tmp) / 'b.db'}", run)
            else:
                with fresh_postgres(args.pg) as url:
                    outcome = measure_backend(backend, url, run)
            print("  " + outcome.line(workers), flush=True)
            if outcome.duplicates or outcome.missing or outcome.early:
                raise RuntimeError(f"timers not exactly once: {outcome.line(workers)}")
            rates[workers] = outcome.due / outcome.seconds_firing
            wall[workers] = outcome.due / outcome.seconds_wall
        figures.append(Figure(figure_name(backend, 1), rates[1], "/s"))
        figures.append(
            Figure(figure_name(backend, 4), rates[4], "/s", figure_name(backend, 1), rates[1])
        )
        # the same runs over the workers' whole lives: start-up, delivering the reminders
        figures.append(Figure(f"{figure_name(backend, 4)} over the wall time", wall[4], "/s"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--due", type=int, default=100_000, help="due checks (default 100000)")
    parser.add_argument("--future", type=int, default=1000, help="checks not yet due")
    parser.add_argument("--workers", type=int, default=4, help="worker processes (default 4)")
    parser.add_argument("--batch", type=int, default=500, help="the workers' --batch")
    parser.add_argument("--pg", default=os.environ.get("OAFLOW_TEST_DATABASE_URL", ""))
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    outcomes = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            outcomes.append(measure_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args))
            print(outcomes[-1].line(args.workers), flush=True)
    if not args.no_pg and args.pg:
        with fresh_postgres(args.pg) as url:
            outcomes.append(measure_backend("postgresql", url, args))
            print(outcomes[-1].line(args.workers), flush=True)
    elif not args.no_pg:
        print("postgresql skipped: give --pg URL or set OAFLOW_TEST_DATABASE_URL", flush=True)
    if any(o.duplicates or o.missing or o.early for o in outcomes):
        sys.exit(1)


if __name__ == "__main__":
    main()
