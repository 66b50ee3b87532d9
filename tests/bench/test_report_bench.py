"""bench/report.py keeps working and its generated history is valid (its figures are read
by people; no time is asserted here)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.definition import TASK_NODES
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.measures import measure
from oaflow.domain.states import InstanceState, TaskState
from oaflow.services.app import App
from oaflow.storage.database import Database, normalise_url

BENCH = Path(__file__).parents[2] / "bench"
PG_URL = os.environ.get("OAFLOW_TEST_DATABASE_URL", "")
sys.path.insert(0, str(BENCH))

import report_history  # noqa: E402

ROW = re.compile(
    r"^(sqlite|postgresql)\s+([\d,]+)\s+(\S+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+|-)$",
    re.MULTILINE,
)
RATIO = re.compile(
    r"^(sqlite|postgresql)\s+(\S+)\s+(\S+)\s+time ×([\d.]+)\s+traced memory ×([\d.]+)", re.MULTILINE
)


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


@dataclass(frozen=True)
class Ran:
    out: str  # what the quick run printed
    folder: Path  # where it kept its generated files
    backends: frozenset[str]


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    """One quick run of the benchmark: on SQLite, and on PostgreSQL when a server is given."""
    folder = tmp_path_factory.mktemp("report-bench")
    args = ["--quick", "--as", "admin,csd.head", "--cache", str(folder)]
    args += ["--plans", str(folder / "plans.txt")]
    args += ["--pg", normalise_url(PG_URL)] if PG_URL else ["--no-pg"]
    done = subprocess.run(
        [sys.executable, str(BENCH / "report.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return Ran(done.stdout, folder, frozenset({"sqlite", "postgresql"} if PG_URL else {"sqlite"}))


def test_the_report_benchmark_prints_its_figures(ran: Ran) -> None:
    out, backends = ran.out, ran.backends
    rows = ROW.findall(out.split("\n\nbackend")[-1])
    assert {r[0] for r in rows} == backends, out
    # two sizes × two people × two periods per backend
    assert len(rows) == 8 * len(backends), out
    for _, _, _, _, seconds, traced, rss in rows:
        assert float(seconds) > 0 and float(traced) > 0, out
        assert rss == "-" or float(rss) >= 0, out
    ratios = RATIO.findall(out)
    assert len(ratios) == 4 * len(backends), out
    for *_, time_ratio, memory_ratio in ratios:
        assert float(time_ratio) > 0 and float(memory_ratio) > 0, out
    # the statements of one review and their plans, per person and backend
    assert out.count("full scans of big tables:") == 2 * len(backends), out
    plans = (ran.folder / "plans.txt").read_text(encoding="utf-8")
    # as admin the finished work comes from the roll-up, as the head from the tasks
    assert "rollup_repo.add_tallies" in plans and "rollup_repo.task_facts" in plans
    assert "ix_tasks_finished_at" in plans
    # the head's statements read their listed instances (docs/adr/0018), listed once
    assert out.count("scope_sql.listed (the scope's instances listed)") == len(backends), out
    assert "oaflow_visible" in plans
    # each database's year was rolled up (a kept SQLite file once: then nothing is left)
    rolled = [int(n) for n in re.findall(r"rolled up (\d+) days in", out)]
    assert len(rolled) == 2 * len(backends) and rolled[0] > 300, out


def test_the_generated_history_follows_the_schema_the_definitions_and_the_calendar(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.db"
    made = report_history.generate(path, 600, seed=3)
    assert 500 <= made.finished_tasks <= 700, made
    assert made.exceptions and made.surveys and made.late_tasks and made.sent_back, made
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert (
        db.execute("SELECT count(*) FROM tasks WHERE finished_at IS NOT NULL").fetchone()[0]
        == made.finished_tasks
    )
    states = {s.value for s in TaskState}
    assert {r[0] for r in db.execute("SELECT DISTINCT state FROM tasks")} <= states
    assert {r[0] for r in db.execute("SELECT DISTINCT state FROM instances")} <= {
        s.value for s in InstanceState
    }
    # every task's node is a node that gives tasks, of its instance's published definition
    app = App(
        db=Database(f"sqlite:///{path}"),
        clock=FixedClock(report_history.NOW),
        calendar=china_calendar(),
    )
    definitions, ids = report_history.published(app)
    app.db.dispose()
    nodes = db.execute(
        "SELECT DISTINCT i.definition_id, i.definition_key, t.node_id"
        " FROM tasks t JOIN instances i ON i.id = t.instance_id"
    ).fetchall()
    assert {key for _, key, _ in nodes} == set(definitions) == set(ids), nodes
    for definition_id, key, node in nodes:
        assert definition_id == ids[key]
        assert definitions[key].nodes[node].type in TASK_NODES, (key, node)
    # open tasks only in running instances; ended instances have all their tasks finished
    assert db.execute(
        "SELECT count(*) FROM tasks t JOIN instances i ON i.id = t.instance_id"
        " WHERE (t.finished_at IS NULL) <> (i.state = 'running' AND t.state = 'pending')"
    ).fetchone() == (0,)
    # the measured columns are what the engine measures on the business calendar
    calendar = china_calendar()
    rows = db.execute(
        "SELECT created_at, finished_at, due_at, work_seconds, span_seconds, late_seconds"
        " FROM tasks WHERE finished_at IS NOT NULL ORDER BY id LIMIT 300"
    ).fetchall()
    for created, finished, due, work, span, late in rows:
        start, end = instant(created), instant(finished)
        assert start is not None and end is not None
        found = measure(start, end, instant(due), calendar)
        assert (work, span, late) == (found.work_seconds, found.span_seconds, found.late_seconds)
    # a late task's exception record names it; surveys only for completed instances
    assert (
        db.execute(
            "SELECT count(*) FROM exceptions x JOIN tasks t ON t.id = x.task_id"
            " WHERE t.exception = x.code AND t.late_seconds > 0"
        ).fetchone()
        == db.execute("SELECT count(*) FROM exceptions").fetchone()
    )
    assert db.execute(
        "SELECT count(*) FROM surveys s JOIN instances i ON i.id = s.instance_id"
        " WHERE i.state <> 'completed'"
    ).fetchone() == (0,)
