"""Reading the manual's templates (TPL-1..4) from an uploaded .xlsx or .csv: bytes in,
tables of text cells out, every problem placed by sheet, row and column.

Cells are read as text (a number typed into Excel comes back as ``72``, not ``72.0``).
Nothing is evaluated: a workbook cell holding a formula or an error value is refused, and so
is a CSV cell that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) —
unless it carries the apostrophe that OA-Flow's own exports put before such text, which is
taken off. CSV is read as UTF-8 (with or without a BOM), or GB18030 as Excel on Chinese
Windows saves it.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from oaflow.domain.errors import Fault, Problem, ValidationError, fault
from oaflow.domain.wording import HintOf

#: what makes a spreadsheet read a cell as a formula (OWASP CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: the most rows a template upload may hold (a definition, a batch of start forms)
MAX_ROWS = 2000
#: the largest template upload
MAX_BYTES = 5 * 2**20


@dataclass(frozen=True)
class Table:
    """One sheet: its title, its header cells and its data rows with their row numbers
    (the header is row 1; empty rows are left out)."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Column:
    """A column of a template: its key and the titles it goes by (zh, en and others)."""

    key: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class Found:
    """Problems found while reading one upload, each at its sheet, row and column."""

    problems: list[Problem] = field(default_factory=list)

    def at(self, sheet: str, row: int, column: str, code: str, /, **params: Any) -> None:
        inner = fault(code, **params)
        code = "tpl.at_cell" if column else "tpl.at_sheet"
        where = fault(
            code, sheet=sheet, row=row, column=column, problem=inner, advice=HintOf(inner)
        )
        self.problems.append(Problem(where, sheet, row or None))  # said "sheet:row: …"

    def check(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)


def place(problem: Problem) -> Mapping[str, Any]:
    """Where a problem is (sheet, row, column) and what it is, for a JSON answer."""
    params = problem.fault.params
    inner = params.get("problem")
    return {
        "sheet": params.get("sheet", problem.file),
        "row": params.get("row", problem.line),
        "column": params.get("column", ""),
        "code": inner.code if isinstance(inner, Fault) else problem.code,
    }


def read_tables(data: bytes, filename: str, found: Found) -> list[Table]:
    """The sheets of an upload (a CSV is one sheet named after the file)."""
    name = filename.lower()
    if name.endswith(".csv"):
        return [_csv_table(data, _stem(filename), found)]
    if name.endswith(".xlsx"):
        return _workbook_tables(data, _stem(filename), found)
    found.at(_stem(filename), 0, "", "tpl.file.kind", file=filename)
    return []


def _stem(filename: str) -> str:
    base = re.split(r"[\\/]", filename)[-1]
    return base.rsplit(".", 1)[0] or base


def _csv_table(data: bytes, title: str, found: Found) -> Table:
    text = _decoded(data)
    rows: list[tuple[int, tuple[str, ...]]] = []
    header: tuple[str, ...] = ()
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if number == 1:
            header = tuple(c.strip() for c in cells)
            continue
        values = tuple(_csv_value(c, title, number, header, i, found) for i, c in enumerate(cells))
        if any(values) and len(rows) < MAX_ROWS:
            rows.append((number, values))
    return Table(title, header, tuple(rows))


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _csv_value(
    cell: str, sheet: str, row: int, header: Sequence[str], index: int, found: Found
) -> str:
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:].strip()  # OA-Flow's export kept it text with an apostrophe
    if cell.startswith(FORMULA_STARTS) and cell.strip():
        found.at(sheet, row, _column_name(header, index), "tpl.cell.formula", value=cell[:40])
        return ""
    return cell.strip()


def _column_name(header: Sequence[str], index: int) -> str:
    return header[index] if index < len(header) and header[index] else _letter(index)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _workbook_tables(data: bytes, stem: str, found: Found) -> list[Table]:
    from openpyxl import load_workbook  # only when a workbook is read

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    except Exception:  # a damaged or foreign file can fail anywhere inside openpyxl
        found.at(stem, 0, "", "tpl.file.not_a_workbook")
        return []
    tables = [_sheet_table(sheet, found) for sheet in book.worksheets]
    book.close()
    return tables


def _sheet_table(sheet: Any, found: Found) -> Table:
    header: tuple[str, ...] = ()
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number == 1:
            header = tuple(_text(c.value) for c in cells)
            continue
        values = tuple(
            _cell_value(c, sheet.title, number, header, i, found) for i, c in enumerate(cells)
        )
        if any(values) and len(rows) < MAX_ROWS:
            rows.append((number, values))
    return Table(str(sheet.title), header, tuple(rows))


def _cell_value(
    cell: Any, sheet: str, row: int, header: Sequence[str], index: int, found: Found
) -> str:
    kind = getattr(cell, "data_type", "s")
    if kind in ("f", "e") and cell.value is not None:
        code = "tpl.cell.formula" if kind == "f" else "tpl.cell.error_value"
        found.at(sheet, row, _column_name(header, index), code, value=str(cell.value)[:40])
        return ""
    return _text(cell.value)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")  # type: ignore[no-any-return]
    return str(value).strip()


def normal_title(title: str) -> str:
    """A header title without spaces, case or punctuation: '时限(小时)' → '时限小时'."""
    return re.sub(r"[\W_]+", "", title).lower()


def column_keys(
    table: Table, columns: Sequence[Column], required: Sequence[str], found: Found
) -> dict[str, int] | None:
    """Where each column of the template is in ``table`` (key → index), or None with the
    header's problems (a missing, unknown or doubled column) reported."""
    by_title: dict[str, str] = {}
    for column in columns:
        for title in (column.zh, column.en, column.key, *column.aliases):
            by_title[normal_title(title)] = column.key
    keys: dict[str, int] = {}
    bad = False
    for index, title in enumerate(table.header):
        if not title:
            continue
        key = by_title.get(normal_title(title))
        if key is None:
            found.at(table.title, 1, title, "tpl.header.unknown", known=_titles(columns))
            bad = True
        elif key in keys:
            found.at(table.title, 1, title, "tpl.header.doubled")
            bad = True
        else:
            keys[key] = index
    for column in columns:
        if column.key in required and column.key not in keys:
            found.at(table.title, 1, column.zh, "tpl.header.missing", known=_titles(columns))
            bad = True
    return None if bad else keys


def _titles(columns: Sequence[Column]) -> str:
    return "、".join(c.zh for c in columns)


def cell(row: Sequence[str], keys: Mapping[str, int], key: str) -> str:
    index = keys.get(key)
    return row[index] if index is not None and index < len(row) else ""
