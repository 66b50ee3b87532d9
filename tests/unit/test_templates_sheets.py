"""The manual's templates as sheets, pure (TPL-1, TPL-2): uploads read safely (formulas and
error values refused, a CSV with or without its BOM, GB18030), Template 1's example row and
Template 2's rows 001-003 read and written back to exactly the same cells in .xlsx and .csv,
and every problem of a bad Template 2 sheet at its sheet, row and column."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from oaflow.domain import template1
from oaflow.domain.definition import NodeType
from oaflow.domain.org import Organisation
from oaflow.domain.template2_export import export_rows
from oaflow.domain.template2_import import sheet_to_yaml
from oaflow.domain.template2_words import COLUMNS, EXAMPLE
from oaflow.domain.template_names import Directory
from oaflow.domain.template_sheets import Found, column_keys, place, read_tables
from oaflow.domain.validate import check_definition
from oaflow.present import sheets
from oaflow.processes import builtin_keys, builtin_source, demo_organisation

T2_HEADERS = tuple(c.zh for c in COLUMNS[:7])
T1_HEADERS = tuple(c.zh for c in template1.COLUMNS)
PROCESS = {"key": "demand-review", "name": "需求评审流程", "initiators": "市场部"}


@pytest.fixture(scope="module")
def org() -> Organisation:
    return demo_organisation()


def as_file(headers: tuple[str, ...], rows: list[tuple[str, ...]], kind: str) -> bytes:
    if kind == "csv":
        return sheets.to_csv(headers, rows)
    return sheets.to_xlsx([sheets.Sheet("流程节点配置表", headers, rows)])


def cells_of(data: bytes, kind: str) -> list[tuple[str, ...]]:
    found = Found()
    (table,) = read_tables(data, f"sheet.{kind}", found)
    assert not found.problems
    return [table.header, *(row for _, row in table.rows)]


def imported(org: Organisation, data: bytes, kind: str, options: dict[str, str] = PROCESS) -> str:
    found = Found()
    text = sheet_to_yaml(read_tables(data, f"nodes.{kind}", found), options, Directory(org), found)
    found.check()
    return text


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_template_2_rows_001_to_003_round_trip_exactly(org: Organisation, kind: str) -> None:
    text = imported(org, as_file(T2_HEADERS, list(EXAMPLE), kind), kind)
    definition = check_definition(text, "demand.yaml", org.names())
    kinds = [n.type for n in definition.nodes.values()]
    assert kinds == [
        NodeType.INITIATE,
        NodeType.HANDLE,
        NodeType.APPROVAL,
        NodeType.HANDLE,
        NodeType.END,
    ]
    assert definition.nodes["n003"].assignee is not None
    assert definition.nodes["n003"].assignee.department == "rnd"
    assert definition.initiators == ("mkt",)
    exported = export_rows(definition, Directory(org), "zh", "V1.0")
    written = as_file(exported.headers, list(exported.rows), kind)
    assert cells_of(written, kind) == [T2_HEADERS, *EXAMPLE]


def test_template_1_example_row_round_trips_exactly(org: Organisation) -> None:
    for kind in ("xlsx", "csv"):
        data = as_file(T1_HEADERS, [template1.EXAMPLE], kind)
        found = Found()
        (table,) = read_tables(data, f"forms.{kind}", found)
        keys = column_keys(table, template1.COLUMNS, template1.REQUIRED, found)
        assert keys is not None
        number, row = table.rows[0]
        form = template1.read_row(row, keys, (), Directory(org), 2024, ("s", number), found)
        assert not found.problems
        assert form["key_nodes"][0] == {
            "name": "研发输出方案",
            "date": "2024-03-15",
            "owner": "rnd",
        }
        assert form["collaborating_departments"] == ["rnd", "prd", "sal"]
        assert form["priority"] == "high"
        assert template1.row_of(form, (), Directory(org), "zh", 2024) == template1.EXAMPLE


def test_every_built_in_process_exports_with_what_the_table_cannot_say(org: Organisation) -> None:
    for key in builtin_keys():
        definition = check_definition(builtin_source(key)[0], key, org.names())
        exported = export_rows(definition, Directory(org), "zh")
        assert exported.headers[-2:] == ("节点类型", "说明")
        assert len(exported.rows) == len(
            [
                n
                for n in definition.nodes.values()
                if n.id not in ("start", "end") and n.type is not NodeType.END
            ]
        )
    budget = check_definition(builtin_source("annual-budget")[0], "b", org.names())
    notes = {r[0]: r[-1] for r in export_rows(budget, Directory(org), "zh").rows}
    assert "按规则分流至" in notes["check"] and "YAML" in notes["check"]


def test_a_bad_sheet_lists_every_problem_at_its_sheet_row_and_column(org: Organisation) -> None:
    rows = [
        EXAMPLE[0],
        ("002", "需求审核", "采购部", "", "", "两天", "001节点完成后自动触发"),
        ("002", "方案", "研发部负责人", "", "", "72", "009节点通过后自动触发"),
        ("004", "复核", "张三丰", "", "", "0", "每周一触发"),
    ]
    data = as_file(T2_HEADERS, rows, "xlsx")
    with pytest.raises(Exception) as caught:
        imported(org, data, "xlsx", {"key": "Bad Key"})
    problems = caught.value.problems  # type: ignore[attr-defined]
    places = {(p["sheet"], p["row"], p["column"], p["code"]) for p in map(place, problems)}
    assert places == {
        ("流程信息", 0, "流程名称", "tpl2.process.missing"),
        ("流程信息", 0, "流程编号", "tpl2.process.bad_key"),
        ("流程节点配置表", 3, "负责部门/人", "tpl2.owner.unknown"),
        ("流程节点配置表", 3, "时限(小时)", "tpl2.hours.bad"),
        ("流程节点配置表", 4, "节点编号", "tpl2.number.duplicate"),
        ("流程节点配置表", 4, "系统触发条件", "tpl2.flow.unknown_node"),
        ("流程节点配置表", 5, "负责部门/人", "tpl2.owner.unknown"),
        ("流程节点配置表", 5, "时限(小时)", "tpl2.hours.bad"),
        ("流程节点配置表", 5, "系统触发条件", "tpl2.trigger.unknown"),
    }
    texts = [p.text("zh") for p in problems]
    assert "流程节点配置表:3: “负责部门/人”列：“采购部”不是已知的部门或人员" in (
        t.split(" — ")[0] for t in texts
    ), texts


def test_a_missing_column_is_named(org: Organisation) -> None:
    headers = tuple(h for h in T2_HEADERS if h != "系统触发条件")
    data = as_file(headers, [r[:6] for r in EXAMPLE], "csv")
    with pytest.raises(Exception) as caught:
        imported(org, data, "csv")
    (problem,) = caught.value.problems  # type: ignore[attr-defined]
    assert dict(place(problem)) == {
        "sheet": "nodes",
        "row": 1,
        "column": "系统触发条件",
        "code": "tpl.header.missing",
    }
    assert problem.text("en").startswith(
        "nodes:1: column 系统触发条件: the header lacks this column"
    )


def test_formulas_are_refused_on_import_and_neutralised_on_export() -> None:
    book = Workbook()
    page = book.active
    assert page is not None
    page.append(list(T1_HEADERS))
    page.append(["新产品A", "市场部", "", "", "", "", "高", "=1+1"])
    page["C2"] = '=HYPERLINK("http://evil.example")'
    out = BytesIO()
    book.save(out)
    found = Found()
    read_tables(out.getvalue(), "forms.xlsx", found)
    assert sorted((p["row"], p["column"], p["code"]) for p in map(place, found.problems)) == [
        (2, "协同部门", "tpl.cell.formula"),
        (2, "备注", "tpl.cell.formula"),
    ]
    # a CSV cell a spreadsheet would run is refused; our own export's apostrophe is not
    csv_data = "任务名称,备注\r\n新产品A,@SUM(A1)\r\n新产品B,'=1+1\r\n".encode("utf-8-sig")
    found = Found()
    (table,) = read_tables(csv_data, "forms.csv", found)
    assert [(p["row"], p["column"]) for p in map(place, found.problems)] == [(2, "备注")]
    assert table.rows[1][1] == ("新产品B", "=1+1")
    written = sheets.to_xlsx([sheets.Sheet("t", ("备注",), [("=1+1",)])])
    cell = load_workbook(BytesIO(written)).active["A2"]  # type: ignore[index]
    assert cell.data_type == "s" and cell.value == "=1+1"
    assert sheets.to_csv(("备注",), [("=1+1",)]).endswith(b"'=1+1\r\n")


def test_csv_with_and_without_bom_and_in_gb18030() -> None:
    text = "节点编号,节点名称\r\n001,需求提交\r\n"
    for data in (text.encode("utf-8-sig"), text.encode("utf-8"), text.encode("gb18030")):
        found = Found()
        (table,) = read_tables(data, "n.csv", found)
        assert table.header == ("节点编号", "节点名称") and table.rows == (
            (2, ("001", "需求提交")),
        )


def test_not_a_spreadsheet() -> None:
    found = Found()
    assert read_tables(b"PK\x03\x04garbage", "x.xlsx", found) == []
    assert read_tables(b"x", "x.pdf", found) == []
    assert [place(p)["code"] for p in found.problems] == [
        "tpl.file.not_a_workbook",
        "tpl.file.kind",
    ]
