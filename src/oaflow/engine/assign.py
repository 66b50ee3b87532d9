"""Resolve who gets a task (DEF-4) against the organisation at the moment of assignment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oaflow.domain.definition import Assignment, Node, ProcessDefinition
from oaflow.domain.errors import InputError
from oaflow.domain.model import InstanceRecord
from oaflow.domain.org import Organisation


@dataclass(frozen=True)
class Party:
    """The resolved responsible party: one assignee, or a group of candidates."""

    department: str | None
    assignee: str | None = None
    candidates: tuple[str, ...] = ()


def in_department(org: Organisation, code: str, pick: str) -> Party:
    if pick == "head":
        return _single(code, org.head_of(code), "head")
    people = org.interfaces_of(code) if pick == "interface" else org.members_of(code)
    if not people:
        raise _nobody(f"department {code} has no {pick} persons")
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
            f"node '{node.id}' ({node.name.zh}) cannot be assigned: {exc.message}", exc.hint("en")
        ) from None


def _resolve(
    a: Assignment, instance: InstanceRecord, definition: ProcessDefinition, org: Organisation
) -> Party:
    if a.kind == "department":
        return in_department(org, a.department, a.pick)
    if a.kind in ("head_of", "leader_of"):
        code = instance.department if a.relative_to == "initiator" else a.relative_to
        person = org.head_of(code) if a.kind == "head_of" else org.leader_of(code)
        return _single(code, person, "head" if a.kind == "head_of" else "supervising leader")
    if a.kind == "role":
        return _group(None, org.users_with_role(a.role), f"role {a.role}")
    if a.kind == "user":
        return Party(org.primary_department(a.user), a.user)
    if a.kind == "users":
        return _group(None, a.users, "the approver list")
    if a.kind == "initiator":
        return Party(instance.department, instance.initiator)
    if a.kind == "field":
        return _from_value(org, instance.data.get(a.field), a.pick, f"form field {a.field}")
    return _from_table(a, instance, definition, org)


def _from_table(
    a: Assignment, instance: InstanceRecord, definition: ProcessDefinition, org: Organisation
) -> Party:
    from oaflow.engine.rules import decide_table

    hits = decide_table(definition.decision_tables[a.table], context_of(instance))
    if not hits:
        raise _nobody(f"decision table {a.table} gave no result")
    then = hits[0]
    if "user" in then:
        return _from_value(org, then["user"], "head", f"decision table {a.table}")
    return in_department(org, str(then.get("department", "")), str(then.get("pick", a.pick)))


def _from_value(org: Organisation, value: Any, pick: str, source: str) -> Party:
    if isinstance(value, list) and value and all(v in org.users for v in value):
        return _group(None, tuple(value), source)  # a list of logins: several approvers
    if isinstance(value, str) and value in org.departments:
        return in_department(org, value, pick)
    if isinstance(value, str) and value in org.users:
        return Party(org.primary_department(value), value)
    raise _nobody(f"{source} holds {value!r}, which is neither a department code nor a login")


def _single(code: str, person: str | None, what: str) -> Party:
    if not person:
        raise _nobody(f"department {code} has no {what}")
    return Party(code, person)


def _group(code: str | None, people: tuple[str, ...], what: str) -> Party:
    if not people:
        raise _nobody(f"nobody holds {what}")
    if len(people) == 1:
        return Party(code, people[0])
    return Party(code, None, people)


class NobodyError(InputError):
    """Nobody can be assigned (APR-3: the node's `on_empty` decides what happens)."""


def _nobody(reason: str) -> InputError:
    return NobodyError(reason, "complete the organisation (oaflow org import FILE) and try again")


def context_of(instance: InstanceRecord) -> Mapping[str, Any]:
    """The names rule expressions can read: form data, outputs and the instance context."""
    return {
        **instance.data,
        "initiator": instance.initiator,
        "department": instance.department,
        "priority": instance.priority,
        "title": instance.title,
    }
