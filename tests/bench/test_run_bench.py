"""bench/run.py runs its fast parts end to end and prints its two tables and the count of
targets met (its figures are read by people; no time is asserted here)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import run  # noqa: E402

#: the parts quick enough for the suite (inbox and http start servers and load generators)
FAST = "engine_sqlite,engine_pg,timers,report,memory"
VALUE = re.compile(r"^([\d,]+(?:\.\d+)?)\s*(?:/s|ms|MiB|s)$")


def figure_value(text: str) -> float:
    found = VALUE.match(text.strip())
    assert found, text
    return float(found.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def printed() -> list[str]:
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--only", FAST],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def table(lines: list[str], head: str) -> list[list[str]]:
    start = lines.index(head)
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith("targets met:"):
            break
        rows.append(line.split(" | "))
    return rows


def test_every_figure_parses_and_is_above_zero(printed: list[str]) -> None:
    rows = table(printed, "figure | value | reference | ratio")
    names = {r[0] for r in rows}
    assert "SQLite engine completions/s" in names
    assert "RSS after 2,000 completions" in names
    assert any(n.startswith("review report over 2,000 tasks") for n in names)
    assert "timers fired/s, SQLite, 4 workers" in names
    if os.environ.get("OAFLOW_TEST_DATABASE_URL"):
        assert "PostgreSQL engine completions/s, 4 processes" in names
    for name, value, reference, ratio in rows:
        assert figure_value(value) > 0, (name, value)
        if reference != "-":
            assert figure_value(reference.rsplit(": ", 1)[1]) > 0, (name, reference)
            assert float(ratio.lstrip("×")) > 0, (name, ratio)


def test_the_engine_stands_beside_each_reference_of_the_issue(printed: list[str]) -> None:
    references = {
        r[2].rsplit(": ", 1)[0]
        for r in table(printed, "figure | value | reference | ratio")
        if r[0] == "SQLite engine completions/s"
    }
    assert {"SpiffWorkflow persisted/s", "replay of its own statements/s"} <= references


def test_each_missed_ratio_stands_beside_its_ceiling(printed: list[str]) -> None:
    """The figures that say how far a ratio can go on this machine at all: the replay (no
    engine logic) beside SpiffWorkflow; on PostgreSQL the engine with its process's CPU taken
    out (faster than the engine itself) and the bare transaction on 4 connections."""
    rows = table(printed, "figure | value | reference | ratio")
    pairs = {(r[0], r[2].rsplit(": ", 1)[0]): figure_value(r[1]) for r in rows}
    assert ("replay of its own statements/s", "SpiffWorkflow persisted/s") in pairs
    if not os.environ.get("OAFLOW_TEST_DATABASE_URL"):
        return
    bare = "bare 3-statement transaction/s, 1 connection"
    engine = pairs[("PostgreSQL engine completions/s, 1 process", bare)]
    alone = pairs[("PostgreSQL engine with its process's CPU taken out, completions/s", bare)]
    assert alone > engine
    four = "bare 3-statement transaction/s, 4 connections"
    assert (four, bare) in pairs
    assert ("PostgreSQL engine completions/s, 4 processes", four) in pairs


def test_the_targets_end_with_their_count(printed: list[str]) -> None:
    rows = table(printed, "figure | target | measured | result")
    results = [r[-1] for r in rows]
    assert all(r in ("met", "missed") or r.startswith("not measured") for r in results), rows
    found = re.fullmatch(r"targets met: (\d+) of (\d+)", printed[-1])
    assert found, printed[-1]
    assert int(found.group(1)) == results.count("met")
    assert int(found.group(2)) == len(rows)


def test_a_part_whose_module_is_absent_is_not_measured_rather_than_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(run.PARTS, "ghost", ("no_such_bench_module", False))
    part = run.load("ghost")
    assert part.module is None and "no_such_bench_module" in part.absent
    said: list[str] = []
    assert run.run_part(part, argparse.Namespace(pg=""), said.append)
    assert part.outcome.startswith("not measured") and part.figures == []
    rows, met, total = run.target_rows([part], argparse.Namespace())
    assert (met, total) == (0, 0) and rows == ["figure | target | measured | result"]


def test_a_part_that_needs_postgresql_is_skipped_without_a_server() -> None:
    part = run.load("engine_pg")
    args = argparse.Namespace(pg="", quick=True, pg_instances=1)
    assert run.run_part(part, args, lambda line: None)
    assert part.outcome.startswith("skipped") and part.figures == []
    rows, met, total = run.target_rows([part], args)
    assert met == 0 and total == 2
    assert all("not measured (skipped" in r for r in rows[1:])
