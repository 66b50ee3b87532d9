"""A command starts without the libraries it does not use (start-up is most of the time of a
short command): psycopg only for PostgreSQL, holidays only when a year's national schedule is
read, openpyxl only for Excel organisation files, cryptography only with keys configured.
Checked by what a real command process has loaded, never by timing it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

RUN_AND_LIST = (
    "import json, sys\n"
    "from oaflow.cli.main import run\n"
    "sys.argv = ['oaflow', *sys.argv[1:]]\n"
    "try:\n"
    "    run()\n"
    "except SystemExit as end:\n"
    "    assert not end.code, end.code\n"
    "heavy = ('psycopg', 'holidays', 'openpyxl', 'cryptography')\n"
    "print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)\n"
)


def loaded_by(url: str, *args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")}
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, "--db", url, "--now", "2024-03-01T09:00", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


def test_everyday_commands_leave_the_heavy_libraries_unloaded(cli: Any) -> None:
    assert loaded_by(cli.url, "tasks", "--as", "csd.head") == []
    assert loaded_by(cli.url, "process", "list", "--as", "csd.head") == []
    assert loaded_by(cli.url, "org", "users", "--as", "csd.head") == []
    stored_days = ("calendar", "show", "--year", "2024", "--as", "csd.head")
    assert loaded_by(cli.url, *stored_days) == []


def test_the_libraries_are_there_when_a_command_needs_them(cli: Any, tmp_path: Path) -> None:
    org = str(tmp_path / "org.xlsx")
    assert loaded_by(cli.url, "org", "export", org, "--as", "auditor") == ["openpyxl"]
    new = f"sqlite:///{tmp_path / 'new.db'}"
    assert loaded_by(new, "init") == ["holidays"]  # seeds the national schedule
