"""Pieces shared by the loader: form fields, assignments, expressions, time limits, triggers."""

from __future__ import annotations

import keyword
import re
from dataclasses import replace
from typing import Any, Literal, cast, get_args

from oaflow.domain.definition import (
    Assignment,
    AssignmentKind,
    FieldType,
    FormField,
    Outputs,
    TimeLimit,
    Trigger,
)
from oaflow.domain.errors import ExpressionError
from oaflow.domain.expressions import Expression, compile_expression
from oaflow.domain.yaml_lines import LineList, LineMap, Reader, show, suggest

Pick = Literal["head", "interface", "members"]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
PICKS = ("head", "interface", "members")
MAX_HOURS = 8760.0  # one year
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = frozenset({"true", "false", "null", "and", "or", "not", "in"})
_FIELD_KEYS = ("name", "type", "label", "required", "sensitive", "values")
#: assignee key -> (kind, Assignment attribute holding the value)
_ASSIGNEE_KEYS: dict[str, tuple[AssignmentKind, str]] = {
    "department": ("department", "department"),
    "head_of": ("head_of", "relative_to"),
    "leader_of": ("leader_of", "relative_to"),
    "role": ("role", "role"),
    "user": ("user", "user"),
    "field": ("field", "field"),
    "decision": ("decision", "table"),
}
ASSIGNEE_EXAMPLE = "`{department: rnd}`, `{head_of: initiator}`, `{user: gm}` or `initiator`"


def is_field_name(name: str) -> bool:
    return bool(_NAME.match(name)) and not keyword.iskeyword(name) and name not in _RESERVED


def compile_in(r: Reader, value: object, what: str, line: int | None) -> Expression | None:
    """Compile an expression once; a bad one becomes a Problem naming the offset."""
    if not isinstance(value, str) or not value.strip():
        r.add(
            f"{what} must be an expression text; got {show(value)}",
            "write it in quotes, e.g. 'amount > 500000'",
            line,
        )
        return None
    try:
        return compile_expression(value)
    except ExpressionError as error:
        at = f" at offset {error.offset}" if error.offset is not None else ""
        r.add(
            f"bad expression in {what}{at}: {error.message} (in {value!r})",
            error.hint("en")
            or "use comparisons, and/or/not, literals, names and the allowed functions",
            line,
        )
        return None


# --- form fields -------------------------------------------------------------------------


def parse_fields(r: Reader, value: object, where: str, line: int | None) -> tuple[FormField, ...]:
    if not isinstance(value, LineList):
        r.add(
            f"{where} must be a list of fields; got {show(value)}",
            "write `- {name: amount, type: number}` for each field",
            line,
        )
        return ()
    fields: list[FormField] = []
    for index, raw in enumerate(value):
        field = parse_field(r, raw, where, value.line_of(index))
        if field is None:
            continue
        if any(f.name == field.name for f in fields):
            r.add(
                f"field `{field.name}` appears twice in {where}", "remove or rename one", field.line
            )
        else:
            fields.append(field)
    return tuple(fields)


def parse_field(r: Reader, raw: object, where: str, line: int | None) -> FormField | None:
    m = r.mapping(raw, f"a field of {where}", line, "`- {name: amount, type: number}`")
    if m is None:
        return None
    name = r.string(m, "name", f"a field of {where}")
    what = f"field `{name}` of {where}" if name else f"a field of {where}"
    r.keys(m, what, _FIELD_KEYS, ("name",))
    if name is None or not _field_name_ok(r, name, what, m.line):
        return None
    field_type = r.choice(m, "type", what, FIELD_TYPES) or "string"
    values = _enum_values(r, m, what, field_type)
    label = r.text(m, "label", what) if "label" in m else None
    return FormField(
        name=name,
        type=cast(FieldType, field_type),
        label=label or FormField(name).label,
        required=r.flag(m, "required", what),
        sensitive=r.flag(m, "sensitive", what),
        values=values,
        line=m.line,
    )


def _field_name_ok(r: Reader, name: str, what: str, line: int | None) -> bool:
    if is_field_name(name):
        return True
    r.add(
        f"{what}: the name is not usable in expressions",
        "use letters, digits and `_`, starting with a letter, e.g. `complaint_type`",
        line,
    )
    return False


def _enum_values(r: Reader, m: LineMap, what: str, field_type: str) -> tuple[str, ...]:
    values = r.strings(m, "values", what)
    if field_type == "enum" and not values:
        r.add(f"{what} is an enum without `values`", "add `values: [a, b, c]`", m.line)
    elif field_type != "enum" and "values" in m:
        r.add(
            f"{what} has `values` but is not an enum",
            "add `type: enum` or remove `values`",
            m.line_of("values"),
        )
    return values


def parse_outputs(r: Reader, value: object, what: str, line: int | None) -> Outputs:
    m = r.mapping(
        value, f"`outputs` of {what}", line, "`outputs: {fields: [...], deliverables: [...]}`"
    )
    if m is None:
        return Outputs()
    r.keys(m, f"`outputs` of {what}", ("fields", "deliverables"), ())
    fields: tuple[FormField, ...] = ()
    if "fields" in m:
        fields = parse_fields(r, m["fields"], f"the outputs of {what}", m.line_of("fields"))
    return Outputs(
        fields=fields,
        deliverables=r.strings(m, "deliverables", f"`outputs` of {what}"),
    )


# --- assignments -------------------------------------------------------------------------


def parse_assignment(r: Reader, value: object, what: str, line: int | None) -> Assignment | None:
    if value == "initiator":
        return Assignment("initiator", line=line)
    if isinstance(value, str):
        r.add(
            f"{what} {value!r} is not an assignee form",
            f"write `{{department: {value}}}` for a department's head; forms: {ASSIGNEE_EXAMPLE}",
            line,
        )
        return None
    m = r.mapping(value, what, line, ASSIGNEE_EXAMPLE)
    if m is None:
        return None
    return _assignment_from_map(r, m, what)


def _assignment_from_map(r: Reader, m: LineMap, what: str) -> Assignment | None:
    if "users" in m and len(m) == 1:
        return _users(r, m, what)
    kinds = [key for key in m if key in _ASSIGNEE_KEYS]
    if len(kinds) != 1:
        named = ", ".join(f"`{k}`" for k in kinds) or "none"
        r.add(
            f"{what} must name exactly one of {', '.join(_ASSIGNEE_KEYS)}; it names {named}",
            f"write one form, e.g. {ASSIGNEE_EXAMPLE}",
            m.line,
        )
        return None
    key = kinds[0]
    r.keys(m, what, (key, "pick") if key in ("department", "field") else (key,), ())
    target = r.string(m, key, what)
    pick = r.choice(m, "pick", what, PICKS) or "head"
    if target is None:
        return None
    kind, attribute = _ASSIGNEE_KEYS[key]
    assignment = Assignment(kind, pick=cast(Pick, pick), line=m.line)
    value: dict[str, Any] = {attribute: target}
    return replace(assignment, **value)


def _users(r: Reader, m: LineMap, what: str) -> Assignment | None:
    users = r.strings(m, "users", what)
    if not users:
        r.add(
            f"`users` of {what} is empty",
            "list the approvers: `{users: [gm, vp.admin]}`",
            m.line_of("users"),
        )
        return None
    return Assignment("users", users=users, line=m.line)


def parse_recipients(
    r: Reader, value: object, what: str, line: int | None
) -> tuple[Assignment, ...]:
    if not isinstance(value, LineList):
        r.add(
            f"`notify` of {what} must be a list of recipients; got {show(value)}",
            f"write `notify: [{{department: sal}}, {{user: gm}}]`; forms: {ASSIGNEE_EXAMPLE}",
            line,
        )
        return ()
    found = (
        parse_assignment(r, item, f"recipient of {what}", value.line_of(i))
        for i, item in enumerate(value)
    )
    return tuple(a for a in found if a is not None)


# --- time limits and triggers ------------------------------------------------------------


def parse_time_limit(r: Reader, value: object, what: str, line: int | None) -> TimeLimit | None:
    example = "`time_limit: {hours: 24}` or `time_limit: {hours: 48, basis: calendar}`"
    m = r.mapping(value, f"`time_limit` of {what}", line, example)
    if m is None or not r.keys(m, f"`time_limit` of {what}", ("hours", "basis"), ("hours",)):
        return None
    hours = r.number(m, "hours", f"`time_limit` of {what}")
    basis = r.choice(m, "basis", f"`time_limit` of {what}", ("working", "calendar")) or "working"
    if hours is None:
        return None
    if not 0 < hours <= MAX_HOURS:
        r.add(
            f"time limit of {what} must be more than 0 and at most {MAX_HOURS:g} hours; "
            f"got {hours:g}",
            "give the limit in hours, e.g. `hours: 24`",
            m.line_of("hours"),
        )
        return None
    return TimeLimit(hours, "calendar" if basis == "calendar" else "working")


def parse_trigger(r: Reader, value: object, what: str, line: int | None) -> Trigger:
    if value in ("auto", "manual"):
        return Trigger("auto" if value == "auto" else "manual")
    hint = "write `trigger: auto`, `trigger: manual` or `trigger: {planned_date: FIELD}`"
    where = f"`trigger` of {what}"
    if isinstance(value, LineMap) and r.keys(value, where, ("planned_date",), ("planned_date",)):
        field = r.string(value, "planned_date", where)
        if field is not None:
            return Trigger("planned_date", field)
    if isinstance(value, str):
        close = suggest(value, ("auto", "manual"))
        r.add(f"unknown trigger {value!r} of {what}", close or hint, line)
    elif not isinstance(value, LineMap):
        r.add(
            f"`trigger` of {what} must be auto, manual or a mapping; got {show(value)}", hint, line
        )
    return Trigger()
