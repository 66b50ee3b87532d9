"""Resident memory of one engine process over many task completions: flat, or a leak.

    python bench/memory.py [--memory-completions 1000000]

The engine on a SQLite file (WAL, synchronous=NORMAL: storage/database.py), the complaint
process, as bench/engine.py runs it (sealed phone field): in a loop, start one instance and
complete its 4 user tasks, each completion its own transaction, until N completions are
done — the database grows by N tasks and N/4 instances (with their history, outbox and
in-app rows) while the process keeps nothing of them.

It runs in a process of its own (spawned), whose RSS is read from /proc/self/status
(VmRSS). "RSS at start" is read after a warm-up of 1 % of the completions (at least 200): by
then the definition is compiled, the organisation snapshot and the driver's statement cache
are filled and SQLite's page cache of each pooled connection is used — what every
long-running process holds. Then RSS is sampled every 10 % of the completions; the figure
is the RSS after the last one, against the start.

Target: growth ≤ 10 % over the run. Why 10 % and not a number of MiB: the start is about
the size of the interpreter with its libraries (~100 MiB), so 10 % is ~10 MiB, room for
caches that fill once and the allocator's fragmentation, while a leak of only 100 bytes per
completion would be ~95 MiB over a million completions — far beyond it. The samples are
printed too: a steady climb shows a leak even when it stays under the bound.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))

import engine
from figures import Figure, Target, at_most_ratio

from oaflow.services import authz, runtime
from oaflow.services.app import App
from oaflow.storage.tables import tasks

MIB = 1024 * 1024
AFTER = "RSS after {n} completions"
START = "RSS at start"


def rss() -> float:
    """The resident memory of this process, bytes (VmRSS)."""
    found = re.search(r"^VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    if found is None:
        raise RuntimeError("no VmRSS in /proc/self/status (not Linux?)")
    return int(found.group(1)) * 1024


class Loop:
    """Start one complaint, complete its 4 tasks; again."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.who = {login: authz.principal(app, login) for _, login, _ in engine.STEPS}
        self.who["csd.head"] = authz.principal(app, "csd.head")

    def one_instance(self) -> int:
        app = self.app
        instance = runtime.start(app, self.who["csd.head"], "customer-complaint", engine.FORM)
        for node, login, command in engine.STEPS:
            with app.db.read() as conn:
                task_id = conn.execute(
                    select(tasks.c.id).where(
                        tasks.c.instance_id == instance.id,
                        tasks.c.node_id == node,
                        tasks.c.state == "pending",
                    )
                ).scalar_one()
            runtime.act(app, self.who[login], task_id, command)
        return len(engine.STEPS)


def run(
    completions: int, folder: Path, sample: Callable[[int, float], object] = lambda n, b: None
) -> tuple[float, float, list[tuple[int, float]]]:
    """RSS at the start (after the warm-up), after ``completions``, and the samples."""
    app = engine.make_app(folder / "memory.db")
    loop = Loop(app)
    done = 0
    warm = max(200, completions // 100)
    while done < warm:
        done += loop.one_instance()
    start = rss()
    samples: list[tuple[int, float]] = [(0, start)]
    sample(0, start)
    done = 0
    for tenth in range(1, 11):
        while done < completions * tenth // 10:
            done += loop.one_instance()
        samples.append((done, rss()))
        sample(*samples[-1])
    app.db.dispose()
    return start, samples[-1][1], samples


# -- the part of bench/run.py -------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--memory-completions", type=int, default=1_000_000, help="memory: task completions"
    )


def size(args: argparse.Namespace) -> int:
    return 2_000 if getattr(args, "quick", False) else int(args.memory_completions)


def targets(args: argparse.Namespace) -> list[Target]:
    name = AFTER.format(n=f"{size(args):,}")
    return [Target(f"{name} vs {START}", "growth ≤ 10 %", at_most_ratio(1.10))]


def measure(args: argparse.Namespace) -> list[Figure]:
    """Run in a process of its own (spawned: a fresh interpreter), so that its RSS is the
    engine's alone — not what the parts before it in bench/run.py left in this one, whose
    freed memory could also hide a leak."""
    n = size(args)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        start, end = pool.apply(_in_child, (n,))
    return [Figure(AFTER.format(n=f"{n:,}"), end / MIB, "MiB", START, start / MIB)]


def _say(done: int, value: float) -> None:
    print(f"  memory: {done:>10,} completions  RSS {value / MIB:7.1f} MiB", flush=True)


def _in_child(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        start, end, _ = run(n, Path(tmp), _say)
    return start, end


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    (figure,) = measure(args)
    print(f"{START}: {figure.reference:.1f} MiB")
    print(f"{figure.name}: {figure.value:.1f} MiB  (×{figure.ratio:.3f}, target ≤ 1.10)")
    print(f"in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
