"""Template 2 (流程节点配置表) imported as a process definition (TPL-2, DEF-1): the rows
become the YAML text of a definition, which is then validated and published like any other.

- One row per node. ``节点编号`` 001 becomes node ``n001``; the flow comes from the
  ``系统触发条件``: ``手动发起`` is the process's first step, right after the implied start node
  ``start`` (``手动触发``: the same, waiting until its owner starts it, ``trigger:
  manual``); ``001节点完成后自动触发``
  follows node 001, and ``002节点通过后自动触发`` follows node 002 once it is approved. A row
  no other row follows leads to the end.
- The node type comes from the optional ``节点类型`` column (审批 确认 处理 反馈 里程碑);
  without it a node is an approval (审批) when another row follows it ``通过后`` or its
  outputs name an approval result (审批结果, 通过/驳回), otherwise a handle step (处理).
- ``负责部门/人``: 发起部门 or 发起人 (the initiator), 发起部门负责人 (its head), 分管领导
  (the initiating department's),
  ``研发部负责人``, ``研发部接口人``, ``研发部`` (any member), ``研发部分管领导``, 总经理, or a
  person by name or login.
- ``输入要求`` / ``输出要求`` are lists (``、``); an output is a text field to fill in (``*``
  after it: required) or a file with ``文件:`` before it (a deliverable).
- The process (key, names, initiating departments, business-key pattern) comes from the
  sheet ``流程信息`` (two columns: item, value) and/or the caller's options.

Every problem is reported at once with its sheet, row and column; nothing is returned then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from oaflow.domain.definition import NodeType
from oaflow.domain.template2_words import (
    COLUMNS,
    IMPORTABLE,
    INITIATING_DEPARTMENT,
    INITIATING_HEAD,
    INITIATOR,
    LEADER,
    NODES_SHEET,
    PROCESS_ITEMS,
    PROCESS_SHEET,
    REQUIRED,
    ROLES,
    node_id,
    node_type,
    parse_trigger,
)
from oaflow.domain.template_names import Directory
from oaflow.domain.template_sheets import Found, Table, cell, column_keys, normal_title

DEFAULT_BUSINESS_KEY = "LC{yyyy}{MM}{seq:03}"
_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_APPROVAL_OUTPUT = re.compile(r"审批结果|通过/驳回|approval result")


@dataclass
class Row:
    number: int
    id: str
    name: str
    owner: Any
    inputs: list[str]
    outputs: list[str]
    hours: float
    after: list[str]
    approved: bool
    manual: bool
    kind: NodeType | None
    readable: bool = True  # its trigger could be read (the flow checks skip it otherwise)


def sheet_to_yaml(
    tables: Sequence[Table], options: Mapping[str, str], names: Directory, found: Found
) -> str:
    """The definition's YAML text; every problem of the sheets goes to ``found``."""
    nodes_table = _nodes_table(tables, found)
    process = _process(tables, options, names, found)
    if nodes_table is None:
        return ""
    keys = column_keys(nodes_table, COLUMNS, REQUIRED, found)
    if keys is None:
        return ""
    rows = _rows(nodes_table, keys, names, found)
    _check_flow(nodes_table.title, rows, found)
    if found.problems:
        return ""
    return _yaml(process, rows)


def _nodes_table(tables: Sequence[Table], found: Found) -> Table | None:
    process = {normal_title(t) for t in PROCESS_SHEET}
    named = [t for t in tables if normal_title(t.title) in {normal_title(n) for n in NODES_SHEET}]
    others = [t for t in tables if normal_title(t.title) not in process]
    chosen = named or others[:1]
    if not chosen:
        found.at(NODES_SHEET[0], 0, "", "tpl2.no_nodes_sheet")
        return None
    return chosen[0]


def _process(
    tables: Sequence[Table], options: Mapping[str, str], names: Directory, found: Found
) -> dict[str, Any]:
    given: dict[str, tuple[str, int]] = {}
    sheet = PROCESS_SHEET[0]
    for table in tables:
        if normal_title(table.title) in {normal_title(t) for t in PROCESS_SHEET}:
            sheet = table.title
            given.update(_items(table, found))
    for key, value in options.items():
        if value:
            given[key] = (value, 0)
    out: dict[str, Any] = {}
    titles = {c.key: c.zh for c in PROCESS_ITEMS}
    for key in ("key", "name"):
        if not given.get(key, ("", 0))[0]:
            found.at(sheet, 0, titles[key], "tpl2.process.missing", item=titles[key])
    key, row = given.get("key", ("", 0))
    if key and not _KEY.fullmatch(key):
        found.at(sheet, row, titles["key"], "tpl2.process.bad_key", key=key)
    out["key"] = key
    name_zh, name_en = given.get("name", ("", 0))[0], given.get("name_en", ("", 0))[0]
    out["name"] = {"zh": name_zh, "en": name_en} if name_en else name_zh
    out["business_key"] = given.get("business_key", (DEFAULT_BUSINESS_KEY, 0))[0]
    initiators, row = given.get("initiators", ("", 0))
    codes = []
    for part in (p.strip() for p in re.split(r"[、,，;；]", initiators) if p.strip()):
        code = names.department(part)
        if code is None:
            found.at(sheet, row, titles["initiators"], "tpl.department.unknown", name=part)
        codes.append(code or part)
    if codes:
        out["initiators"] = codes
    return out


def _items(table: Table, found: Found) -> dict[str, tuple[str, int]]:
    """The process sheet: item titles in its first column, values in its second (its
    header row may be an item too)."""
    by_title = {}
    for column in PROCESS_ITEMS:
        for title in (column.zh, column.en, column.key):
            by_title[normal_title(title)] = column.key
    out: dict[str, tuple[str, int]] = {}
    for number, cells in ((1, table.header), *table.rows):
        if len(cells) < 2 or not cells[0]:
            continue
        key = by_title.get(normal_title(cells[0]))
        if key is not None:
            out[key] = (str(cells[1]).strip(), number)
        elif number > 1:
            found.at(table.title, number, cells[0], "tpl2.process.unknown_item", item=cells[0])
    return out


def _rows(table: Table, keys: Mapping[str, int], names: Directory, found: Found) -> list[Row]:
    rows: list[Row] = []
    first_at: dict[str, int] = {}
    titles = {c.key: c.zh for c in COLUMNS}
    for number, cells in table.rows:

        def problem(code: str, key: str, /, **params: Any) -> None:
            found.at(table.title, number, titles[key], code, **params)  # noqa: B023

        text = {k: cell(cells, keys, k) for k in keys}
        row = _row(number, text, names, problem)
        if row.id in first_at:
            problem(
                "tpl2.number.duplicate", "number", number=text["number"], first=first_at[row.id]
            )
        elif row.id:
            first_at[row.id] = number
        rows.append(row)
    return rows


def _row(number: int, text: Mapping[str, str], names: Directory, problem: Any) -> Row:
    code = text.get("number", "")
    if not code:
        problem("tpl2.cell.empty", "number")
    elif not _ID.fullmatch(code):
        problem("tpl2.number.bad", "number", number=code)
    if not text.get("name"):
        problem("tpl2.cell.empty", "name")
    trigger = parse_trigger(text.get("trigger", ""))
    if trigger is None:
        problem("tpl2.trigger.unknown", "trigger", text=text.get("trigger", ""))
    kind = None
    if text.get("type"):
        kind = node_type(text["type"])
        if kind is None:
            problem("tpl2.type.unknown", "type", word=text["type"])
        elif kind not in IMPORTABLE:
            problem("tpl2.type.not_importable", "type", word=text["type"])
    return Row(
        number=number,
        id=node_id(code) if code else "",
        name=text.get("name", ""),
        owner=_owner(text.get("owner", ""), names, problem),
        inputs=_list(text.get("inputs", "")),
        outputs=_list(text.get("outputs", "")),
        hours=_hours(text.get("hours", ""), problem),
        after=[node_id(n) for n in trigger[0]] if trigger else [],
        approved=bool(trigger and trigger[1]),
        manual=bool(trigger and trigger[2]),
        kind=kind,
        readable=trigger is not None,
    )


def _list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[、;；\n]+", text) if p.strip()]


def _hours(text: str, problem: Any) -> float:
    if not text:
        problem("tpl2.hours.missing", "hours")
        return 0.0
    try:
        hours = float(text.replace("小时", "").replace("h", "").strip())
    except ValueError:
        problem("tpl2.hours.bad", "hours", value=text)
        return 0.0
    if not 0 < hours <= 8760:
        problem("tpl2.hours.bad", "hours", value=text)
    return hours


def _owner(text: str, names: Directory, problem: Any) -> Any:
    """The assignee of a ``负责部门/人`` cell (see the module's text)."""
    plain = text.strip()
    if not plain:
        problem("tpl2.cell.empty", "owner")
        return None
    lower = plain.lower()
    if lower in INITIATOR or lower in INITIATING_DEPARTMENT:
        return "initiator"
    if lower in INITIATING_HEAD:
        return {"head_of": "initiator"}
    if lower in LEADER or lower == "发起部门分管领导":
        return {"leader_of": "initiator"}
    for role, words in ROLES.items():
        if lower in words:
            return {"role": role}
    found = _department_owner(plain, names)
    if found is not None:
        return found
    people = names.people(plain)
    if len(people) == 1:
        return {"user": people[0]}
    if people:
        problem("tpl2.owner.ambiguous", "owner", name=plain, count=len(people))
    else:
        problem("tpl2.owner.unknown", "owner", name=plain)
    return None


def _department_owner(text: str, names: Directory) -> Any:
    suffixes = (
        ("分管领导", "leader"),
        (" supervising leader", "leader"),
        ("负责人", "head"),
        (" head", "head"),
        ("接口人", "interface"),
        (" interface", "interface"),
        ("", "members"),
    )
    for suffix, what in suffixes:
        if suffix and not text.endswith(suffix):
            continue
        code = names.department(text[: len(text) - len(suffix)].strip())
        if code is None:
            continue
        if what == "leader":
            return {"leader_of": code}
        if what == "head":
            return {"department": code}
        return {"department": code, "pick": what}
    return None


def _check_flow(sheet: str, rows: list[Row], found: Found) -> None:
    """One first step, every trigger naming a known node once, every node reached."""
    by_id = {r.id: r for r in rows if r.id}
    title = next(c.zh for c in COLUMNS if c.key == "trigger")
    rows = [r for r in rows if r.readable]
    firsts = [r for r in rows if not r.after]
    if not firsts and rows:
        found.at(sheet, rows[0].number, title, "tpl2.flow.no_first")
    for extra in firsts[1:]:
        found.at(sheet, extra.number, title, "tpl2.flow.two_firsts", first=firsts[0].number)
    followed: dict[str, int] = {}
    for row in rows:
        _check_after(sheet, title, row, by_id, followed, found)
    _check_reached(sheet, title, rows, by_id, found)


def _check_after(
    sheet: str,
    title: str,
    row: Row,
    by_id: Mapping[str, Row],
    followed: dict[str, int],
    found: Found,
) -> None:
    if len(row.after) > 1:
        found.at(sheet, row.number, title, "tpl2.flow.several_before", count=len(row.after))
        return
    for before in row.after:
        number = before[1:] if before.startswith("n") else before
        if before not in by_id:
            found.at(sheet, row.number, title, "tpl2.flow.unknown_node", number=number)
        elif before == row.id:
            found.at(sheet, row.number, title, "tpl2.flow.itself", number=number)
        elif before in followed:
            found.at(
                sheet, row.number, title, "tpl2.flow.branch", number=number, first=followed[before]
            )
        else:
            followed[before] = row.number
            kind = by_id[before].kind
            if (
                row.approved
                and kind is not None
                and kind not in (NodeType.APPROVAL, NodeType.CONFIRM)
            ):
                found.at(sheet, row.number, title, "tpl2.flow.not_a_decision", number=number)


def _check_reached(
    sheet: str, title: str, rows: list[Row], by_id: Mapping[str, Row], found: Found
) -> None:
    firsts = [r.id for r in rows if not r.after]
    reached = set(firsts[:1])
    grew = True
    while grew:
        grew = False
        for row in rows:
            if row.id not in reached and row.after and row.after[0] in reached:
                reached.add(row.id)
                grew = True
    for row in rows:
        if row.id and row.id not in reached and row.after and all(a in by_id for a in row.after):
            found.at(sheet, row.number, title, "tpl2.flow.unreached")


def inferred_type(row_id: str, outputs: Sequence[str], approved_after: set[str]) -> NodeType:
    """Without a 节点类型: an approval if a row follows it 通过后 or its outputs name an
    approval result; a handle step otherwise."""
    if row_id in approved_after or any(_APPROVAL_OUTPUT.search(o) for o in outputs):
        return NodeType.APPROVAL
    return NodeType.HANDLE


def _yaml(process: Mapping[str, Any], rows: list[Row]) -> str:
    approved_after = {r.after[0] for r in rows if r.after and r.approved}
    next_of = {r.after[0]: r.id for r in rows if r.after}
    first = next(r.id for r in rows if not r.after)
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "initiate", "name": {"zh": "发起", "en": "Start"}, "next": first}
    ]
    for row in rows:
        kind = row.kind or inferred_type(row.id, row.outputs, approved_after)
        node: dict[str, Any] = {"id": row.id, "type": kind.value, "name": row.name}
        node["assignee"] = row.owner
        node["time_limit"] = {"hours": int(row.hours) if row.hours.is_integer() else row.hours}
        if row.manual:
            node["trigger"] = "manual"
        if row.inputs:
            node["inputs"] = row.inputs
        outputs = _outputs(row.id, row.outputs)
        if outputs:
            node["outputs"] = outputs
        node["next"] = next_of.get(row.id, "end")
        nodes.append(node)
    nodes.append({"id": "end", "type": "end", "name": {"zh": "结束", "en": "End"}})
    document = {**process, "nodes": nodes}
    head = "# 由模板2《流程节点配置表》生成 (generated from Template 2)\n"
    return head + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def _outputs(node: str, items: Sequence[str]) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    files: list[str] = []
    for item in items:
        match = re.match(r"^(?:文件|file)\s*[:：]\s*(.+)$", item, re.IGNORECASE)
        if match:
            files.append(match.group(1).strip())
            continue
        required = item.endswith("*")
        label = item.rstrip("*").strip()
        field: dict[str, Any] = {"name": f"{node}_{len(fields) + 1}", "type": "text"}
        if required:
            field["required"] = True
        field["label"] = {"zh": label, "en": label}
        fields.append(field)
    out: dict[str, Any] = {}
    if fields:
        out["fields"] = fields
    if files:
        out["deliverables"] = files
    return out
