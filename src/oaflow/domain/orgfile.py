"""Organisation files (ORG-2): YAML and CSV, text in and text out (no file I/O).

Both formats become the same records — one mapping per department or user, with the line
it starts on — and one builder turns records into an ``Organisation``, collecting every
problem before it raises a single ``ValidationError``. The formats are described in
docs/organisation.md.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from oaflow.domain.errors import Fault, Problem, ValidationError, fault, problem
from oaflow.domain.org import (
    CODE_PATTERN,
    LOGIN_PATTERN,
    ROLES,
    Department,
    Organisation,
    User,
    organisation_problems,
)
from oaflow.domain.text import Text
from oaflow.domain.yaml_lines import BoundedLoader, yaml_fault, yaml_line

Kind = Literal["department", "user"]

DEPARTMENT_KEYS = ("code", "name", "parent", "head", "interfaces", "leader")
USER_KEYS = ("login", "name", "email", "departments", "roles", "active")
CSV_COLUMNS = (
    "type",
    "id",
    "name_zh",
    "name_en",
    "parent",
    "head",
    "interfaces",
    "leader",
    "email",
    "departments",
    "roles",
    "active",
)
_CSV_APPLIES: dict[str, frozenset[str]] = {
    "department": frozenset({"parent", "head", "interfaces", "leader"}),
    "user": frozenset({"email", "departments", "roles", "active"}),
}
_TRUE = frozenset({"true", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "no", "n", "0", "否"})
_KINDS: dict[str, Fault] = {
    "department": fault("org.kind.department"),
    "user": fault("org.kind.user"),
}
#: kind -> the code of a duplicate (without, with the line of the first)
_DUPLICATE = {
    "department": ("org.department.duplicate", "org.department.duplicate_at"),
    "user": ("org.user.duplicate", "org.user.duplicate_at"),
}
_PLACE = {"department": "org.place.department", "user": "org.place.user"}
_ALLOWED = {
    "code": fault("org.hint.code_pattern"),
    "login": fault("org.hint.login_pattern"),
}


@dataclass
class _Record:
    kind: Kind
    values: Mapping[str, object]
    line: int | None


@dataclass
class _Builder:
    """Turns records into departments and users, noting every problem on the way."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    lines: dict[tuple[str, str], int | None] = field(default_factory=dict)

    def problem(self, code: str, line: int | None, /, **params: Any) -> None:
        self.problems.append(problem(code, self.file, line, **params))

    def build(self, records: Iterable[_Record]) -> Organisation:
        for record in records:
            if record.kind == "department":
                self._add_department(record)
            else:
                self._add_user(record)
        org = Organisation(departments=self.departments, users=self.users)
        self.problems += organisation_problems(
            org, self.file, lambda kind, name: self.lines.get((kind, name))
        )
        if self.problems:
            raise ValidationError(problems=self.problems)
        return org

    def _add_department(self, record: _Record) -> None:
        cells = _Cells(self, record, "department")
        code = cells.identify("code", CODE_PATTERN)
        department = Department(
            code=code,
            name=cells.name(),
            parent=cells.single("parent"),
            head=cells.single("head"),
            interfaces=cells.many("interfaces"),
            leader=cells.single("leader"),
        )
        if code and self._is_new("department", code, record.line):
            self.departments[code] = department

    def _add_user(self, record: _Record) -> None:
        cells = _Cells(self, record, "user")
        login = cells.identify("login", LOGIN_PATTERN)
        user = User(
            login=login,
            name=cells.name(),
            email=cells.email(),
            departments=cells.many("departments"),
            roles=cells.roles(),
            active=cells.flag("active"),
        )
        if login and self._is_new("user", login, record.line):
            self.users[login] = user

    def _is_new(self, kind: Kind, name: str, line: int | None) -> bool:
        if (kind, name) not in self.lines:
            self.lines[(kind, name)] = line
            return True
        first = self.lines[(kind, name)]
        self.problem(_DUPLICATE[kind][bool(first)], line, name=repr(name), first=first)
        return False


class _Cells:
    """Reads one record's values, reporting malformed ones to the builder."""

    def __init__(self, builder: _Builder, record: _Record, kind: Kind) -> None:
        self.builder = builder
        self.values = record.values
        self.line = record.line
        self.kind = kind
        self.where: Fault = _KINDS[kind]

    def bad(self, code: str, /, **params: Any) -> None:
        self.builder.problem(code, self.line, where=self.where, **params)

    def identify(self, key: str, pattern: re.Pattern[str]) -> str:
        """Read the code or login, name the record by it, then report unknown keys."""
        value = self.single(key) or ""
        if not value and isinstance(self.values.get(key) or "", str):
            self.bad("org.value.missing", key=key, kind=_KINDS[self.kind])
        elif value and not pattern.fullmatch(value):
            self.bad("org.value.invalid", key=key, value=repr(value), allowed=_ALLOWED[key])
        elif value:
            self.where = fault(_PLACE[self.kind], **{key: value})
        allowed_keys = DEPARTMENT_KEYS if key == "code" else USER_KEYS
        for unknown in sorted(set(self.values) - set(allowed_keys)):
            self.bad("org.key.unknown", key=repr(unknown), keys=", ".join(allowed_keys))
        return value

    def single(self, key: str) -> str | None:
        value = self.values.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.bad("org.value.not_text", key=key, value=repr(value))
            return None
        return self.clean(key, value).strip() or None

    def clean(self, key: str, text: str) -> str:
        """``text``; a control character such as NUL in it is reported (and left out, so
        that it causes no other problem)."""
        bad = [c for c in text if c not in "\t\n\r" and unicodedata.category(c) == "Cc"]
        if not bad:
            return text
        self.bad("org.value.control_character", key=key, character=f"U+{ord(bad[0]):04X}")
        return "".join(c for c in text if c not in bad)

    def many(self, key: str) -> tuple[str, ...]:
        value = self.values.get(key)
        items: list[object]
        if value is None:
            items = []
        elif isinstance(value, str):
            items = list(_split_list(value))
        elif isinstance(value, list):
            items = value
        else:
            self.bad("org.value.not_list", key=key)
            return ()
        if not all(isinstance(item, str) for item in items):
            self.bad("org.value.not_texts", key=key)
            return ()
        texts = [self.clean(key, s) for s in items if isinstance(s, str)]
        return tuple(s.strip() for s in texts if s.strip())

    def name(self) -> Text:
        value = self.values.get("name")
        if isinstance(value, Mapping) and set(value) <= {"zh", "en"}:
            zh, en = value.get("zh"), value.get("en", "")
        else:
            zh, en = value, ""
        if not isinstance(zh, str) or not zh.strip() or not isinstance(en, str | None):
            self.bad("org.name.bad")
            return Text("")
        return Text(self.clean("name", zh).strip(), self.clean("name", en or "").strip())

    def email(self) -> str:
        value = self.single("email") or ""
        if value and (value.count("@") != 1 or value.startswith("@") or value.endswith("@")):
            self.bad("org.email.bad", email=repr(value))
        return value

    def roles(self) -> frozenset[str]:
        roles = self.many("roles")
        for role in roles:
            if role not in ROLES:
                self.bad("org.role.unknown", role=repr(role), roles=", ".join(sorted(ROLES)))
        return frozenset(r for r in roles if r in ROLES)

    def flag(self, key: str) -> bool:
        value = self.values.get(key, True)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text == "":
            return True
        if text in _FALSE:
            return False
        self.bad("org.value.not_flag", key=key, value=repr(value))
        return True


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("；", ";").split(";") if part.strip()]


# --- YAML -------------------------------------------------------------------------------


def parse_org_yaml(text: str, file: str = "") -> Organisation:
    """Read an organisation YAML file; raise ``ValidationError`` listing every problem."""
    builder = _Builder(file)
    return builder.build(_yaml_records(text, builder))


def _yaml_records(text: str, builder: _Builder) -> list[_Record]:
    try:
        root, data = _yaml_document(text)
    except yaml.YAMLError as exc:
        builder.problems.append(Problem(yaml_fault(exc), builder.file, yaml_line(exc, text)))
        return []
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        builder.problem("org.file.not_mapping", 1)
        return []
    records: list[_Record] = []
    for key_node, value_node in root.value:
        key = key_node.value
        if key not in ("departments", "users"):
            builder.problem("org.file.unknown_key", _line(key_node), key=repr(key))
            continue
        kind: Kind = "department" if key == "departments" else "user"
        records += _yaml_list(kind, data[key], value_node, builder)
    return records


def _yaml_document(text: str) -> tuple[yaml.Node | None, object]:
    """The root node of ``text`` and the data it holds (YAMLError when it is not YAML)."""
    loader = BoundedLoader(text)  # refuses bad characters already
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def _yaml_list(kind: Kind, items: object, node: yaml.Node, builder: _Builder) -> list[_Record]:
    if items is None:
        return []
    if not isinstance(items, list) or not isinstance(node, yaml.SequenceNode):
        builder.problem("org.file.not_list", _line(node), key=f"{kind}s", kind=_KINDS[kind])
        return []
    records: list[_Record] = []
    for item, item_node in zip(items, node.value, strict=True):
        if isinstance(item, dict):
            records.append(_Record(kind, item, _line(item_node)))
        else:
            builder.problem("org.file.item_not_mapping", _line(item_node), kind=_KINDS[kind])
    return records


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def org_to_yaml(org: Organisation) -> str:
    """Write an organisation as YAML that ``parse_org_yaml`` reads back equal."""
    data = {
        "departments": [_department_data(d) for d in org.departments.values()],
        "users": [_user_data(u) for u in org.users.values()],
    }
    body = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000
    )
    return "# OA-Flow organisation (docs/organisation.md)\n" + str(body)


def _name_data(name: Text) -> dict[str, str]:
    return {"zh": name.zh, "en": name.en} if name.en else {"zh": name.zh}


def _department_data(d: Department) -> dict[str, object]:
    data: dict[str, object] = {"code": d.code, "name": _name_data(d.name), "parent": d.parent}
    data.update(head=d.head, interfaces=list(d.interfaces), leader=d.leader)
    return {key: value for key, value in data.items() if value}


def _user_data(u: User) -> dict[str, object]:
    data: dict[str, object] = {"login": u.login, "name": _name_data(u.name), "email": u.email}
    data.update(departments=list(u.departments), roles=sorted(u.roles))
    return {key: value for key, value in data.items() if value} | (
        {} if u.active else {"active": False}
    )


# --- CSV --------------------------------------------------------------------------------


def parse_org_csv(text: str, file: str = "") -> Organisation:
    """Read an organisation CSV file (one row per department or user; a BOM is ignored)."""
    builder = _Builder(file)
    return builder.build(_csv_records(text.removeprefix("\ufeff"), builder))


def _csv_records(text: str, builder: _Builder) -> list[_Record]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [c for c in ("type", "id", "name_zh") if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        columns = ", ".join(CSV_COLUMNS)
        if missing:
            builder.problem("org.csv.missing_columns", 1, missing=str(missing), columns=columns)
        else:
            builder.problem("org.csv.unknown_columns", 1, unknown=str(unknown), columns=columns)
        return []
    records: list[_Record] = []
    line = reader.line_num + 1
    for row in reader:
        if any(cell.strip() for cell in row):
            record = _csv_record(dict(zip(header, row, strict=False)), len(row), header, line)
            if isinstance(record, _Record):
                records.append(record)
            else:
                builder.problems.append(Problem(record, builder.file, line))
        line = reader.line_num + 1
    return records


def _csv_record(cells: dict[str, str], width: int, header: list[str], line: int) -> _Record | Fault:
    kind = cells.get("type", "").strip().lower()
    if kind not in _CSV_APPLIES:
        return fault("org.csv.bad_type", type=repr(kind))
    if width > len(header):
        return fault("org.csv.too_many_cells")
    given = {key: value.strip() for key, value in cells.items() if value.strip()}
    stray = sorted(set(given) - _CSV_APPLIES[kind] - {"type", "id", "name_zh", "name_en"})
    if stray:
        return fault("org.csv.columns_not_for_kind", kind=_KINDS[kind], columns=str(stray))
    values: dict[str, object] = {key: given[key] for key in _CSV_APPLIES[kind] if key in given}
    values["code" if kind == "department" else "login"] = given.get("id", "")
    values["name"] = {"zh": given.get("name_zh", ""), "en": given.get("name_en", "")}
    return _Record("department" if kind == "department" else "user", values, line)


def org_to_csv(org: Organisation) -> str:
    """Write an organisation as CSV (CRLF rows; the caller adds a BOM with utf-8-sig)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for department in org.departments.values():
        writer.writerow(_department_row(department))
    for user in org.users.values():
        writer.writerow(_user_row(user))
    return out.getvalue()


def _department_row(d: Department) -> list[str]:
    row = dict(type="department", id=d.code, name_zh=d.name.zh, name_en=d.name.en)
    row.update(parent=d.parent or "", head=d.head or "", leader=d.leader or "")
    row["interfaces"] = ";".join(d.interfaces)
    return [row.get(column, "") for column in CSV_COLUMNS]


def _user_row(u: User) -> list[str]:
    row = dict(type="user", id=u.login, name_zh=u.name.zh, name_en=u.name.en, email=u.email)
    row.update(departments=";".join(u.departments), roles=";".join(sorted(u.roles)))
    row["active"] = "true" if u.active else "false"
    return [row.get(column, "") for column in CSV_COLUMNS]
