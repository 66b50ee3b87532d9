"""Template 3 (执行进度跟踪表): the manual's row, exactly, in the workbook and the CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

from openpyxl import load_workbook

from oaflow.domain.states import TaskState
from oaflow.domain.text import Text
from oaflow.present import sheets
from oaflow.present.template3 import HEADERS, template3_row
from oaflow.services.views import Dept, NodeRef, Person, ProgressRow

MANUAL_ROW = (
    "PROJ20240301",
    "研发方案输出",
    "研发部",
    "2024-03-18 18:00",
    "2024-03-19 10:00",
    "已完成(延迟16小时)",
    "客户需求临时变更,需额外确认",
)


def manual_progress_row() -> ProgressRow:
    return ProgressRow(
        business_key="PROJ20240301",
        task_id=7,
        node=NodeRef("rd_plan", Text("研发方案输出", "R&D plan")),
        department=Dept("RD", Text("研发部", "R&D")),
        owner=Person("rd.head", Text("张伟", "Zhang Wei")),
        planned=datetime(2024, 3, 18, 10, 0, tzinfo=UTC),  # 18:00 in Shanghai
        actual=datetime(2024, 3, 19, 2, 0, tzinfo=UTC),
        state=TaskState.DONE,
        is_open=False,
        delay_hours=16.0,
        delay_reason="客户需求临时变更,需额外确认",
    )


def test_the_manuals_row_exactly() -> None:
    assert template3_row(manual_progress_row(), "zh", "Asia/Shanghai") == MANUAL_ROW
    en = template3_row(manual_progress_row(), "en", "Asia/Shanghai")
    assert en[1:3] == ("R&D plan", "R&D") and en[5] == "done (16 h late)"


def test_the_row_in_a_workbook_and_a_csv() -> None:
    row = template3_row(manual_progress_row(), "zh", "Asia/Shanghai")
    book = load_workbook(BytesIO(sheets.to_xlsx([sheets.Sheet("模板3", HEADERS["zh"], [row])])))
    cells = [tuple(c.value for c in r) for r in book.active.iter_rows()]  # type: ignore[union-attr]
    assert cells == [HEADERS["zh"], MANUAL_ROW]
    text = sheets.to_csv(HEADERS["zh"], [row]).decode("utf-8-sig")
    assert text.splitlines()[1] == ",".join(MANUAL_ROW[:-1]) + ',"客户需求临时变更,需额外确认"'
