"""`oaflow org import|export|users` as a process: round trips through YAML and CSV (Excel)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import run_oaflow

pytestmark = pytest.mark.acceptance


def oaflow(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`oaflow --db DB ARGS` as a process (forked warm: tests/cli_zygote.py)."""
    done = run_oaflow(["--db", f"sqlite:///{db}", *args], db.parent, expect=None)
    return subprocess.CompletedProcess(done.args, done.code, done.out, done.err)


def users(db: Path) -> list[dict[str, object]]:
    result = oaflow(db, "org", "users", "--json", "--as", "csd.head")
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))


def test_export_and_import_round_trip_in_yaml_and_csv(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert oaflow(db, "init", "--demo").returncode == 0
    before = users(db)
    assert {"csd.head", "gm", "vp.market"} <= {u["login"] for u in before}
    assert next(u for u in before if u["login"] == "gm")["roles"] == [
        "general_manager",
        "head",
        "member",
    ]
    for name in ("org.yaml", "org.csv"):
        exported = tmp_path / name
        assert oaflow(db, "org", "export", str(exported), "--as", "auditor").returncode == 0
        other = tmp_path / f"{name}.db"
        assert oaflow(other, "init").returncode == 0
        # nobody is there yet: the first import is made by an administrator the file names
        refused = oaflow(other, "org", "import", str(exported), "--as", "csd.head")
        assert refused.returncode == 1 and "csd.head" in refused.stderr, refused.stderr
        result = oaflow(other, "org", "import", str(exported), "--as", "admin")
        assert result.returncode == 0, result.stderr
        assert users(other) == before
    assert (tmp_path / "org.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8


def test_a_bad_organisation_file_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert oaflow(db, "init", "--demo").returncode == 0
    before = users(db)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "departments:\n  - {code: rnd, name: 研发部, head: nobody, parent: nowhere}\n"
        "users:\n  - {login: a.b, name: 甲, departments: [xyz]}\n",
        encoding="utf-8",
    )
    result = oaflow(db, "org", "import", str(bad), "--as", "admin")
    assert result.returncode == 1
    assert "bad.yaml:2" in result.stderr and "nobody" in result.stderr and "xyz" in result.stderr
    assert users(db) == before
    assert (
        oaflow(db, "org", "import", str(tmp_path / "missing.csv"), "--as", "admin").returncode == 1
    )
    assert oaflow(db, "org", "import", str(tmp_path / "org.txt"), "--as", "admin").returncode == 1
    exported = tmp_path / "org.yaml"  # a good file, but only administrators import
    assert oaflow(db, "org", "export", str(exported), "--as", "admin").returncode == 0
    refused = oaflow(db, "org", "import", str(exported), "--as", "gm")
    assert refused.returncode == 1 and "gm 没有管理权限" in refused.stderr, refused.stderr
    assert oaflow(db, "org", "export", str(exported), "--as", "csd.head").returncode == 1
    assert users(db) == before


def test_a_dated_import_applies_from_its_date(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert oaflow(db, "init", "--demo").returncode == 0
    exported = tmp_path / "org.yaml"
    assert oaflow(db, "org", "export", str(exported), "--as", "admin").returncode == 0
    text = exported.read_text(encoding="utf-8").replace("head: prd.head", "head: prd.staff", 1)
    exported.write_text(text, encoding="utf-8")
    result = oaflow(
        db,
        "--now",
        "2024-03-01T09:00",
        "org",
        "import",
        str(exported),
        "--as",
        "admin",
        "--effective",
        "2024-04-01T00:00",
    )
    assert result.returncode == 0, result.stderr

    def roles(now: str) -> list[str]:
        done = oaflow(db, "--now", now, "org", "users", "--json", "--as", "gm")
        assert done.returncode == 0, done.stderr
        out = done.stdout
        return next(u["roles"] for u in json.loads(out) if u["login"] == "prd.staff")

    assert "head" not in roles("2024-03-31T23:00")
    assert "head" in roles("2024-04-01T09:00")
