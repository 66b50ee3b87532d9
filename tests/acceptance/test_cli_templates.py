"""`oaflow template …` as a person runs it (TPL-1, TPL-2): a Template 2 workbook imported,
published and run to its end, exported back to the same cells; a bad sheet lists every
problem with its sheet, row and column and publishes nothing. (Template 1 through the
CLI: the session of docs/templates.md, tests/acceptance/test_templates_docs.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from oaflow.domain.template2_words import EXAMPLE as T2_ROWS

pytestmark = pytest.mark.acceptance

T2_HEADERS = [
    "节点编号",
    "节点名称",
    "负责部门/人",
    "输入要求",
    "输出要求",
    "时限(小时)",
    "系统触发条件",
]


def workbook(path: Path, nodes: list[list[str]], process: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "流程节点配置表"
    for row in nodes:
        sheet.append(row)
    info = book.create_sheet("流程信息")
    for row in [["项目", "值"], *process]:
        info.append(row)
    book.save(path)
    return path


def test_template_2_imported_published_run_and_exported(cli: Any, tmp_path: Path) -> None:
    process = [
        ["流程编号", "demand-review"],
        ["流程名称", "需求评审流程"],
        ["发起部门", "市场部"],
        ["业务编号格式", "XQ{yyyy}{MM}{seq:03}"],
    ]
    sheet = workbook(tmp_path / "t2.xlsx", [T2_HEADERS, *map(list, T2_ROWS)], process)
    published = cli("template", "import", "2", str(sheet), "--as", "admin")
    assert "已发布 demand-review v1 V1.0-202403-需求评审流程" in published.out, str(published)

    form = {"title": "新产品A需求评审", "collaborating_departments": ["rnd"]}
    started = cli("start", "demand-review", "--as", "mkt.head", "--data", json.dumps(form))
    assert "XQ202403001" in started.out, str(started)
    submit = cli.task_id("mkt.head", "n001")  # 001 需求提交: the initiator, 2 hours
    cli("task", "complete", submit, "--as", "mkt.head", "--field", "n001_1=XQ202403001")
    cli("task", "approve", cli.task_id("vp.market", "n002"), "--as", "vp.market")
    plan = cli.task_id("rnd.head", "n003")
    cli("task", "complete", plan, "--as", "rnd.head", "--field", "n003_1=方案初稿")
    assert cli.json("instance", "show", "XQ202403001", "--as", "mkt.head")["state"] == "completed"

    back = tmp_path / "back.xlsx"
    cli("template", "export", "2", "demand-review", "-o", str(back), "--as", "rnd.head")
    rows = [[str(c.value) for c in r] for r in load_workbook(back)["流程节点配置表"].iter_rows()]
    assert rows == [T2_HEADERS, *map(list, T2_ROWS)]


def test_a_bad_template_2_sheet_lists_every_problem_and_publishes_nothing(
    cli: Any, tmp_path: Path
) -> None:
    headers = [h for h in T2_HEADERS if h != "时限(小时)"]
    missing = workbook(
        tmp_path / "missing.xlsx",
        [headers, ["001", "需求提交", "发起部门", "", "", "手动发起"]],
        [],
    )
    result = cli(
        "template",
        "import",
        "2",
        str(missing),
        "--as",
        "admin",
        "--key",
        "x",
        "--name",
        "X",
        expect=1,
    )
    assert "流程节点配置表:1: “时限(小时)”列：表头缺少这一列" in result.err, str(result)

    rows = [
        T2_HEADERS,
        list(T2_ROWS[0]),
        [
            "002",
            "需求审核",
            "采购部负责人",
            "",
            "审批结果(通过/驳回)",
            "24",
            "001节点完成后自动触发",
        ],
        ["003", "研发方案输出", "研发部负责人", "", "", "72", "005节点通过后自动触发"],
    ]
    bad = workbook(tmp_path / "bad.xlsx", rows, [["流程编号", "bad-one"], ["流程名称", "坏流程"]])
    before = cli.dump()
    result = cli("template", "import", "2", str(bad), "--as", "admin", expect=1)
    assert "流程节点配置表:3: “负责部门/人”列：“采购部负责人”不是已知的部门或人员" in result.err, (
        str(result)
    )
    assert "流程节点配置表:4: “系统触发条件”列：触发条件中的节点 005 不存在" in result.err
    assert "共 2 个问题" in result.err
    assert cli.dump() == before  # nothing published
    english = cli("template", "import", "2", str(bad), "--as", "admin", expect=1, lang="en")
    assert "流程节点配置表:4: column 系统触发条件: the trigger names node 005" in english.err
