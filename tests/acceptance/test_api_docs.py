"""docs/api.md is true: its example sessions run as written against `oaflow serve` on the
database of `oaflow init --demo` (see "How this page is tested"), and the README's API tour
against `oaflow serve --demo`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest
from doc_session import Step, blocks

from conftest import Served, clean_env

pytestmark = pytest.mark.acceptance

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "api.md"
PAGE = "docs/api.md"
ASSIGNED = re.compile(r"^([A-Z_]+)=")


def sessions(text: str, only_curl: bool = False) -> list[Step]:
    """The `$` commands of the page's console blocks with the output lines they show (with
    ``only_curl``, of the blocks that use curl)."""
    found: list[Step] = []
    for block in (b for b in blocks(text) if b.info == "console"):
        if only_curl and not any("curl " in line for line in block.lines):
            continue
        for number, line in enumerate(block.lines, start=block.line):
            if line.startswith("$ "):
                found.append(Step(line[2:].strip(), number))
            elif line.strip():
                assert found, f"{PAGE}:{number}: output before any command"
                found[-1].expected.append(line)
    return found


def pattern(expected: str) -> re.Pattern[str]:
    """An expected line: ``…`` stands for anything."""
    return re.compile(".*?".join(re.escape(part) for part in expected.strip().split("…")))


def test_the_page_shows_a_sign_in_an_approval_and_a_token() -> None:
    commands = [s.command for s in sessions(DOC.read_text(encoding="utf-8"))]
    assert any("/api/session" in c and "curl" in c for c in commands)
    assert any(c.endswith("/api/tasks/1/approve") for c in commands)
    assert any(c.startswith("TOKEN=$(oaflow token create") for c in commands)


def test_the_sessions_run_as_written(served_empty_demo: Served) -> None:
    run(served_empty_demo, sessions(DOC.read_text(encoding="utf-8")), PAGE)


def test_the_readmes_api_tour_runs_as_written(served_demo: Served) -> None:
    steps = sessions((ROOT / "README.md").read_text(encoding="utf-8"), only_curl=True)
    assert steps[0].command == "OA=http://127.0.0.1:8000"
    assert steps[-1].command.endswith("$OA/api/tasks/$TASK/approve")
    run(served_demo, steps[1:], "README.md")
    with httpx.Client(base_url=served_demo.url) as http:
        http.post("/api/session", json={"login": "csd.head", "password": "demo"})
        items = http.get("/api/instances").json()["items"]  # the demo's history too
    [done] = [i for i in items if i["title"] == "屏幕划痕投诉"]
    assert done["current"][0]["id"] == "handle"


def run(served: Served, steps: list[Step], page: str) -> None:
    """Run ``steps`` in order by bash in the server's directory, ``OA`` its address."""
    cwd = served.cwd
    variables = cwd / "variables.sh"
    variables.write_text(f"OA={served.url}\n", encoding="utf-8")
    env = clean_env()
    for step in steps:
        names = {"OA", *(m.group(1) for m in [ASSIGNED.match(step.command)] if m)}
        names |= set(re.findall(r"^([A-Z_]+)=", variables.read_text(encoding="utf-8"), re.M))
        keep = "; ".join(f"echo \"{n}='${n}'\"" for n in sorted(names))
        script = (
            f". ./variables.sh\n{step.command}\ncode=$?\n{{ {keep}; }} > variables.sh\nexit $code"
        )
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )
        where = f"{page}:{step.line}: $ {step.command}\n[exit {done.returncode}]\n"
        where += f"{done.stdout}\n{done.stderr}"
        assert done.returncode == 0, where
        lines = done.stdout.splitlines()
        for expected in step.expected:
            wanted = pattern(expected)
            assert any(wanted.search(line) for line in lines), f"missing {expected!r}\n{where}"
