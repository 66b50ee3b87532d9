"""Template 1 (多部门协同任务需求表) as a sheet: one row is the initiation form of one
instance (TPL-1). Pure: cells in, a form out (problems by row and column), and back.

The manual's row, which reads in and writes out to the same cells::

    新产品A上市推进 | 市场部 | 研发部、生产部、销售部 | 3个月内完成产品上市 |
    3.15前研发输出方案(研发部负责人)4.1前生产确认产能(生产部负责人)
    4.20前销售培训完成(销售部负责人) (one cell) |
    研发方案、生产产能表、销售培训记录 | 高 | 需同步制定推广物料清单

Key nodes are ``M.D前NAME(OWNER)`` one after another (a year ``2024.3.15前`` when it is not
the year the form is read in); an owner is a department (``研发部负责人`` or ``研发部``) or a
person (name or login). Lists are separated by ``、`` (also ``,``, ``;`` or new lines).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from oaflow.domain.definition import FormField
from oaflow.domain.forms import STANDARD_FIELDS, check_values, from_form_text
from oaflow.domain.template_names import Directory
from oaflow.domain.template_sheets import Column, Found, cell

COLUMNS = (
    Column("title", "任务名称", "Task name"),
    Column("department", "发起部门", "Initiating department"),
    Column("collaborating_departments", "协同部门", "Collaborating departments"),
    Column("goal", "任务目标", "Goal"),
    Column("key_nodes", "关键节点(时间/负责人)", "Key nodes (date/owner)", ("关键节点",)),
    Column("deliverables", "交付物", "Deliverables"),
    Column("priority", "优先级", "Priority"),
    Column("remarks", "备注", "Remarks"),
)
REQUIRED = ("title",)
EXAMPLE = (
    "新产品A上市推进",
    "市场部",
    "研发部、生产部、销售部",
    "3个月内完成产品上市",
    "3.15前研发输出方案(研发部负责人)4.1前生产确认产能(生产部负责人)4.20前销售培训完成(销售部负责人)",
    "研发方案、生产产能表、销售培训记录",
    "高",
    "需同步制定推广物料清单",
)
PRIORITIES = {"高": "high", "中": "normal", "普通": "normal", "低": "low"}
PRIORITY_WORDS = {
    "zh": {"high": "高", "normal": "中", "low": "低"},
    "en": {"high": "high", "normal": "normal", "low": "low"},
}
_SPLIT = re.compile(r"[、,，;；\n]+")
_KEY_NODE = re.compile(
    r"\s*(?:(\d{4})[.\-/年])?(\d{1,2})[.\-/月](\d{1,2})日?\s*(?:前|by)\s*"
    r"([^()（）]+?)\s*[(（]([^()（）]+)[)）][\s、,，;；]*"
)
_OWNER_SUFFIXES = ("负责人", " head", "head")


def columns_for(own: Sequence[FormField]) -> tuple[Column, ...]:
    """The template's columns and the process's own form fields (by their labels)."""
    return (
        *COLUMNS,
        *(Column(f.name, f.label.zh or f.name, f.label.en or f.name) for f in own),
    )


def read_row(
    row: Sequence[str],
    keys: Mapping[str, int],
    own: Sequence[FormField],
    names: Directory,
    year: int,
    place: tuple[str, int],
    found: Found,
) -> dict[str, Any]:
    """The initiation form of one row; problems go to ``found`` at their column."""
    sheet, number = place
    titles = {c.key: c.zh for c in columns_for(own)}

    def problem(code: str, key: str, /, **params: Any) -> None:
        found.at(sheet, number, titles[key], code, **params)

    form: dict[str, Any] = {}
    text = {k: cell(row, keys, k) for k in keys}
    for key, value in text.items():
        if value:
            form[key] = value
    if text.get("department"):
        form["department"] = _department(text["department"], names, "department", problem)
    if text.get("collaborating_departments"):
        form["collaborating_departments"] = [
            _department(part, names, "collaborating_departments", problem)
            for part in _parts(text["collaborating_departments"])
        ]
    if text.get("deliverables"):
        form["deliverables"] = _parts(text["deliverables"])
    if text.get("priority"):
        form["priority"] = _priority(text["priority"], problem)
    if text.get("key_nodes"):
        form["key_nodes"] = _key_nodes(text["key_nodes"], names, year, problem)
    for field in own:
        if text.get(field.name):
            form[field.name] = from_form_text(field, [text[field.name]])
    for fault_ in check_values([*STANDARD_FIELDS, *own], form):
        name = str(fault_.params.get("field", "title"))
        found.at(sheet, number, titles.get(name, name), fault_.code, **fault_.params)
    return form


def _parts(text: str) -> list[str]:
    return [p.strip() for p in _SPLIT.split(text) if p.strip()]


def _department(text: str, names: Directory, key: str, problem: Any) -> str:
    code = names.department(text)
    if code is None:
        problem("tpl.department.unknown", key, name=text)
        return text
    return code


def _priority(text: str, problem: Any) -> str:
    value = PRIORITIES.get(text, text.lower())
    if value not in ("high", "normal", "low"):
        problem("tpl.priority.unknown", "priority", value=text)
    return value


def _key_nodes(text: str, names: Directory, year: int, problem: Any) -> list[dict[str, str]]:
    nodes: list[dict[str, str]] = []
    at = 0
    while at < len(text):
        match = _KEY_NODE.match(text, at)
        if match is None:
            problem("tpl.key_node.unreadable", "key_nodes", text=text[at : at + 30])
            break
        given_year, month, day, name, owner = match.groups()
        try:
            when = date(int(given_year or year), int(month), int(day))
        except ValueError:
            problem("tpl.key_node.bad_date", "key_nodes", text=match.group(0).strip())
            when = date(year, 1, 1)
        nodes.append(
            {"name": name.strip(), "date": when.isoformat(), "owner": _owner(owner, names, problem)}
        )
        at = match.end()
    return nodes


def _owner(text: str, names: Directory, problem: Any) -> str:
    """``研发部负责人`` → rnd; ``张伟`` → zhang.wei."""
    bare = text.strip()
    for suffix in _OWNER_SUFFIXES:
        if bare.endswith(suffix) and names.department(bare[: -len(suffix)].strip()):
            return names.department(bare[: -len(suffix)].strip()) or bare
    code = names.department(bare)
    if code is not None:
        return code
    people = names.people(bare)
    if len(people) == 1:
        return people[0]
    if people:
        problem("tpl.owner.ambiguous", "key_nodes", name=bare, count=len(people))
    else:
        problem("tpl.owner.unknown", "key_nodes", name=bare)
    return bare


# --- writing -------------------------------------------------------------------------------


def row_of(
    data: Mapping[str, Any], own: Sequence[FormField], names: Directory, lang: str, year: int
) -> tuple[str, ...]:
    """The cells of a form (an instance's data), in the order of ``columns_for(own)``."""
    sep = "、" if lang == "zh" else ", "
    cells = [
        str(data.get("title") or ""),
        _dept_name(data.get("department"), names, lang),
        sep.join(_dept_name(c, names, lang) for c in data.get("collaborating_departments") or ()),
        str(data.get("goal") or ""),
        "".join(_key_node_text(k, names, lang, year) for k in data.get("key_nodes") or ()),
        sep.join(str(d) for d in data.get("deliverables") or ()),
        PRIORITY_WORDS[lang].get(str(data.get("priority") or ""), str(data.get("priority") or "")),
        str(data.get("remarks") or ""),
    ]
    cells += [_own_text(data.get(f.name), sep) for f in own]
    return tuple(cells)


def _dept_name(code: object, names: Directory, lang: str) -> str:
    return names.department_name(str(code), lang) if code else ""


def _own_text(value: object, sep: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, list | tuple):
        return sep.join(str(v) for v in value)
    return str(value)


def _key_node_text(item: object, names: Directory, lang: str, year: int) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    day = str(item.get("date") or "")
    try:
        when = date.fromisoformat(day[:10])
        shown = (
            f"{when.month}.{when.day}"
            if when.year == year
            else f"{when.year}.{when.month}.{when.day}"
        )
    except ValueError:
        shown = day
    owner = str(item.get("owner") or "")
    if owner in names.org.departments:
        head = "负责人" if lang == "zh" else " head"
        owner = names.department_name(owner, lang) + head
    elif owner in names.org.users:
        owner = names.person_name(owner, lang)
    return f"{shown}前{item.get('name', '')}({owner})"
