"""docs/cli.md is true: its example session runs as written (see "How this page is tested")."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from doc_session import check, steps

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
PAGE = "docs/cli.md"


def test_the_doc_has_an_example_session() -> None:
    session = steps(DOC.read_text(encoding="utf-8"), PAGE)
    commands = [s.command for s in session]
    assert commands[0] == "oaflow --now 2024-03-01T09:00 init --demo"
    assert any(" start customer-complaint " in c for c in commands)
    assert any(c.startswith("oaflow instance show TS202403001") for c in commands)
    assert all(s.expected for s in session[:-1]), "every step but the last shows its output"
    assert any(s.exit_code == 1 for s in session), "the session shows an error"


def test_the_example_session_runs_as_written(tmp_path: Path, oaflow_run) -> None:  # type: ignore[no-untyped-def]
    for step in steps(DOC.read_text(encoding="utf-8"), PAGE):
        result = oaflow_run(shlex.split(step.command)[1:], tmp_path, expect=None, columns=100)
        check(step, result, PAGE)
    assert (tmp_path / "oaflow.db").is_file()
