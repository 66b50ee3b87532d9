"""docs/exceptions.md is true: the manual's worked example (b) entered through the CLI as
the page shows it, its Template 4 row as printed (EXC-1..4) — on the page's SQLite file,
and on a fresh PostgreSQL database."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

import pytest
from doc_session import check, steps

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "exceptions.md"
PAGE = "docs/exceptions.md"
ROW = (
    "模板4: ABN20240301 · PROJ20240301 · 研发方案输出 · 未在72小时内提交方案 · 市场部 · "
    "2024-03-20 09:00 · 客户需求确认后延迟24小时提交 · 张伟（研发部） · 2024-03-21 12:00 · "
    "方案通过评审"
)


def test_the_worked_example_runs_as_written(tmp_path: Path, db_url: str, oaflow_run) -> None:  # type: ignore[no-untyped-def]
    session = steps(DOC.read_text(encoding="utf-8"), PAGE)
    assert [s.exit_code for s in session].count(1) == 2  # the session shows refusals
    assert session[-1].expected[0] == ROW
    on_pg = db_url.startswith("postgresql")
    env = {"OAFLOW_DATABASE_URL": db_url} if on_pg else None
    for step in session:
        if on_pg:  # the page shows its SQLite file
            step = replace(step, expected=[e for e in step.expected if "sqlite:///" not in e])
        args = shlex.split(step.command)[1:]
        result = oaflow_run(args, tmp_path, expect=None, columns=100, env=env)
        check(step, result, PAGE)
