"""Resolve who gets a task (DEF-4) against the organisation at the moment of assignment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oaflow.domain.definition import Assignment, Node, ProcessDefinition
from oaflow.domain.errors import InputError
from oaflow.domain.model import InstanceRecord
from oaflow.domain.org import Organisation
from oaflow.domain.text import Text


@dataclass(frozen=True)
class Party:
    """The resolved responsible party: one assignee, or a group of candidates."""

    department: str | None
    assignee: str | None = None
    candidates: tuple[str, ...] = ()


def in_department(org: Organisation, code: str, pick: str) -> Party:
    if pick == "head":
        return _single(code, org.head_of(code), "assign.no_head")
    people = org.interfaces_of(code) if pick == "interface" else org.members_of(code)
    if not people:
        missing = "assign.no_interface" if pick == "interface" else "assign.no_members"
        raise NobodyError(missing, department=code)
    if len(people) == 1:
        return Party(code, people[0])
    return Party(code, None, tuple(people))


def resolve(
    assignment: Assignment,
    node: Node,
    instance: InstanceRecord,
    definition: ProcessDefinition,
    org: Organisation,
) -> Party:
    try:
        return _resolve(assignment, instance, definition, org)
    except NobodyError as exc:
        raise NobodyError(
            "assign.node_unassignable", node=node.id, name=node.name, reason=exc.fault
        ) from None


def _resolve(
    a: Assignment, instance: InstanceRecord, definition: ProcessDefinition, org: Organisation
) -> Party:
    if a.kind == "department":
        return in_department(org, a.department, a.pick)
    if a.kind in ("head_of", "leader_of"):
        code = instance.department if a.relative_to == "initiator" else a.relative_to
        person = org.head_of(code) if a.kind == "head_of" else org.leader_of(code)
        return _single(
            code, person, "assign.no_head" if a.kind == "head_of" else "assign.no_leader"
        )
    if a.kind == "role":
        return _group(org.users_with_role(a.role), "assign.nobody_in_role", role=a.role)
    if a.kind == "user":
        return Party(org.primary_department(a.user), a.user)
    if a.kind == "users":
        return _group(a.users, "assign.no_approvers")
    if a.kind == "initiator":
        return Party(instance.department, instance.initiator)
    if a.kind == "field":
        source = Text(f"表单字段 {a.field}", f"form field {a.field}")
        return _from_value(org, instance.data.get(a.field), a.pick, source)
    return _from_table(a, instance, definition, org)


def _from_table(
    a: Assignment, instance: InstanceRecord, definition: ProcessDefinition, org: Organisation
) -> Party:
    from oaflow.engine.rules import decide_table

    hits = decide_table(definition.decision_tables[a.table], context_of(instance))
    if not hits:
        raise NobodyError("assign.table_without_result", table=a.table)
    then = hits[0]
    if "user" in then:
        source = Text(f"决策表 {a.table}", f"decision table {a.table}")
        return _from_value(org, then["user"], "head", source)
    return in_department(org, str(then.get("department", "")), str(then.get("pick", a.pick)))


def _from_value(org: Organisation, value: Any, pick: str, source: Text) -> Party:
    if isinstance(value, list) and value and all(v in org.users for v in value):
        return _group(tuple(value), "assign.no_approvers")  # a list of logins: several approvers
    if isinstance(value, str) and value in org.departments:
        return in_department(org, value, pick)
    if isinstance(value, str) and value in org.users:
        return Party(org.primary_department(value), value)
    raise NobodyError("assign.not_a_department_or_user", source=source, value=repr(value))


def _single(code: str, person: str | None, missing: str) -> Party:
    if not person:
        raise NobodyError(missing, department=code)
    return Party(code, person)


def _group(people: tuple[str, ...], missing: str, **params: Any) -> Party:
    if not people:
        raise NobodyError(missing, **params)
    if len(people) == 1:
        return Party(None, people[0])
    return Party(None, None, people)


class NobodyError(InputError):
    """Nobody can be assigned (APR-3: the node's `on_empty` decides what happens)."""


def context_of(instance: InstanceRecord) -> Mapping[str, Any]:
    """The names rule expressions can read: form data, outputs and the instance context."""
    return {
        **instance.data,
        "initiator": instance.initiator,
        "department": instance.department,
        "priority": instance.priority,
        "title": instance.title,
    }
