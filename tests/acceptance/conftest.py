"""Acceptance tests: the real `oaflow` command, run as a separate process (SPEC §18).

Every test works on its own SQLite file in ``tmp_path``. ``init --demo`` runs once per session
into a template file, which each test copies (saves about a second per test).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from cli_zygote import Zygotes
from served import OAFLOW, Served, clean_env, start_server

T0 = "2024-03-01T09:00"  # a Friday, 09:00 in Asia/Shanghai
#: start every `oaflow` cold, as a new interpreter (the zygote forks warm ones otherwise)
COLD = bool(os.environ.get("OAFLOW_TEST_COLD_CLI"))
ZYGOTES = Zygotes()
AUDIT_ROWS = ('INSERT INTO "audit" ', 'INSERT INTO "audit_head" ')


@dataclass
class Result:
    args: list[str]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def __str__(self) -> str:
        return (
            f"$ oaflow {' '.join(self.args)}\n[exit {self.code}]\n{self.out}\n[stderr]\n{self.err}"
        )


def run_oaflow(
    args: Sequence[str],
    cwd: Path,
    expect: int | None = 0,
    columns: int = 200,
    env: Mapping[str, str] | None = None,
) -> Result:
    """Run `oaflow ARGS` in ``cwd`` with the settings ``env`` (OAFLOW_KEYS …; the others
    are cleared); check the exit code unless ``expect`` is None. The process is forked from
    a zygote that imported the CLI once (tests/cli_zygote.py), unless OAFLOW_TEST_COLD_CLI
    is set."""
    settings = {**clean_env(columns), **(env or {})}
    if COLD:
        done = subprocess.run(
            [*OAFLOW, *args],
            cwd=cwd,
            env=settings,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
        result = Result(list(args), done.returncode, done.stdout, done.stderr)
    else:
        code, out, err = ZYGOTES.run(list(args), cwd, settings, columns, timeout=60)
        result = Result(list(args), code, out, err)
    assert "Traceback" not in result.err, str(result)
    if expect is not None:
        assert result.code == expect, str(result)
    return result


@dataclass
class Cli:
    """`oaflow` bound to one database file; ``now`` is the simulated instant of later calls,
    ``env`` the settings its processes get (every other OAFLOW_* variable is cleared)."""

    db: Path
    now: str | None = T0
    env: dict[str, str] = field(default_factory=dict)

    def with_env(self, **env: str) -> Cli:
        """The same `oaflow` with these settings too, e.g. ``OAFLOW_KEYS=…``."""
        return replace(self, env={**self.env, **env})

    @property
    def url(self) -> str:
        return f"sqlite:///{self.db}"

    def __call__(
        self, *args: str, expect: int | None = 0, now: str | None = None, lang: str | None = None
    ) -> Result:
        when = now or self.now
        options = ["--db", self.url]
        if when:
            options += ["--now", when]
        if lang:
            options += ["--lang", lang]
        return run_oaflow([*options, *args], self.db.parent, expect, env=self.env)

    def json(self, *args: str, now: str | None = None, lang: str | None = None) -> Any:
        return self(*args, "--json", now=now, lang=lang).json()

    def tasks(self, login: str) -> list[dict[str, Any]]:
        rows = self.json("tasks", "--as", login)
        assert isinstance(rows, list), rows
        return rows

    def task_id(self, login: str, node_id: str) -> str:
        """The ID of the single open task of ``login`` at node ``node_id``."""
        rows = [r for r in self.tasks(login) if r["node_id"] == node_id]
        assert len(rows) == 1, rows
        return str(rows[0]["id"])

    @staticmethod
    def assert_gapless(timeline: list[dict[str, Any]]) -> None:
        """Timeline entries are numbered 1..n without gaps and never go back in time."""
        assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1)), timeline
        times = [e["at"] for e in timeline]
        assert times == sorted(times), times

    def dump(self) -> list[str]:
        """Every row of the database as SQL text but the audit log's (a refused request is
        recorded there, SEC-4): equal dumps mean nothing else changed."""
        conn = sqlite3.connect(self.db)
        try:
            return [line for line in conn.iterdump() if not line.startswith(AUDIT_ROWS)]
        finally:
            conn.close()


@pytest.fixture(scope="session")
def oaflow_run() -> Callable[..., Result]:
    """`run_oaflow(args, cwd, expect=0, columns=200)`: the command without a bound database."""
    return run_oaflow


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database after `oaflow init --demo` (copied by every test that needs one)."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    result = Cli(path)("init", "--demo")
    assert "customer-complaint" in result.out and "annual-budget" in result.out, str(result)
    return path


@pytest.fixture
def cli(demo_template: Path, tmp_path: Path) -> Cli:
    """`oaflow` on a fresh copy of the initialised demo database."""
    db = tmp_path / "oaflow.db"
    shutil.copyfile(demo_template, db)
    return Cli(db)


@pytest.fixture(scope="session")
def fresh_cli(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Cli]:
    """For module-scoped set-ups: a new copy of the demo database in a new directory."""

    def make() -> Cli:
        db = tmp_path_factory.mktemp("acceptance") / "oaflow.db"
        shutil.copyfile(demo_template, db)
        return Cli(db)

    return make


def run_parallel(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run independent scenarios (each on its own database) at the same time.

    Almost all the time of an acceptance test is the start-up of `oaflow` processes, so
    independent scenarios run side by side; the first failure is raised as it is.
    """
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="session")
def parallel() -> Callable[[dict[str, Callable[[], Any]]], dict[str, Any]]:
    return run_parallel


@pytest.fixture
def copy_db(tmp_path: Path) -> Callable[[Path], Cli]:
    """Copy a prepared database file into this test's own directory."""
    count = 0

    def copy(source: Path) -> Cli:
        nonlocal count
        count += 1
        db = tmp_path / f"copy{count}.db"
        shutil.copyfile(source, db)
        return Cli(db)

    return copy


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[Served]:
    """`oaflow serve --demo` in a new directory (its oaflow.db made by the command, with six
    weeks of simulated work up to now)."""
    served = start_server(tmp_path, "--demo")
    yield served
    served.stop()


@pytest.fixture
def served_empty_demo(demo_template: Path, tmp_path: Path) -> Iterator[Served]:
    """`oaflow serve` on a copy of the database of `oaflow init --demo` (no instances yet)."""
    shutil.copyfile(demo_template, tmp_path / "oaflow.db")
    served = start_server(tmp_path)
    yield served
    served.stop()


@pytest.fixture(scope="session", autouse=True)
def _zygotes() -> Iterator[None]:
    """The zygotes end with the session."""
    yield
    ZYGOTES.close()
