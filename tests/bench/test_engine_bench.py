"""bench/engine.py keeps working (its figures are read by people, never asserted here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "engine.py"


def test_the_engine_benchmark_runs_and_prints_every_figure() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--instances", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = dict(re.findall(r"^\s*([^:\n]+?):\s+([\d,.]+)", done.stdout, re.MULTILINE))
    for label in (
        "engine completions/s",
        "bare SQLite limit/s",
        "ratio engine / bare",
        "peak RSS",
        "the engine's own statements, replayed by stdlib sqlite3/s",
        "ratio replay / bare (the most the engine's rows allow)",
    ):
        assert float(figures[label].replace(",", "")) > 0, (label, done.stdout)
