"""The BPMN section of docs/definition-format.md is true: its session runs as written (its
example files first), the definition it shows is the one the import writes, its extension
example is what the export writes, and its mapping table is the code's."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from doc_session import blocks, check, files, steps

from oaflow.domain.bpmn_model import ELEMENT_OF
from oaflow.present.bpmn_export import to_bpmn
from oaflow.processes import builtin_source

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "definition-format.md"
PAGE = "docs/definition-format.md"
SECTION = DOC.read_text(encoding="utf-8").partition("\n## BPMN 2.0 (DEF-1)\n")[2]


def test_the_session_runs_as_written(tmp_path: Path, oaflow_run: Callable[..., Any]) -> None:
    examples = files(SECTION)
    assert set(examples) == {
        "purchase-request.bpmn",
        "drawn-elsewhere.bpmn",
        "purchase-request.yaml",
    }
    for name, content in examples.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / "purchase-request.yaml").unlink()  # the import writes it
    session = steps(SECTION, PAGE)
    assert any(s.exit_code == 1 for s in session)
    for step in session:
        result = oaflow_run(shlex.split(step.command)[1:], tmp_path, expect=None, columns=100)
        check(step, result, PAGE)
    written = (tmp_path / "purchase-request.yaml").read_text(encoding="utf-8")
    assert written == examples["purchase-request.yaml"]
    exported = (tmp_path / "purchase-request-v1.bpmn").read_text(encoding="utf-8")
    assert "<bpmndi:BPMNShape" in exported and 'oaflow:node type="handle"' in exported


def test_the_extension_example_is_what_the_export_writes() -> None:
    [example] = [b for b in blocks(SECTION) if b.info == "xml" and b.file is None]
    text = "\n".join(example.lines)
    exported = to_bpmn(*builtin_source("annual-budget"))
    documentation = re.search(r"<bpmn:documentation>(.*?)</bpmn:documentation>", text, re.S)
    properties = re.search(r"<oaflow:properties>(.*?)</oaflow:properties>", text, re.S)
    assert documentation and properties
    assert f"<bpmn:documentation>{documentation.group(1)}</bpmn:documentation>" in exported
    assert f"<oaflow:properties>{properties.group(1)}</oaflow:properties>" in exported


def test_the_mapping_table_is_the_codes() -> None:
    table = SECTION.partition("### What each node becomes")[2].partition("\n\n`next`")[0]
    rows = [r.split("|") for r in table.splitlines() if r.startswith("| `")]
    for node_type, element in ELEMENT_OF.items():
        [row] = [r for r in rows if f"`{node_type.value}`" in r[1]]
        assert f"`{element}`" in row[2], row
