"""Organisation files as Excel workbooks (ORG-2): bytes in, bytes out (no file I/O).

A workbook has two sheets, 部门 Departments and 用户 Users, each with one header row whose
titles are Chinese, English or both (``名称 Name``). Rows become the same records as the
YAML and CSV formats and go through the same builder in ``domain.orgfile``, so the same
checks apply; every problem names its sheet and row (``部门 Departments!4``). Exported cells
are always text (never formulas), and text that Excel could take for a formula is marked
with a quote prefix, so opening or editing the file never evaluates it. See
docs/organisation.md.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from oaflow.domain.errors import Fault, Problem, ValidationError, fault
from oaflow.domain.org import Department, Organisation, User
from oaflow.domain.orgfile import Kind, _Builder, _Record
from oaflow.domain.wording import HintOf


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str

    @property
    def title(self) -> str:
        return f"{self.zh} {self.en}"


@dataclass(frozen=True)
class SheetLayout:
    kind: Kind
    zh: str
    en: str
    columns: tuple[Column, ...]
    required: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"{self.zh} {self.en}"


DEPARTMENTS = SheetLayout(
    "department",
    "部门",
    "Departments",
    (
        Column("code", "代码", "Code"),
        Column("name_zh", "名称", "Name"),
        Column("name_en", "英文名称", "English name"),
        Column("parent", "上级部门", "Parent"),
        Column("head", "负责人", "Head"),
        Column("interfaces", "接口人", "Interface persons"),
        Column("leader", "分管领导", "Supervising leader"),
    ),
    ("code", "name_zh"),
)
USERS = SheetLayout(
    "user",
    "用户",
    "Users",
    (
        Column("login", "登录名", "Login"),
        Column("name_zh", "姓名", "Name"),
        Column("name_en", "英文名", "English name"),
        Column("email", "邮箱", "Email"),
        Column("departments", "部门", "Departments"),
        Column("roles", "角色", "Roles"),
        Column("active", "启用", "Active"),
    ),
    ("login", "name_zh"),
)
LAYOUTS = (DEPARTMENTS, USERS)

#: characters that make a spreadsheet read a typed cell as a formula (OWASP CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
#: records of the users sheet get line numbers above any Excel row, so the builder's
#: lines tell the sheets apart; they are mapped back to rows before problems are reported
_USER_LINES = 10_000_000
#: duplicates say where the first one was: a line of the builder becomes a sheet and row
_FIRST_AT_CELL = {
    "org.department.duplicate_at": "org.department.duplicate_at_cell",
    "org.user.duplicate_at": "org.user.duplicate_at_cell",
}


# --- writing ----------------------------------------------------------------------------


def org_to_xlsx(org: Organisation) -> bytes:
    """Write an organisation as a workbook that ``parse_org_xlsx`` reads back equal."""
    workbook = Workbook()
    departments = workbook.active
    assert isinstance(departments, Worksheet)
    _fill(departments, DEPARTMENTS, [_department_row(d) for d in org.departments.values()])
    _fill(workbook.create_sheet(), USERS, [_user_row(u) for u in org.users.values()])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _department_row(d: Department) -> list[object]:
    return [
        d.code,
        d.name.zh,
        d.name.en,
        d.parent or "",
        d.head or "",
        ";".join(d.interfaces),
        d.leader or "",
    ]


def _user_row(u: User) -> list[object]:
    return [
        u.login,
        u.name.zh,
        u.name.en,
        u.email,
        ";".join(u.departments),
        ";".join(sorted(u.roles)),
        u.active,
    ]


def _fill(sheet: Worksheet, layout: SheetLayout, rows: list[list[object]]) -> None:
    sheet.title = layout.title
    bold = Font(bold=True)
    for index, column in enumerate(layout.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font = bold
    for row_index, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            if value != "":
                _put(sheet, row_index, index, value)
    for index, column in enumerate(layout.columns, start=1):
        values = [column.title, *(str(row[index - 1]) for row in rows)]
        width = min(60, max(8, *(display_width(value) for value in values)) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _put(sheet: Worksheet, row: int, column: int, value: object) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, bool):
        cell.value = value
        return
    text = str(value)
    cell.value = text
    cell.data_type = "s"  # text, even if it looks like a formula or a number
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True  # Excel shows and keeps it as text when the cell is edited


def display_width(text: str) -> int:
    """Columns a text takes on screen: Chinese (wide) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --- reading ----------------------------------------------------------------------------


def parse_org_xlsx(data: bytes, file: str = "") -> Organisation:
    """Read an organisation workbook; raise ``ValidationError`` listing every problem."""
    builder = _Builder(file)
    places: dict[int, tuple[str, int]] = {}
    try:
        return builder.build(_workbook_records(data, builder, places))
    except ValidationError as error:
        raise ValidationError(problems=[_placed(p, places) for p in error.problems]) from None


def _placed(problem: Problem, places: dict[int, tuple[str, int]]) -> Problem:
    """Put the sheet and row of the builder's line number into the problem."""
    if problem.line is None or problem.line not in places:
        return problem
    sheet, row = places[problem.line]
    inner = _first_at_cell(problem.fault, places)
    placed = fault("org.xlsx.at_row", sheet=sheet, row=row, problem=inner, advice=HintOf(inner))
    return Problem(placed, problem.file, row)


def _first_at_cell(found: Fault, places: dict[int, tuple[str, int]]) -> Fault:
    """A duplicate's "first at line N" as "first at Sheet!row"."""
    where = places.get(found.params.get("first") or 0)
    if found.code not in _FIRST_AT_CELL or where is None:
        return found
    return Fault(_FIRST_AT_CELL[found.code], {**found.params, "first": f"{where[0]}!{where[1]}"})


def _workbook_records(
    data: bytes, builder: _Builder, places: dict[int, tuple[str, int]]
) -> list[_Record]:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (data validation, extensions)
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # a damaged or foreign file can fail anywhere inside openpyxl
        builder.problem("org.xlsx.not_a_workbook", None)
        return []
    records: list[_Record] = []
    for layout in LAYOUTS:
        sheets = [s for s in workbook.worksheets if _normal(s.title) in _sheet_names(layout)]
        if len(sheets) != 1:
            builder.problem(
                "org.xlsx.several_sheets" if sheets else "org.xlsx.no_sheet",
                None,
                count=len(sheets),
                zh=layout.zh,
                en=layout.en,
                departments=DEPARTMENTS.title,
                users=USERS.title,
            )
            continue
        records += _SheetReader(sheets[0], layout, builder, places).records()
    return records


def _sheet_names(layout: SheetLayout) -> set[str]:
    return _titles(layout.zh, layout.en)


def _titles(zh: str, en: str) -> set[str]:
    zh, en = _normal(zh), _normal(en)
    return {zh, en, zh + en, en + zh}


def _normal(title: object) -> str:
    """A title without case, spaces or punctuation: '名称 / Name' → '名称name'."""
    return re.sub(r"[\W_]+", "", str(title or "")).lower()


class _SheetReader:
    """Turns one sheet's rows into records, reporting layout problems to the builder."""

    def __init__(
        self,
        sheet: Worksheet,
        layout: SheetLayout,
        builder: _Builder,
        places: dict[int, tuple[str, int]],
    ) -> None:
        self.sheet = sheet
        self.layout = layout
        self.builder = builder
        self.places = places
        self.offset = _USER_LINES if layout.kind == "user" else 0

    def problem(self, row: int, code: str, /, **params: Any) -> None:
        self.builder.problem(code, self.line(row), **params)

    def line(self, row: int) -> int:
        line = row + self.offset
        self.places[line] = (self.sheet.title, row)
        return line

    def records(self) -> list[_Record]:
        rows = self.sheet.iter_rows()
        keys = self.header(next(rows, ()))
        if keys is None:
            return []
        records: list[_Record] = []
        for cells in rows:
            if any(not _empty(cell.value) for cell in cells):
                record = self.record(cells, keys)
                if record is not None:
                    records.append(record)
        return records

    def header(self, cells: Sequence[Any]) -> list[str | None] | None:
        """The key of every column (None for a column without title), or None if unusable."""
        by_title = {
            title: column.key
            for column in self.layout.columns
            for title in _titles(column.zh, column.en) | {_normal(column.key)}
        }
        keys: list[str | None] = []
        unknown: list[str] = []
        for cell in cells:
            title = _normal(cell.value)
            keys.append(by_title.get(title) if title else None)
            if title and title not in by_title:
                unknown.append(str(cell.value).strip())
        doubled = sorted({k for k in keys if k is not None and keys.count(k) > 1})
        missing = [self._title(k) for k in self.layout.required if k not in keys]
        allowed = ", ".join(column.title for column in self.layout.columns)
        if missing:
            self.problem(1, "org.xlsx.missing_columns", missing=str(missing), columns=allowed)
        if unknown:
            self.problem(1, "org.xlsx.unknown_columns", unknown=str(unknown), columns=allowed)
        if doubled:
            titles = [self._title(k) for k in doubled]
            self.problem(1, "org.xlsx.doubled_columns", columns=str(titles))
        return None if missing or unknown or doubled else keys

    def _title(self, key: str) -> str:
        return next(c.title for c in self.layout.columns if c.key == key)

    def record(self, cells: Sequence[Any], keys: list[str | None]) -> _Record | None:
        row = int(cells[0].row)
        given: dict[str, object] = {}
        bad = False
        for index, cell in enumerate(cells):
            key = keys[index] if index < len(keys) else None
            if _empty(cell.value):
                continue
            if cell.data_type in ("f", "e"):
                code = "org.xlsx.formula" if cell.data_type == "f" else "org.xlsx.error_value"
                self.problem(row, code, cell=cell.coordinate, value=str(cell.value))
                bad = True
            elif key is None:
                self.problem(row, "org.xlsx.untitled_column", cell=cell.coordinate)
                bad = True
            else:
                given[key] = _value(cell.value, key)
        if bad:
            return None
        identity = "code" if self.layout.kind == "department" else "login"
        values = {k: v for k, v in given.items() if k not in ("name_zh", "name_en")}
        values[identity] = given.get(identity, "")
        values["name"] = {"zh": given.get("name_zh", ""), "en": given.get("name_en", "")}
        return _Record(self.layout.kind, values, self.line(row))


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(value: object, key: str) -> object:
    """A cell's value as the builder wants it: text, except a true/false in ``active``."""
    if isinstance(value, bool):
        return value if key == "active" else str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a login typed as 10023 comes back as 10023.0 from some tools
    if isinstance(value, str):
        return value.strip()
    return str(value)
