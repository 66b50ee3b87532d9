"""The inbox (待办) query's latency with 1,000,000 tasks in the database: p50 and p99.

    python bench/inbox.py [--inbox-tasks 1000000] [--inbox-repeat 1000] [--inbox-open 40]
                          [--pg URL | env OAFLOW_TEST_DATABASE_URL] [--inbox-no-pg]
                          [--inbox-cache DIR] [--quick]

The database: bench/report_history.py's year of work on the four built-in processes (about
``--inbox-tasks`` tasks, made the normal way and then written in bulk; kept in
``--inbox-cache``, the same file bench/report.py uses), copied into a scratch file. That
year stops on 2026-01-01 with every instance still at work left open: at a million tasks
about 9,000 open tasks, 1,600 of them prd.head's — more than anyone's inbox holds. So the
copy keeps ``--inbox-open`` (40) open tasks per person, the earliest, and finishes the rest;
and prd.head is away: half of the head's kept tasks are held by the deputy prd.staff on the
head's behalf (``on_behalf_of``, as the engine hands them over, ORG-3). The table still
holds every task: 1,000,000 rows, nearly all finished, a few hundred open.

Timed: ``services.queries.inbox`` — what GET /api/tasks and the web's inbox run (the open
tasks of one person, those a deputy holds for them, their instances, sorted by deadline,
one page of 50 made into summaries with their SLA countdown) — alternately for csd.head
(the head of the busiest department: 287,000 of the million tasks, 40 open) and
for the deputy prd.staff, ``--inbox-repeat`` times each after a warm-up; not timed: the
HTTP layer and the caller's session (bench/http_load.py measures those). Figures: p50 and
p99 over both people's calls (standing figures; the target: p99 < 10 ms), per database:
the SQLite file (the application's own settings, no ANALYZE, as a deployment has it) and,
when a PostgreSQL server is given, the same rows copied into a fresh database of it (COPY,
VACUUM ANALYZE; created and dropped by the run).

Then, to show where the time goes: the statements of one inbox call with their time and
their plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, a full
scan of a big table flagged), and the share of the call spent in the database driver.

``--quick``: 2,000 tasks, 200 calls each (a smoke run of a few seconds).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parent))

import report
import report_history as history
from figures import Figure, Target, below
from scratch_pg import fresh_postgres

from oaflow.domain.security import Principal
from oaflow.services import authz, queries
from oaflow.services.app import App
from oaflow.services.views import InboxFilter
from oaflow.storage.runtime_reads import OPEN

#: the head whose inbox is timed, the head who is away, and their deputy
HEAD, AWAY, DEPUTY = "csd.head", "prd.head", "prd.staff"
WANTED = InboxFilter(sort="due", offset=0, limit=50)  # what GET /api/tasks asks by default
SEED = 15

TARGETS: list[Target] = [
    Target("inbox p99 ms", "< 10 ms at 1,000,000 tasks (SQLite)", below(10.0)),
    Target("PostgreSQL inbox p99 ms", "< 10 ms at 1,000,000 tasks", below(10.0)),
]


def targets(args: argparse.Namespace) -> list[Target]:
    """The targets of this run: PostgreSQL's only when a server is given."""
    return [t for t in TARGETS if postgres_server(args) or not t.figure.startswith("PostgreSQL")]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("inbox (bench/inbox.py)")
    group.add_argument("--inbox-tasks", type=int, default=1_000_000, help="tasks in the table")
    group.add_argument("--inbox-repeat", type=int, default=1000, help="timed calls per person")
    group.add_argument("--inbox-open", type=int, default=40, help="open tasks kept per person")
    group.add_argument(
        "--inbox-cache",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where the generated history is kept (shared with bench/report.py)",
    )
    group.add_argument(
        "--inbox-pg",
        default="",
        metavar="URL",
        help="PostgreSQL server (default: --pg, else OAFLOW_TEST_DATABASE_URL)",
    )
    group.add_argument("--inbox-no-pg", action="store_true", help="SQLite only")


def postgres_server(args: argparse.Namespace) -> str:
    if getattr(args, "inbox_no_pg", False):
        return ""
    return str(
        getattr(args, "inbox_pg", "")
        or getattr(args, "pg", "")
        or os.environ.get("OAFLOW_TEST_DATABASE_URL", "")
    )


# -- the database --------------------------------------------------------------------------


def shape(path: Path, keep: int) -> dict[str, int]:
    """Keep ``keep`` open tasks per person (the earliest), finish the others as their
    assignee would have; half of AWAY's kept tasks go to DEPUTY on AWAY's behalf. Returns
    the open tasks per person afterwards."""
    now = history.stamp(history.NOW)
    states = ", ".join(f"'{s}'" for s in OPEN)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute(
        f"""UPDATE tasks SET state = 'done', progress = 100, acked_at = created_at,
        finished_at = ?, finished_by = assignee, check_at = NULL, version = version + 1
        WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER
            (PARTITION BY assignee ORDER BY created_at, id) AS n
            FROM tasks WHERE state IN ({states})) WHERE n > ?)""",
        (now, keep),
    )
    conn.execute(
        f"""UPDATE tasks SET on_behalf_of = assignee, assignee = ?
        WHERE id IN (SELECT id FROM tasks WHERE assignee = ? AND state IN ({states})
            ORDER BY id LIMIT (SELECT count(*) / 2 FROM tasks
                WHERE assignee = ? AND state IN ({states})))""",
        (DEPUTY, AWAY, AWAY),
    )
    conn.execute("COMMIT")
    counts = conn.execute(
        f"SELECT assignee, count(*) FROM tasks WHERE state IN ({states}) GROUP BY assignee"
    ).fetchall()
    conn.close()
    return {str(login): int(n) for login, n in counts}


@contextmanager
def databases(args: argparse.Namespace, folder: Path) -> Iterator[Iterator[tuple[str, str]]]:
    """The shaped history's SQLite URL, then (when a server is given) a PostgreSQL one."""
    tasks, keep = sizes(args)
    args.inbox_cache.mkdir(parents=True, exist_ok=True)
    source = report.sqlite_file(tasks, SEED, args.inbox_cache, cached=True)
    shaped = folder / "inbox.db"
    shutil.copyfile(source, shaped)
    counts = shape(shaped, keep)
    with sqlite3.connect(shaped) as conn:
        total = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
    print(
        f"inbox: {total:,} tasks, {sum(counts.values()):,} open;"
        f" {HEAD} {counts.get(HEAD, 0)} open, {DEPUTY} {counts.get(DEPUTY, 0)}"
        f" (holding for {AWAY}), {AWAY} {counts.get(AWAY, 0)}",
        flush=True,
    )

    def each() -> Iterator[tuple[str, str]]:
        yield "SQLite", f"sqlite:///{shaped}"
        server = postgres_server(args)
        if server:
            with fresh_postgres(server) as url:
                seconds = history.load_postgres(shaped, url)
                print(f"inbox: copied into PostgreSQL in {seconds:.0f} s", flush=True)
                yield "PostgreSQL", url

    yield each()


def sizes(args: argparse.Namespace) -> tuple[int, int]:
    if getattr(args, "quick", False):
        return 2000, args.inbox_open
    return args.inbox_tasks, args.inbox_open


# -- measuring -----------------------------------------------------------------------------


def time_calls(app: App, people: list[Principal], repeat: int) -> dict[str, list[float]]:
    """Milliseconds of each call of the inbox, per person (calls alternate between them)."""
    for who in people:  # warm-up: the organisation and the definitions are cached
        for _ in range(5):
            queries.inbox(app, who, WANTED)
    times: dict[str, list[float]] = {who.login: [] for who in people}
    clock = time.perf_counter
    for _ in range(repeat):
        for who in people:
            began = clock()
            queries.inbox(app, who, WANTED)
            times[who.login].append((clock() - began) * 1000)
    return times


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def where_time_goes(app: App, backend: str, who: Principal) -> list[str]:
    """One call's statements: time, caller, plan; and the share spent in the driver."""
    found: list[report.Statement] = []
    began: list[float] = []

    def before(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        began.append(time.perf_counter())

    def after(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        found.append(
            report.Statement(report.caller(), sql, params, time.perf_counter() - began.pop())
        )

    engine = app.db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        start = time.perf_counter()
        page = queries.inbox(app, who, WANTED)
        whole = time.perf_counter() - start
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    in_driver = sum(s.seconds for s in found)
    lines = [
        f"  {backend}, {who.login} ({page.total} open): {len(found)} statements,"
        f" {in_driver * 1000:.2f} of {whole * 1000:.2f} ms in the database driver"
    ]
    kind = "sqlite" if backend == "SQLite" else "postgresql"
    for s in found:
        if not s.sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        plan = report.plan_of(app, kind, s)
        scans = report.full_scans(kind, s.sql, plan)
        flag = f"  FULL SCAN of {', '.join(scans)}" if scans else ""
        lines.append(f"    {s.seconds * 1000:7.2f} ms  {s.where}{flag}")
        shown = plan if kind == "sqlite" else [p for p in plan if "Scan" in p or "Time" in p]
        lines += [f"               {p}" for p in shown[:12]]
    return lines


def profile(app: App, backend: str, who: Principal, calls: int = 100) -> list[str]:
    """The functions the inbox call spends its own time in (cProfile over ``calls`` calls;
    the profiler slows Python, so read the shares, not the times)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        queries.inbox(app, who, WANTED)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in entries.values()) or 1.0
    top = sorted(entries.items(), key=lambda kv: -kv[1][2])[:12]
    lines = [f"  {backend}, {who.login}: own time by function (cProfile, {calls} calls)"]
    for (file, line, name), (_, count, own, cumulative, _) in top:
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        lines.append(
            f"    {own / total:6.1%} own {cumulative / calls * 1000:7.3f} ms/call cum"
            f"  {count // calls:>5}×/call  {name}  {where}"
        )
    return lines


def measure(args: argparse.Namespace) -> list[Figure]:
    repeat = 200 if getattr(args, "quick", False) else args.inbox_repeat
    figures: list[Figure] = []
    notes: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="oaflow-inbox-") as tmp,
        databases(args, Path(tmp)) as each,
    ):
        for backend, url in each:
            app = report.app_on(url)
            try:
                people = [authz.principal(app, login) for login in (HEAD, DEPUTY)]
                times = time_calls(app, people, repeat)
                pooled = [t for values in times.values() for t in values]
                prefix = "" if backend == "SQLite" else f"{backend} "
                figures.append(Figure(f"{prefix}inbox p50 ms", percentile(pooled, 0.50), "ms"))
                figures.append(Figure(f"{prefix}inbox p99 ms", percentile(pooled, 0.99), "ms"))
                for login, values in times.items():
                    print(
                        f"inbox: {backend} {login}: {len(values)} calls, p50"
                        f" {percentile(values, 0.5):.2f} ms, p99 {percentile(values, 0.99):.2f}"
                        f" ms, mean {statistics.fmean(values):.2f} ms, max {max(values):.2f} ms",
                        flush=True,
                    )
                for who in people:
                    notes += where_time_goes(app, backend, who)
                notes += profile(app, backend, people[0])
            finally:
                app.db.dispose()
    print("inbox: where one call's time goes")
    for line in notes:
        print(line)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--pg", default="", metavar="URL", help="PostgreSQL server")
    parser.add_argument("--quick", action="store_true", help="2,000 tasks, 200 calls each")
    args = parser.parse_args(argv)
    figures = measure(args)
    print()
    for f in figures:
        print(f"{f.name}: {f.value:.2f} {f.unit}")
    for target in targets(args):
        found = [f for f in figures if f.name == target.figure]
        if found:
            print(
                f"{target.figure} {target.wording}: {'met' if target.check(found[0]) else 'MISSED'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
