"""The monthly cause analysis (EXC-5) as an Excel workbook: a sheet per group (process,
node, department, or everything) with the causes ranked — cause, count, share, cumulative
share, vital few — under Chinese headers, and a Pareto chart (bars of the counts, the line of
the cumulative share on a second axis). Names are always text, never formulas."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from oaflow.domain.orgfile_xlsx import FORMULA_START, display_width
from oaflow.services.exception_analysis import ALL, Pareto, ParetoGroup

HEADERS = ("原因分类", "异常数", "占比", "累计占比", "关键少数")
#: characters a sheet's title may not hold, and its longest length
_NOT_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
_TITLE_MAX = 31


def pareto_workbook(view: Pareto, lang: str) -> bytes:
    """``view`` as the bytes of an .xlsx file; names in ``lang`` (headers in Chinese)."""
    workbook = Workbook()
    first = workbook.active
    assert isinstance(first, Worksheet)
    workbook.remove(first)
    titles: set[str] = set()
    for group in view.groups or (ParetoGroup("", ALL, 0, ()),):
        sheet = workbook.create_sheet(_title(group.name.get(lang), titles))
        fill_causes(sheet, group, lang)
        if group.causes:
            sheet.add_chart(causes_chart(sheet, group, view, lang), "G2")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def fill_causes(sheet: Worksheet, group: ParetoGroup, lang: str) -> None:
    bold = Font(bold=True)
    for column, title in enumerate(HEADERS, start=1):
        sheet.cell(row=1, column=column, value=title).font = bold
    for row, cause in enumerate(group.causes, start=2):
        text_cell(sheet, row, 1, cause.label.get(lang))
        sheet.cell(row=row, column=2, value=cause.count)
        sheet.cell(row=row, column=3, value=cause.share).number_format = "0.0%"
        sheet.cell(row=row, column=4, value=cause.cumulative).number_format = "0.0%"
        sheet.cell(row=row, column=5, value="是" if cause.vital else "")
    total = len(group.causes) + 2
    sheet.cell(row=total, column=1, value="合计").font = bold
    sheet.cell(row=total, column=2, value=group.total).font = bold
    names = [HEADERS[0], *(c.label.get(lang) for c in group.causes)]
    sheet.column_dimensions["A"].width = min(44, max(display_width(n) for n in names) + 2)
    for column in range(2, len(HEADERS) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 10
    sheet.freeze_panes = "A2"


def causes_chart(sheet: Worksheet, group: ParetoGroup, view: Pareto, lang: str) -> BarChart:
    last = len(group.causes) + 1
    bars = BarChart()
    bars.type = "col"
    bars.title = f"{view.month} {group.name.get(lang)}"
    bars.y_axis.title = HEADERS[1]
    bars.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    line = LineChart()
    line.add_data(Reference(sheet, min_col=4, min_row=1, max_row=last), titles_from_data=True)
    line.y_axis.axId = 200
    line.y_axis.title = HEADERS[3]
    line.y_axis.number_format = "0%"
    line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 1
    line.y_axis.crosses = "max"
    for axis in (bars.x_axis, bars.y_axis, line.y_axis):
        axis.delete = False  # openpyxl hides axes unless told
    bars += line
    bars.width, bars.height = 18, 9
    return bars


def text_cell(sheet: Worksheet, row: int, column: int, value: str) -> Cell:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.data_type = "s"  # text, even if it looks like a formula or a number
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def _title(name: str, taken: set[str]) -> str:
    """A sheet title from ``name``: without the characters Excel refuses, at most 31
    characters, and not one already ``taken``."""
    base = _NOT_IN_TITLE.sub("_", name).strip("'") or "-"
    title, n = base[:_TITLE_MAX], 1
    while title.lower() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: _TITLE_MAX - len(suffix)] + suffix
    taken.add(title.lower())
    return title
