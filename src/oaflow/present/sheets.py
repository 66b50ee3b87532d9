"""Tables as Excel and CSV files that are safe to open: every export of the manual's templates,
ledgers and archives goes through here.

- Formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage
  return) would run as a formula in Excel; it is written with a leading apostrophe in CSV and
  typed as text in the workbook.
- CSV is UTF-8 with a BOM and CRLF rows, so Excel on Chinese Windows opens it as UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO, StringIO
from typing import Any

from oaflow.domain.template_sheets import FORMULA_STARTS  # what a spreadsheet runs

Cell = str | int | float | None


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title (≤ 31 characters in Excel), its header row and its rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    widths: Sequence[int] = ()  # column widths in characters; a default when empty


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Cell) -> str:
    """A cell for CSV: numbers as they are, text that looks like a formula behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str):
        return f"'{value}" if is_formula_like(value) else value
    return str(value)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The table as CSV bytes: UTF-8 with BOM, CRLF, every field quoted when it needs it."""
    out = StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    writer.writerows([csv_cell(c) for c in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one workbook; text stays text (never a formula), headers bold."""
    from openpyxl import Workbook  # openpyxl: only when a workbook is asked for
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for sheet in sheets:
        page = book.create_sheet(sheet.title[:31])
        page.append(list(sheet.headers))
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            page.append([None if c is None else c for c in row])
            for cell in page[page.max_row]:
                _as_text_if_formula(cell)
        for index, header in enumerate(sheet.headers, start=1):
            width = sheet.widths[index - 1] if index <= len(sheet.widths) else None
            page.column_dimensions[get_column_letter(index)].width = width or max(
                12, min(40, 2 * len(str(header)) + 4)
            )
        page.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _as_text_if_formula(cell: Any) -> None:
    if is_formula_like(cell.value):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula; keep it a string
