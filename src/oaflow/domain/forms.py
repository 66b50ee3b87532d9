"""Checking start-form and task-output values against ``FormField``s (RUN-1, RUN-4).

Strict on types, as values come from JSON, the CLI or the web: ``true`` is not a number,
``"3"`` is not an integer, dates are ISO texts (``2024-03-01``; date-times
``2024-03-01T09:30`` with an optional offset).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from oaflow.domain.definition import FormField
from oaflow.domain.errors import Fault, fault
from oaflow.domain.text import Text

#: Template 1 (多部门协同任务需求表): taken by every process, whatever its own form says
STANDARD_FIELDS: tuple[FormField, ...] = (
    FormField("title", "string", Text("任务名称", "Title"), required=True),
    FormField("goal", "text", Text("目标", "Goal")),
    FormField("department", "department", Text("发起部门", "Initiating department")),
    FormField(
        "collaborating_departments", "departments", Text("协同部门", "Collaborating departments")
    ),
    FormField("key_nodes", "list", Text("关键节点", "Key nodes (name, date, owner)")),
    FormField("deliverables", "list", Text("交付物", "Deliverables")),
    FormField("priority", "enum", Text("优先级", "Priority"), values=("high", "normal", "low")),
    FormField("remarks", "text", Text("备注", "Remarks")),
)
#: names every expression may use besides form fields and task outputs
CONTEXT_NAMES = frozenset({"initiator", "department", "priority"})

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def check_values(fields: Sequence[FormField], data: Mapping[str, object]) -> list[Fault]:
    """Every problem of ``data`` against ``fields``, each naming the field.

    Names in ``data`` that are not among ``fields`` are not reported (the caller knows
    which other names it accepts).
    """
    problems: list[Fault] = []
    for field in fields:
        value = data.get(field.name)
        if _is_empty(value):
            if field.required:
                problems.append(fault("form.value.missing", field=field.name, label=_label(field)))
            continue
        problem = _type_problem(field, value)
        if problem is not None:
            problems.append(problem)
    return problems


def _is_empty(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | tuple) and not value)


def _label(field: FormField) -> Text | str:
    return field.label if field.label.zh else field.name


def _type_problem(field: FormField, value: object) -> Fault | None:
    """None when ``value`` suits ``field``; otherwise what it must be."""
    if field.type == "enum":
        if isinstance(value, str) and value in field.values:
            return None
        return fault(
            "form.value.not_allowed",
            field=field.name,
            values=", ".join(field.values),
            value=_show(value),
        )
    check, expected = _CHECKS[field.type]
    if check(value):
        return None
    return fault(
        "form.value.wrong_type", field=field.name, expected=fault(expected), value=_show(value)
    )


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_date(value: object) -> bool:
    return (
        isinstance(value, str) and bool(_DATE.match(value)) and _parses(date.fromisoformat, value)
    )


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str) or not _DATETIME.match(value):
        return False
    return _parses(datetime.fromisoformat, value)


def _parses(parse: Callable[[str], object], value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _is_code(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not any(c.isspace() for c in value)


def _is_codes(value: object) -> bool:
    return isinstance(value, list | tuple) and all(_is_code(v) for v in value)


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple)


_CHECKS: dict[str, tuple[Callable[[object], bool], str]] = {
    "string": (_is_text, "form.expected.text"),
    "text": (_is_text, "form.expected.text"),
    "number": (_is_number, "form.expected.number"),
    "integer": (_is_integer, "form.expected.integer"),
    "boolean": (_is_bool, "form.expected.boolean"),
    "date": (_is_date, "form.expected.date"),
    "datetime": (_is_datetime, "form.expected.datetime"),
    "department": (_is_code, "form.expected.department"),
    "departments": (_is_codes, "form.expected.departments"),
    "user": (_is_code, "form.expected.user"),
    "list": (_is_list, "form.expected.list"),
}


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def from_form_text(field: FormField, sent: Sequence[str]) -> object:
    """What an HTML form sent for ``field`` (its values as texts) as the value the field
    takes: numbers and integers parsed, a checkbox as a boolean, several departments as a
    list, a list field one item per line (the key nodes of Template 1 as ``name, date,
    owner``). A text that does not parse stays a text, so that ``check_values`` names the
    field and what it must be; nothing sent is None."""
    texts = [s.strip() for s in sent if s.strip()]
    if field.type == "departments":
        return texts or None
    if field.type == "boolean":
        return bool(texts) and texts[-1].lower() in ("true", "on", "1", "yes")
    if not texts:
        return None
    text = texts[-1]
    if field.type in ("number", "integer"):
        return _number(text, integer=field.type == "integer")
    if field.type == "datetime":
        return text.replace(" ", "T", 1)
    if field.type == "list":
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return [_key_node(line) for line in lines] if field.name == "key_nodes" else lines
    return text


def _number(text: str, integer: bool) -> object:
    cleaned = text.replace(",", "").replace("，", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    if integer:
        return text
    try:
        value = float(cleaned)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _key_node(line: str) -> object:
    """``需求确认完成, 2024-03-15, mkt`` → a key node of Template 1."""
    parts = [p.strip() for p in re.split(r"[,，]", line)]
    if len(parts) != 3:
        return line
    name, day, owner = parts
    return {"name": name, "date": day, "owner": owner}
