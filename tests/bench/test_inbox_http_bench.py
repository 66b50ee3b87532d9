"""bench/inbox.py and bench/http_load.py (with bench/locustfile.py and bench/bare_api.py)
keep working: each runs at a tiny size as its own process and prints every figure it
promises, each a number above 0. Their figures are read by people; no time is asserted."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from oaflow.storage.database import normalise_url

BENCH = Path(__file__).parents[2] / "bench"
PG_URL = os.environ.get("OAFLOW_TEST_DATABASE_URL", "")
sys.path.insert(0, str(BENCH))

import http_load  # noqa: E402
import inbox  # noqa: E402

FIGURE = re.compile(r"^(?P<name>[^:\n]+): (?P<value>[\d,]+(?:\.\d+)?) (?P<unit>ms|/s)", re.M)


def run(script: str, *args: str, timeout: float) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={k: v for k, v in os.environ.items() if k != "OAFLOW_TEST_DATABASE_URL"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def figures(out: str) -> dict[str, float]:
    return {m["name"]: float(m["value"].replace(",", "")) for m in FIGURE.finditer(out)}


def test_every_part_takes_its_own_options() -> None:
    """Both parts add prefixed options with defaults to one shared parser (bench/run.py)."""
    parser = argparse.ArgumentParser()
    inbox.add_arguments(parser)
    http_load.add_arguments(parser)
    args = parser.parse_args([])
    assert args.inbox_tasks == 1_000_000 and args.inbox_repeat >= 1000
    assert args.http_users == 50 and args.http_seconds == 30
    alone = parser.parse_args(["--inbox-no-pg"])
    assert [t.figure for t in inbox.targets(alone)] == ["inbox p99 ms"]
    both = parser.parse_args(["--inbox-pg", "postgresql://somewhere/db"])
    assert [t.figure for t in inbox.targets(both)] == ["inbox p99 ms", "PostgreSQL inbox p99 ms"]


def test_inbox_prints_its_figures(tmp_path: Path) -> None:
    args = ["--quick", "--inbox-cache", str(tmp_path)]
    args += ["--pg", normalise_url(PG_URL)] if PG_URL else ["--inbox-no-pg"]
    out = run("inbox.py", *args, timeout=120)
    found = figures(out)
    names = ["inbox p50 ms", "inbox p99 ms"]
    if PG_URL:
        names += ["PostgreSQL inbox p50 ms", "PostgreSQL inbox p99 ms"]
    for name in names:
        assert found.get(name, 0) > 0, (name, out)
    assert {t.figure for t in inbox.TARGETS} <= set(found) | {"PostgreSQL inbox p99 ms"}
    assert found["inbox p50 ms"] <= found["inbox p99 ms"]
    # the shaped database: the head and the deputy have open tasks, the plan uses indexes
    assert re.search(r"csd\.head [1-9]\d* open, prd\.staff [1-9]\d* \(holding for", out), out
    assert "SEARCH tasks USING INDEX" in out and "FULL SCAN" not in out, out


def test_http_load_prints_its_figures() -> None:
    # short pauses and 3 measured seconds: the sign-ins (password hashes, seconds on a loaded
    # machine) no longer eat the window (http_load runs locust that much longer), and a
    # paced step of 0.2 s leaves every user several flows
    out = run(
        "http_load.py",
        *("--http-users", "5", "--http-seconds", "3", "--http-tasks", "200"),
        *("--http-think", "0.2"),
        timeout=300,  # a hang's guard: the four locust runs passed 150 s on a slow, loaded machine
    )
    found = figures(out)
    for target in http_load.TARGETS:
        assert found.get(target.figure, 0) > 0, (target.figure, out)
    for name in ("HTTP flow p50 ms", "HTTP flow p99 ms at full load", http_load.IN_PROCESS):
        assert found.get(name, 0) > 0, (name, out)
    reference = re.search(r"reference bare FastAPI requests/s: ([\d,.]+)", out)
    assert reference and float(reference.group(1).replace(",", "")) > 0, out
    # every request of the flow and of the bare loop answered as it should
    runs = re.findall(
        r"^http: (flow|bare FastAPI)[^:]*: ([\d,]+) requests, ([\d,]+) failed", out, re.M
    )
    assert len(runs) == 3, out
    assert all(int(failed.replace(",", "")) == 0 for _, _, failed in runs), out
    for request in (
        "GET /api/tasks ",
        "GET /api/tasks/{id}",
        "POST /api/tasks/{id}/",
        "POST /bare",
    ):
        assert request in out, (request, out)
