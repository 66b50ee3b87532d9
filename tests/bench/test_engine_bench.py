"""bench/engine.py keeps working (its figures are read by people, never asserted here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "engine.py"


def figures_of(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--instances", "3", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found = re.findall(r"^\s*([^:\n]+?):\s+([\d,.]+)", done.stdout, re.MULTILINE)
    return {label: float(value.replace(",", "")) for label, value in found}


def test_the_engine_benchmark_runs_and_prints_every_figure() -> None:
    figures = figures_of()
    for label in (
        "engine completions/s",
        "bare SQLite limit/s",
        "ratio engine / bare",
        "peak RSS",
        "the engine's own statements, replayed by stdlib sqlite3/s",
        "ratio replay / bare (the most the engine's rows allow)",
    ):
        assert figures[label] > 0, (label, figures)


def test_it_runs_the_same_work_on_postgresql_when_given_a_server(pg_admin_url: str) -> None:
    assert figures_of("--postgres", pg_admin_url)["PostgreSQL completions/s"] > 0
