"""Reading a documentation page's example session: its ```console blocks (commands, the exit
codes and output lines they show) and its example files (a ``<!-- file: NAME -->`` line
before a fenced block). Shared by the tests that run docs/*.md as written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FILE_MARK = re.compile(r"^<!-- file: (\S+) -->$")
EXIT_LINE = re.compile(r"^\[exit (\d+)\]$")
SKIP_LINES = {"…", "..."}


@dataclass
class Step:
    command: str
    line: int  # in the page
    exit_code: int = 0
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    info: str  # what follows the opening ```
    line: int  # of the first line inside
    lines: list[str]
    file: str | None = None  # from a preceding <!-- file: NAME -->


def blocks(text: str) -> list[Block]:
    """Every fenced block of ``text``, in order."""
    found: list[Block] = []
    current: Block | None = None
    file: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if current is None:
            if line.startswith("```"):
                current = Block(line[3:].strip(), number + 1, [], file)
                file = None
            elif (m := FILE_MARK.match(line.strip())) is not None:
                file = m.group(1)
            elif line.strip():
                file = None
        elif line.strip() == "```":
            found.append(current)
            current = None
        else:
            current.lines.append(line)
    assert current is None, "a fenced block is not closed"
    return found


def steps(text: str, page: str) -> list[Step]:
    """The commands of the ```console blocks with their expected exit codes and output."""
    found: list[Step] = []
    for block in (b for b in blocks(text) if b.info == "console"):
        continued = False
        for number, line in enumerate(block.lines, start=block.line):
            where = f"{page}:{number}"
            if continued:
                found[-1].command += " " + line.strip().removesuffix("\\")
                continued = line.rstrip().endswith("\\")
            elif line.startswith("$ "):
                command = line[2:].strip()
                assert command.startswith("oaflow "), f"{where}: not an oaflow command"
                continued = command.endswith("\\")
                found.append(Step(command.removesuffix("\\").strip(), number))
            elif (m := EXIT_LINE.match(line.strip())) is not None:
                assert found, f"{where}: output before any command"
                found[-1].exit_code = int(m.group(1))
            elif line.strip() and line.strip() not in SKIP_LINES:
                assert found, f"{where}: output before any command"
                found[-1].expected.append(line)
    return found


def files(text: str) -> dict[str, str]:
    return {b.file: "\n".join(b.lines) + "\n" for b in blocks(text) if b.file}


def squeeze(text: str) -> str:
    return " ".join(text.split())


def check(step: Step, result: Any, page: str) -> None:
    """``result`` (of running ``step``) has the exit code and every output line the page
    shows, spaces aside."""
    where = f"{page}:{step.line}: $ {step.command}\n{result}"
    assert result.code == step.exit_code, where
    output = result.out if step.exit_code == 0 else result.out + result.err
    lines = [squeeze(line) for line in output.splitlines()]
    for expected in step.expected:
        wanted = squeeze(expected)
        assert any(wanted in line for line in lines), f"missing output line {expected!r}\n{where}"
