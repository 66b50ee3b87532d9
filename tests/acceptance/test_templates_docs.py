"""docs/templates.md is true: its session runs as written (its example sheet first) — a
Template 2 imported (dry run, published), exported; a bad sheet's problems at their cells;
Template 1's row started and exported back byte for byte; Templates 3 and 4 exported — and
its tables hold the manual's rows as the code has them."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from doc_session import check, files, steps
from openpyxl import load_workbook

from oaflow.domain.template1 import EXAMPLE as T1_ROW
from oaflow.domain.template2_words import EXAMPLE as T2_ROWS
from oaflow.present.template3 import EXAMPLE as T3_ROW
from oaflow.present.templates import TEMPLATE4_EXAMPLE

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "templates.md"
PAGE = "docs/templates.md"


def test_the_session_runs_as_written(tmp_path: Path, oaflow_run: Callable[..., Any]) -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, content in files(text).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    session = steps(text, PAGE)
    assert [s.exit_code for s in session].count(1) == 2
    for step in session:
        result = oaflow_run(shlex.split(step.command)[1:], tmp_path, expect=None, columns=100)
        check(step, result, PAGE)
    assert (tmp_path / "forms-back.csv").read_bytes() == (tmp_path / "forms.csv").read_bytes()
    exported = (tmp_path / "demand-review.csv").read_text(encoding="utf-8-sig").splitlines()
    assert exported[1:] == [",".join(r) for r in T2_ROWS]
    progress = load_workbook(tmp_path / "progress.xlsx").active
    assert progress is not None and progress["B2"].value == "需求提交"


def test_the_tables_hold_the_manuals_rows() -> None:
    text = DOC.read_text(encoding="utf-8")
    for row in (T1_ROW, *T2_ROWS, T3_ROW, TEMPLATE4_EXAMPLE):
        assert "| " + " | ".join(row) + " |" in text, row
