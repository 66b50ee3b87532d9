"""docs/cli.md is true: its example session runs as written (see "How this page is tested")."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
SKIP_LINES = {"…", "..."}
EXIT_LINE = re.compile(r"^\[exit (\d+)\]$")


@dataclass
class Step:
    command: str
    line: int  # in docs/cli.md
    exit_code: int = 0
    expected: list[str] = field(default_factory=list)


def console_blocks(text: str) -> list[list[tuple[int, str]]]:
    """The lines (with their line numbers) of every ```console block."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if current is None:
            if line.strip() == "```console":
                current = []
        elif line.strip() == "```":
            blocks.append(current)
            current = None
        else:
            current.append((number, line))
    assert current is None, "a ```console block is not closed"
    return blocks


def steps(text: str) -> list[Step]:
    found: list[Step] = []
    for block in console_blocks(text):
        continued = False
        for number, line in block:
            if continued:
                found[-1].command += " " + line.strip().removesuffix("\\")
                continued = line.rstrip().endswith("\\")
            elif line.startswith("$ "):
                command = line[2:].strip()
                assert command.startswith("oaflow "), f"docs/cli.md:{number}: not an oaflow command"
                continued = command.endswith("\\")
                found.append(Step(command.removesuffix("\\"), number))
            elif (m := EXIT_LINE.match(line.strip())) is not None:
                assert found, f"docs/cli.md:{number}: output before any command"
                found[-1].exit_code = int(m.group(1))
            elif line.strip() and line.strip() not in SKIP_LINES:
                assert found, f"docs/cli.md:{number}: output before any command"
                found[-1].expected.append(line)
    return found


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_the_doc_has_an_example_session() -> None:
    session = steps(DOC.read_text(encoding="utf-8"))
    commands = [s.command for s in session]
    assert commands[0] == "oaflow --now 2024-03-01T09:00 init --demo"
    assert any(" start customer-complaint " in c for c in commands)
    assert any(c.startswith("oaflow instance show TS202403001") for c in commands)
    assert all(s.expected for s in session[:-1]), "every step but the last shows its output"
    assert any(s.exit_code == 1 for s in session), "the session shows an error"


def test_the_example_session_runs_as_written(tmp_path: Path, oaflow_run) -> None:  # type: ignore[no-untyped-def]
    for step in steps(DOC.read_text(encoding="utf-8")):
        argv = shlex.split(step.command)[1:]
        result = oaflow_run(argv, tmp_path, expect=None, columns=100)
        where = f"docs/cli.md:{step.line}: $ {step.command}\n{result}"
        assert result.code == step.exit_code, where
        output = result.out if step.exit_code == 0 else result.out + result.err
        lines = [squeeze(line) for line in output.splitlines()]
        for expected in step.expected:
            wanted = squeeze(expected)
            assert any(wanted in line for line in lines), (
                f"missing output line {expected!r}\n{where}"
            )
    assert (tmp_path / "oaflow.db").is_file()
