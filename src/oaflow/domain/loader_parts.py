"""Pieces shared by the loader: form fields, assignments, expressions, time limits, triggers."""

from __future__ import annotations

import keyword
import re
from dataclasses import replace
from typing import Any, Literal, cast, get_args

from oaflow.domain import places
from oaflow.domain.definition import (
    Assignment,
    AssignmentKind,
    FieldType,
    FormField,
    Outputs,
    Planned,
    TimeLimit,
    Trigger,
)
from oaflow.domain.errors import ExpressionError, fault
from oaflow.domain.expressions import Expression, compile_expression
from oaflow.domain.places import Place
from oaflow.domain.wording import HintOf, did_you_mean
from oaflow.domain.yaml_lines import LineList, LineMap, Reader, show

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


def compile_in(r: Reader, value: object, what: Place, line: int | None) -> Expression | None:
    """Compile an expression once; a bad one becomes a Problem naming the offset."""
    if not isinstance(value, str) or not value.strip():
        r.add("definition.expression.not_text", line, what=what, value=show(value))
        return None
    try:
        return compile_expression(value)
    except ExpressionError as error:
        code = (
            "definition.expression.bad" if error.offset is None else "definition.expression.bad_at"
        )
        r.add(
            code,
            line,
            what=what,
            offset=error.offset,
            error=error.fault,
            text=repr(value),
            advice=HintOf(error.fault),
        )
        return None


# --- form fields -------------------------------------------------------------------------


def parse_fields(r: Reader, value: object, where: Place, line: int | None) -> tuple[FormField, ...]:
    if not isinstance(value, LineList):
        r.add("definition.fields.not_list", line, what=where, value=show(value))
        return ()
    fields: list[FormField] = []
    for index, raw in enumerate(value):
        field = parse_field(r, raw, where, value.line_of(index))
        if field is None:
            continue
        if any(f.name == field.name for f in fields):
            r.add("definition.field.twice", field.line, field=field.name, what=where)
        else:
            fields.append(field)
    return tuple(fields)


def parse_field(r: Reader, raw: object, where: Place, line: int | None) -> FormField | None:
    m = r.mapping(raw, places.field_of(where), line, "`- {name: amount, type: number}`")
    if m is None:
        return None
    name = r.string(m, "name", places.field_of(where))
    what = places.named_field_of(name, where) if name else places.field_of(where)
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


def _field_name_ok(r: Reader, name: str, what: Place, line: int | None) -> bool:
    if is_field_name(name):
        return True
    r.add("definition.field.bad_name", line, what=what)
    return False


def _enum_values(r: Reader, m: LineMap, what: Place, field_type: str) -> tuple[str, ...]:
    values = r.strings(m, "values", what)
    if field_type == "enum" and not values:
        r.add("definition.field.enum_without_values", m.line, what=what)
    elif field_type != "enum" and "values" in m:
        r.add("definition.field.values_without_enum", m.line_of("values"), what=what)
    return values


def parse_outputs(r: Reader, value: object, what: Place, line: int | None) -> Outputs:
    where = places.key_of("outputs", what)
    m = r.mapping(value, where, line, "`outputs: {fields: [...], deliverables: [...]}`")
    if m is None:
        return Outputs()
    r.keys(m, where, ("fields", "deliverables"), ())
    fields: tuple[FormField, ...] = ()
    if "fields" in m:
        fields = parse_fields(r, m["fields"], places.outputs_of(what), m.line_of("fields"))
    return Outputs(fields=fields, deliverables=r.strings(m, "deliverables", where))


# --- assignments -------------------------------------------------------------------------


def parse_assignment(r: Reader, value: object, what: Place, line: int | None) -> Assignment | None:
    if value == "initiator":
        return Assignment("initiator", line=line)
    if isinstance(value, str):
        r.add(
            "definition.assignee.not_a_form",
            line,
            what=what,
            value=repr(value),
            code=value,
            forms=ASSIGNEE_EXAMPLE,
        )
        return None
    m = r.mapping(value, what, line, ASSIGNEE_EXAMPLE)
    if m is None:
        return None
    return _assignment_from_map(r, m, what)


def _assignment_from_map(r: Reader, m: LineMap, what: Place) -> Assignment | None:
    if "users" in m and len(m) == 1:
        return _users(r, m, what)
    kinds = [key for key in m if key in _ASSIGNEE_KEYS]
    if len(kinds) != 1:
        r.add(
            "definition.assignee.not_one_kind",
            m.line,
            what=what,
            kinds=", ".join(_ASSIGNEE_KEYS),
            named=[f"`{k}`" for k in kinds] or fault("definition.hint.none"),
            forms=ASSIGNEE_EXAMPLE,
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


def _users(r: Reader, m: LineMap, what: Place) -> Assignment | None:
    users = r.strings(m, "users", what)
    if not users:
        r.add("definition.assignee.no_users", m.line_of("users"), what=places.key_of("users", what))
        return None
    return Assignment("users", users=users, line=m.line)


def parse_recipients(
    r: Reader, value: object, what: Place, line: int | None
) -> tuple[Assignment, ...]:
    if not isinstance(value, LineList):
        r.add(
            "definition.notify.not_list",
            line,
            what=places.key_of("notify", what),
            value=show(value),
            forms=ASSIGNEE_EXAMPLE,
        )
        return ()
    found = (
        parse_assignment(r, item, places.recipient_of(what), value.line_of(i))
        for i, item in enumerate(value)
    )
    return tuple(a for a in found if a is not None)


# --- time limits and triggers ------------------------------------------------------------


def parse_time_limit(r: Reader, value: object, what: Place, line: int | None) -> TimeLimit | None:
    example = fault("definition.hint.time_limit_example")
    where = places.key_of("time_limit", what)
    m = r.mapping(value, where, line, example)
    if m is None or not r.keys(m, where, ("hours", "basis"), ("hours",)):
        return None
    hours = r.number(m, "hours", where)
    basis = r.choice(m, "basis", where, ("working", "calendar")) or "working"
    if hours is None:
        return None
    if not 0 < hours <= MAX_HOURS:
        r.add(
            "definition.time_limit.out_of_range",
            m.line_of("hours"),
            what=what,
            max=f"{MAX_HOURS:g}",
            hours=f"{hours:g}",
        )
        return None
    return TimeLimit(hours, "calendar" if basis == "calendar" else "working")


def parse_trigger(r: Reader, value: object, what: Place, line: int | None) -> Trigger:
    if value in ("auto", "manual"):
        return Trigger("auto" if value == "auto" else "manual")
    hint = fault("definition.hint.trigger")
    where = places.key_of("trigger", what)
    if isinstance(value, LineMap) and r.keys(value, where, ("planned_date",), ("planned_date",)):
        field = r.string(value, "planned_date", where)
        if field is not None:
            return Trigger("planned_date", field)
    if isinstance(value, str):
        close = did_you_mean(value, ("auto", "manual"))
        r.add(
            "definition.trigger.unknown", line, value=repr(value), what=what, advice=close or hint
        )
    elif not isinstance(value, LineMap):
        r.add("definition.trigger.bad", line, what=where, value=show(value), advice=hint)
    return Trigger()


def parse_planned(r: Reader, m: LineMap, what: Place) -> Planned | None:
    """``planned: FIELD`` (a date field of the form) or ``planned: {key_node: NAME}`` (a key
    node of Template 1 by its name)."""
    value, line = m["planned"], m.line_of("planned")
    where = places.key_of("planned", what)
    if isinstance(value, str) and value.strip():
        return Planned(field=value.strip())
    if isinstance(value, LineMap) and r.keys(value, where, ("field", "key_node"), ()):
        field, key_node = r.string(value, "field", where), r.string(value, "key_node", where)
        if (field is None) != (key_node is None):
            return Planned(field=field or "", key_node=key_node or "")
    r.add("definition.planned.bad", line, what=where, value=show(value))
    return None
