"""docs/migration.md is true: its two versions are the scenario's, and its example session
(a mistyped mapping, a dry run, the migration, the migrated instance going on) runs as
written through the real `oaflow` command (see the page's "How this page is tested"); the
dry run changes nothing, the refused instance is left as it was."""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path

import pytest
import yaml
from doc_session import check, files, steps

from conftest import AUDIT_ROWS
from migration_scenario import V1, V2

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "migration.md"
TEXT = DOC.read_text(encoding="utf-8")
PAGE = "docs/migration.md"


def test_the_examples_are_the_scenarios_versions() -> None:
    examples = files(TEXT)
    assert yaml.safe_load(examples["purchase-v1.yaml"]) == yaml.safe_load(V1)
    assert yaml.safe_load(examples["purchase-v2.yaml"]) == yaml.safe_load(V2)


def test_the_example_session_runs_as_written(tmp_path: Path, oaflow_run) -> None:  # type: ignore[no-untyped-def]
    for name, content in files(TEXT).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    session = steps(TEXT, PAGE)
    assert any("--dry-run" in s.command for s in session)
    assert any(s.exit_code == 1 for s in session)
    for step in session:
        before = dump(tmp_path / "oaflow.db") if "--dry-run" in step.command else None
        result = oaflow_run(shlex.split(step.command)[1:], tmp_path, expect=None, columns=100)
        check(step, result, PAGE)
        if before is not None:  # a dry run changes nothing
            assert dump(tmp_path / "oaflow.db") == before
    assert "--map review=head_review --as admin --json" in session[-2].command
    migrated = oaflow_run(["instance", "show", "PO2024001", "--as", "admin", "--json"], tmp_path)
    assert migrated.json()["timeline"][-3]["kind"] == "migrated"
    left = oaflow_run(["instance", "show", "PO2024002", "--as", "admin", "--json"], tmp_path)
    assert "migrated" not in [e["kind"] for e in left.json()["timeline"]]


def dump(db: Path) -> list[str]:
    """Every row but the audit log's (a refusal is recorded there)."""
    conn = sqlite3.connect(db)
    try:
        return [line for line in conn.iterdump() if not line.startswith(AUDIT_ROWS)]
    finally:
        conn.close()
