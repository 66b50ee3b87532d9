"""docs/archives.md is true (ARC-1 through the real CLI): S1 from 001 需求提交 to its end with
`--now`, the archive pending, built by `tick`, listed, shown, verified, exported, unseen by
another department; then a file of the folder is changed and another deleted, and `archive
verify` names both and exits 1."""

from __future__ import annotations

import hashlib
import json
import shlex
import zipfile
from pathlib import Path

import pytest
from doc_session import check, steps

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "archives.md"
PAGE = "docs/archives.md"
NAME = "项目归档-2024-新产品A"


def test_the_archive_session_runs_as_written(tmp_path: Path, oaflow_run) -> None:  # type: ignore[no-untyped-def]
    session = steps(DOC.read_text(encoding="utf-8"), PAGE)
    assert session[-1].exit_code == 1 and "archive verify" in session[-1].command
    for step in session[:-1]:
        result = oaflow_run(shlex.split(step.command)[1:], tmp_path, expect=None, columns=100)
        check(step, result, PAGE)

    folder = tmp_path / "oaflow-files" / "archives" / NAME
    shown = oaflow_run(
        ["--now", "2024-03-22T17:05", "archive", "show", NAME, "--as", "mkt.head", "--json"],
        tmp_path,
    )
    listed = json.loads(shown.out)["files"]
    for entry in listed:
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    with zipfile.ZipFile(tmp_path / "新产品A.zip") as packed:
        names = {n.removeprefix(f"{NAME}/") for n in packed.namelist()}
    assert names == {e["path"] for e in listed} | {"manifest.json"}

    history = folder / "history.csv"
    history.write_bytes(history.read_bytes().replace(b"2024-03-22", b"2024-03-23", 1))
    (folder / "instance.json").unlink()
    last = session[-1]
    result = oaflow_run(shlex.split(last.command)[1:], tmp_path, expect=None, columns=100)
    check(last, result, PAGE)
