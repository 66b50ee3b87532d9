"""Calendar days from a CSV or Excel (.xlsx) file: columns date, kind, name. Bytes in, rows
and problems out (no file I/O; the caller reads the file).

CSV is read as UTF-8 (with or without the BOM Excel writes) or, failing that, GB18030 (what
Excel on Chinese Windows saves as "CSV"). Every bad row is reported with its line.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from oaflow.domain.errors import InputError, Problem, problem

KINDS = {"off": "off", "work": "work", "休息": "off", "上班": "work"}
HEADERS = {"date": "date", "日期": "date", "kind": "kind", "类型": "kind", "name": "name"}
HEADERS["名称"] = "name"
MAX_NAME = 100
_DATE = re.compile(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*")
Cell = str | int | float | date | datetime | None


@dataclass(frozen=True)
class DayRow:
    day: date
    kind: str  # 'off' | 'work'
    name: str
    line: int


def read_days(file: str, data: bytes) -> tuple[list[DayRow], list[Problem]]:
    """The rows of the file named ``file`` (its name tells the format) and the problems
    found in it (rows are good only if none)."""
    suffix = file.rpartition(".")[2].lower() if "." in file else ""
    if suffix == "csv":
        records = _csv_records(_decoded(file, data))
    elif suffix == "xlsx":
        records = _xlsx_records(file, data)
    else:
        raise InputError("calendar.file.unknown_format", file=file)
    return _parse(records, file)


def check_name(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_NAME:
        raise InputError("calendar.name.too_long", length=len(name), limit=MAX_NAME)
    return name


def _decoded(file: str, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        "calendar.file.encoding", file=file
    )  # pragma: no cover - gb18030 decodes almost any bytes


def _csv_records(text: str) -> Iterator[tuple[int, list[Cell]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    for row in reader:
        yield reader.line_num, list(row)


def _xlsx_records(file: str, data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook  # slow to import; only imports need it

    try:
        with warnings.catch_warnings():
            # e.g. "Workbook contains no default style": harmless in files from other tools
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError("calendar.file.not_a_workbook", file=file, detail=str(exc)) from None
    try:
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    for number, row in enumerate(rows, start=1):
        yield number, [_cell(value) for value in row]


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | date):
        return value
    return str(value)


def _parse(
    records: Iterable[tuple[int, list[Cell]]], file: str
) -> tuple[list[DayRow], list[Problem]]:
    problems: list[Problem] = []
    columns: dict[str, int] | None = None
    rows: list[DayRow] = []
    seen: dict[date, int] = {}
    for line, cells in records:
        if all(_cell_text(c) == "" for c in cells):
            continue
        if columns is None:
            columns = _header(cells, file, line)
            continue
        row = _row(cells, columns, file, line, problems)
        if row is None:
            continue
        if row.day in seen:
            problems.append(
                problem(
                    "calendar.day.twice", file, line, day=row.day.isoformat(), first=seen[row.day]
                )
            )
            continue
        seen[row.day] = line
        rows.append(row)
    return rows, problems


def _header(cells: list[Cell], file: str, line: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = HEADERS.get(_cell_text(cell).lower())
        if name is not None and name not in columns:
            columns[name] = index
    missing = [name for name in ("date", "kind") if name not in columns]
    if missing:
        raise InputError("calendar.file.no_column", file=file, line=line, missing=missing)
    return columns


def _row(
    cells: list[Cell], columns: dict[str, int], file: str, line: int, problems: list[Problem]
) -> DayRow | None:
    def cell(name: str) -> Cell:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    found: list[Problem] = []

    def bad(code: str, /, **params: Any) -> None:
        found.append(problem(code, file, line, **params))

    day = _date(cell("date"))
    if day is None:
        bad("calendar.day.bad_date", value=repr(_cell_text(cell("date"))))
    kind = KINDS.get(_cell_text(cell("kind")).lower())
    if kind is None:
        bad("calendar.day.bad_kind", value=repr(_cell_text(cell("kind"))))
    name = _cell_text(cell("name"))
    if len(name) > MAX_NAME:
        bad("calendar.name.too_long", length=len(name), limit=MAX_NAME)
    problems.extend(found)
    if found or day is None or kind is None:
        return None
    return DayRow(day, kind, name, line)


def _date(value: Cell) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    found = _DATE.fullmatch(_cell_text(value))
    if found is None:
        return None
    try:
        return date(*(int(g) for g in found.groups()))
    except ValueError:
        return None


def _cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
