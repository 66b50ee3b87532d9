"""The review report (MTR-4) over a year of history: its time and peak memory at 100,000 and
at 1,000,000 finished tasks, on SQLite and on PostgreSQL.

    python bench/report.py [--sizes 100000,1000000] [--repeat 3] [--as admin[,csd.head]]
                           [--pg URL | env OAFLOW_TEST_DATABASE_URL] [--no-sqlite] [--no-pg]
                           [--plans FILE] [--cache DIR | --no-cache] [--quick]

For each size, bench/report_history.py writes a year (2025) of work on the four built-in
processes into a SQLite database made by the normal setup (migrations, the demo
organisation, the processes published), about that many finished tasks; the file is kept
in ``--cache`` (the system's temporary folder by default, keyed by size, seed and the
generator's and migrations' code) so that a second run skips it. For PostgreSQL the same
rows are copied into a fresh database of the server (created and dropped by the run).
Each database's days are then rolled up into the metrics' daily tallies (docs/adr/0015), as
the worker would have done a day at a time, and the time that takes is printed.

Then, as each of ``--as`` (admin, who sees everything, by default; csd.head sees what its
department took part in: its instances listed once per review, docs/adr/0018, and its
figures tallied from the facts, not the roll-up), for the quarter 2025-Q4 and the month 2025-11:
the review report — services/review.review (metrics, six-month trend, exception causes,
heat map, forecasts) when present, else metrics.metrics + metrics.trend — once to warm up,
then the best of ``--repeat`` times, and its peak memory: the growth of the process's
resident memory during the first timed run (the kernel's high-water mark, reset before it)
and the peak of Python's allocations (tracemalloc) in one more run. Prints a table, and per
backend the ratios of the largest size to the smallest: time (a million tasks is ten times
the rows), memory (the target: 1.0, flat).

Last, on the largest size, the statements of one review of the quarter grouped by the
storage function that ran them, with their time, and the big tables their plans (EXPLAIN
QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL) read whole: the indexes
behind every query. ``--plans FILE`` writes every statement with its plan there.

``--quick`` is a smoke run: sizes 500 and 2,000, one repeat.

For bench/run.py (part ``report``), ``measure(args)`` times the review as admin on SQLite
at one size (``--report-tasks``, a million by default), target ≤ 3 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parent))

import report_history as history
from figures import Figure, Target, at_most
from scratch_pg import fresh_postgres

from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.security import Principal, Scope
from oaflow.services import authz, metric_days, metrics
from oaflow.services.app import App
from oaflow.storage.database import Database
from oaflow.storage.scope_sql import LISTED, listed

try:  # the whole review (MTR-4) once it is there; the metrics (its SQL) before
    from oaflow.services import review as review_service
except ImportError:  # pragma: no cover - before services/review.py lands
    review_service = None  # type: ignore[assignment]

PERIODS = ("2025-Q4", "2025-11")
MIB = 1024 * 1024
#: big tables: a full scan of one of them is flagged in the plans
BIG = ("tasks", "instances", "exceptions", "surveys", "history")
MIGRATIONS = Path(__file__).parents[1] / "src" / "oaflow" / "storage" / "migrations" / "versions"


def what_is_timed() -> str:
    if review_service is not None:
        return f"services.review.review ({', '.join(review_service.PARTS)})"
    return "services.metrics.metrics + metrics.trend"


def run_review(app: App, who: Principal, period: str) -> None:
    if review_service is not None:
        review_service.review(app, who, period)
    else:
        metrics.metrics(app, who, period)
        metrics.trend(app, who, period)


# -- memory --------------------------------------------------------------------------------


def _status(name: str) -> int:
    """A figure of /proc/self/status in bytes (VmRSS, VmHWM); 0 where there is none."""
    try:
        found = re.search(rf"^{name}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    except OSError:
        return 0
    return int(found.group(1)) * 1024 if found else 0


def rss_growth(work: Callable[[], object]) -> float | None:
    """How far the resident memory rose above where it was, during ``work`` (bytes); None
    where the kernel's high-water mark cannot be reset (not Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        return None
    before = _status("VmRSS")
    work()
    return float(max(0, _status("VmHWM") - before))


def traced_peak(work: Callable[[], object]) -> float:
    """The peak of Python's allocations during ``work`` (bytes)."""
    tracemalloc.start()
    try:
        work()
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


# -- the databases -------------------------------------------------------------------------


def cache_key(tasks: int, seed: int) -> str:
    code = Path(history.__file__).read_bytes()
    heads = ",".join(sorted(p.name for p in MIGRATIONS.glob("*.py")))
    digest = hashlib.sha1(code + heads.encode()).hexdigest()[:10]
    return f"report-history-{tasks}-s{seed}-{digest}.db"


def progress_bar(label: str) -> tuple[Progress, Callable[[int, int], None]]:
    bar = Progress(transient=True)
    task = bar.add_task(label, total=None)

    def advance(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, advance


def sqlite_file(tasks: int, seed: int, folder: Path, cached: bool) -> Path:
    """The generated history of ``tasks`` finished tasks (made now, or found in the cache
    with what was made, kept beside it)."""
    path = folder / cache_key(tasks, seed)
    said = path.with_suffix(".json")
    if cached and path.exists() and said.exists():
        made = history.Made(**json.loads(said.read_text()))
        print(f"  {tasks:,} tasks: {describe(made)} (kept in {path})", flush=True)
        return path
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.unlink(missing_ok=True)
    bar, advance = progress_bar(f"writing {tasks:,} tasks")
    with bar:
        made = history.generate(partial, tasks, seed, advance)
    partial.replace(path)
    said.write_text(json.dumps(dataclasses.asdict(made)))
    print(f"  {tasks:,} tasks: {describe(made)}", flush=True)
    return path


def describe(made: history.Made) -> str:
    return (
        f"made in {made.seconds:.1f} s — {made.instances:,} instances"
        f" ({made.running:,} running), {made.finished_tasks:,} finished tasks"
        f" ({made.late_tasks:,} late, {made.sent_back:,} rejected or returned),"
        f" {made.open_tasks:,} open, {made.exceptions:,} exception records,"
        f" {made.surveys:,} surveys"
    )


@contextmanager
def backend_url(backend: str, source: Path, pg: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{source}"
        return
    with fresh_postgres(pg) as url:
        bar, advance = progress_bar("copying into PostgreSQL")
        with bar:
            seconds = history.load_postgres(source, url, advance)
        print(f"  copied into PostgreSQL in {seconds:.1f} s (COPY, then VACUUM ANALYZE)")
        yield url


def app_on(url: str) -> App:
    return App(db=Database(url), clock=FixedClock(history.NOW), calendar=china_calendar())


def rolled_up(app: App, backend: str) -> float:
    """Roll up every day of the history, as the worker does a day at a time after each day
    ends (docs/adr/0015; the generator writes rows, not through a worker); its seconds. A
    kept SQLite file is rolled up once: then nothing is left to do."""
    bar, advance = progress_bar(f"rolling up the days ({backend})")
    began = time.perf_counter()
    with bar:
        days = metric_days.roll_up_all(app, app.now(), progress=advance)
    seconds = time.perf_counter() - began
    print(f"  rolled up {days} days in {seconds:.1f} s ({backend})", flush=True)
    return seconds


# -- measuring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    backend: str
    tasks: int
    login: str
    period: str
    seconds: float
    traced: float  # bytes
    rss: float | None  # bytes

    def line(self) -> str:
        rss = f"{self.rss / MIB:>9.1f}" if self.rss is not None else f"{'-':>9}"
        return (
            f"{self.backend:<11}{self.tasks:>11,}  {self.login:<10}{self.period:<9}"
            f"{self.seconds:>9.2f}{self.traced / MIB:>14.2f}{rss}"
        )


HEADER = (
    f"{'backend':<11}{'tasks':>11}  {'as':<10}{'period':<9}{'seconds':>9}"
    f"{'traced MiB':>14}{'RSS+ MiB':>9}"
)


def measure_review(
    app: App, backend: str, tasks: int, login: str, period: str, repeat: int
) -> Timing:
    who = authz.principal(app, login)

    def work() -> None:
        run_review(app, who, period)

    work()  # warm: compiled definitions, the driver's statement cache, the page cache
    times: list[float] = []

    def timed() -> None:
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)

    rss = rss_growth(timed)  # the first timed run: reading /proc costs nothing in it
    for _ in range(repeat - 1):
        timed()
    traced = traced_peak(work)  # apart: tracing slows the run down
    return Timing(backend, tasks, login, period, min(times), traced, rss)


def ratios(figures: list[Timing]) -> list[str]:
    """Per backend, login and period: the largest size against the smallest."""
    lines = []
    groups: dict[tuple[str, str, str], list[Timing]] = {}
    for f in figures:
        groups.setdefault((f.backend, f.login, f.period), []).append(f)
    for (backend, login, period), found in groups.items():
        small = min(found, key=lambda f: f.tasks)
        large = max(found, key=lambda f: f.tasks)
        if small is large:
            continue
        rss = (
            f"{large.rss / small.rss:.2f}"
            if large.rss is not None and small.rss is not None and small.rss > 0
            else "-"
        )
        lines.append(
            f"{backend:<11}{login:<10}{period:<9}"
            f"time ×{large.seconds / small.seconds:.2f}   "
            f"traced memory ×{large.traced / small.traced:.2f}   RSS growth ×{rss}"
            f"   ({large.tasks:,} / {small.tasks:,} tasks)"
        )
    return lines


# -- the statements and their plans --------------------------------------------------------


@dataclass
class Statement:
    where: str  # the function of the storage layer that ran it
    sql: str
    params: Any
    seconds: float


def caller() -> str:
    """The first public function of oaflow.storage (else oaflow.services) on the stack."""
    frame = sys._getframe(2)
    fallback = "?"
    while frame is not None:
        module, name = frame.f_globals.get("__name__", ""), frame.f_code.co_name
        public = not name.startswith("_")
        if module.startswith("oaflow.storage.") and module != "oaflow.storage.database" and public:
            return f"{module.rsplit('.', 1)[1]}.{name}"
        if fallback == "?" and module.startswith("oaflow.services."):
            fallback = f"{module.rsplit('.', 1)[1]}.{name}"
        frame = frame.f_back  # type: ignore[assignment]
    return fallback


def statements_of(app: App, login: str, period: str) -> list[Statement]:
    """Each statement one review runs, with its time."""
    found: list[Statement] = []
    began: list[float] = []

    def before(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        began.append(time.perf_counter())

    def after(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        found.append(Statement(caller(), sql, params, time.perf_counter() - began.pop()))

    engine = app.db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        run_review(app, authz.principal(app, login), period)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return found


def plan_of(
    app: App,
    backend: str,
    statement: Statement,
    settings: Sequence[Statement] = (),
    scope: Scope | None = None,
) -> list[str]:
    """The plan of ``statement``, after the ``settings`` (SET LOCAL …) its function made;
    with ``scope``'s instances listed first when it reads their list (docs/adr/0018), as
    the review did (the list exists only in the transaction that made it)."""
    explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    reads_list = scope is not None and LISTED in statement.sql
    with (
        app.db.read() as conn,
        listed(conn, scope) if scope is not None and reads_list else nullcontext(),
    ):
        for setting in settings:
            conn.exec_driver_sql(setting.sql, setting.params)
        rows = conn.exec_driver_sql(explain + statement.sql, statement.params).all()
    if backend == "sqlite":  # (id, parent, notused, detail): indent by depth
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + str(detail))
        return lines
    return [str(r[0]) for r in rows]


#: on PostgreSQL, a sequential scan of fewer rows than this is the planner's right choice
#: for a table that small (a smoke run's few hundred instances), not a missing index
SMALL_SCAN_ROWS = 1000


def full_scans(backend: str, sql: str, plan: list[str]) -> list[str]:
    """The big tables the plan reads whole (not through an index), in order; on PostgreSQL
    those whose scan read at least SMALL_SCAN_ROWS rows (EXPLAIN ANALYZE's actual rows ×
    loops; SQLite's plan names no sizes, and its planner reads an index where it has one)."""
    if backend == "sqlite":
        # SCAN t: the table that t names, row by row; SCAN t USING INDEX reads an index
        names = {table: table for table in BIG}
        for table, alias in re.findall(rf"\b({'|'.join(BIG)})\s+(?:AS\s+)?(\w+)", sql, re.I):
            names.setdefault(alias, table)
        pattern = re.compile(r"^SCAN (\w+)$")
    else:
        names = {table: table for table in BIG}
        pattern = re.compile(r"Seq Scan on (\w+)")
        plan = [line for line in plan if _rows_read(line) >= SMALL_SCAN_ROWS]
    found = (pattern.search(line.strip()) for line in plan)
    return list(dict.fromkeys(names[m.group(1)] for m in found if m and m.group(1) in names))


def _rows_read(line: str) -> int:
    """The rows a PostgreSQL plan line read (actual rows × loops); a line without them (no
    ANALYZE, never executed) counts as big."""
    found = re.search(r"actual time=\S+ rows=(\d+) loops=(\d+)", line)
    return int(found.group(1)) * int(found.group(2)) if found else SMALL_SCAN_ROWS


def show_plans(
    app: App, backend: str, tasks: int, login: str, period: str, out: Path | None
) -> list[str]:
    """One review's statements grouped by the function that ran them, slowest first, with
    their time and the big tables their plans read whole; every statement and its plan into
    ``out``. The lines printed."""
    found = statements_of(app, login, period)
    total = sum(s.seconds for s in found)
    scope = authz.scope(authz.principal(app, login))
    listing = sum(s.seconds for s in found if f"INSERT INTO {LISTED}" in s.sql)
    settings = [s for s in found if s.sql.lstrip().upper().startswith("SET ")]
    found = [s for s in found if s.sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    lines = [
        f"{backend}, {tasks:,} tasks, as {login}, {period}: {len(found)} statements,"
        f" {total:.2f} s in the database driver"
    ]
    groups: dict[str, list[float]] = {}
    scanned: dict[str, dict[str, int]] = {}
    chunks = []
    for s in sorted(found, key=lambda s: -s.seconds):
        plan = plan_of(app, backend, s, [x for x in settings if x.where == s.where], scope)
        groups.setdefault(s.where, []).append(s.seconds)
        for table in full_scans(backend, s.sql, plan):
            counts = scanned.setdefault(s.where, {})
            counts[table] = counts.get(table, 0) + 1
        chunks.append(f"-- {s.where}: {s.seconds:.3f} s\n{s.sql.strip()}\n-- params: {s.params}")
        chunks.append("\n".join(plan) + "\n")
    for where, times in sorted(groups.items(), key=lambda kv: -sum(kv[1])):
        scans = ", ".join(f"{t} ({n}×)" for t, n in scanned.get(where, {}).items())
        mark = f"   full scan of {scans}" if scans else ""
        lines.append(f"  {sum(times):>7.3f} s {len(times):>4}×  {where}{mark}")
    if listing:
        lines.append(f"  {listing:>7.3f} s    1×  scope_sql.listed (the scope's instances listed)")
    count = sum(sum(c.values()) for c in scanned.values())
    lines.append(f"  full scans of big tables: {count}")
    if out is not None:
        with out.open("a", encoding="utf-8") as f:
            f.write(f"==== {lines[0]}\n\n" + "\n".join(chunks) + "\n")
    return lines


# -- the part of bench/run.py -------------------------------------------------------------

REVIEW = "review report over {n} tasks, SQLite, {period}, s"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report-tasks", type=int, default=1_000_000, help="report: finished tasks"
    )


def review_size(args: argparse.Namespace) -> int:
    return 2_000 if getattr(args, "quick", False) else int(args.report_tasks)


def targets(args: argparse.Namespace) -> list[Target]:
    name = REVIEW.format(n=f"{review_size(args):,}", period=PERIODS[0])
    return [Target(name, "≤ 3 s (a few seconds)", at_most(3.0))]


def measure(args: argparse.Namespace) -> list[Figure]:
    """The review of the quarter and of the month, as admin, on SQLite over the generated
    history (kept in the system's temporary folder: made once, in about 90 s for a million
    tasks): the best of 3 runs after a warm-up, seconds."""
    n = review_size(args)
    source = sqlite_file(n, 15, Path(tempfile.gettempdir()), True)
    app = app_on(f"sqlite:///{source}")
    try:
        rolled_up(app, "sqlite")
        found = [measure_review(app, "sqlite", n, "admin", period, 3) for period in PERIODS]
    finally:
        app.db.dispose()
    return [Figure(REVIEW.format(n=f"{n:,}", period=t.period), t.seconds, "s") for t in found]


# -- the run -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="finished tasks, by commas")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, the best is kept")
    parser.add_argument("--as", dest="logins", default="admin", help="who asks, by commas")
    parser.add_argument("--pg", default=os.environ.get("OAFLOW_TEST_DATABASE_URL", ""))
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--plans", type=Path, help="write every statement's plan here")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--no-cache", action="store_true", help="make the history again")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 and 2,000 tasks")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "500,2000", 1
    sizes = sorted(int(s) for s in args.sizes.split(","))
    logins = [s.strip() for s in args.logins.split(",") if s.strip()]
    backends = [] if args.no_sqlite else ["sqlite"]
    if not args.no_pg and args.pg:
        backends.append("postgresql")
    elif not args.no_pg:
        print("postgresql skipped: give --pg URL or set OAFLOW_TEST_DATABASE_URL")
    if args.plans is not None:
        args.plans.write_text("", encoding="utf-8")
    print(f"timed: {what_is_timed()}; best of {args.repeat}", flush=True)
    figures: list[Timing] = []
    plans: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) if args.no_cache else args.cache
        for tasks in sizes:
            source = sqlite_file(tasks, args.seed, folder, not args.no_cache)
            for backend in backends:
                with backend_url(backend, source, args.pg) as url:
                    app = app_on(url)
                    try:
                        rolled_up(app, backend)
                        for login in logins:
                            for period in PERIODS:
                                figures.append(
                                    measure_review(app, backend, tasks, login, period, args.repeat)
                                )
                                print(figures[-1].line(), flush=True)
                        if tasks == sizes[-1]:
                            for login in logins:
                                plans += show_plans(
                                    app, backend, tasks, login, PERIODS[0], args.plans
                                )
                    finally:
                        app.db.dispose()
    print()
    print(HEADER)
    for f in figures:
        print(f.line())
    print(f"\nratios, {sizes[-1]:,} tasks against {sizes[0]:,}:")
    for line in ratios(figures):
        print(line)
    print("\nstatements of one review at the largest size (slowest first):")
    for line in plans:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
