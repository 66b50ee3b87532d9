"""Building the parts of the read views: people, departments, nodes, form values (with
sensitive ones masked for readers who may not see them, SEC-3), the SLA countdown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.definition import FormField, ProcessDefinition
from oaflow.domain.forms import STANDARD_FIELDS
from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.org import Organisation
from oaflow.domain.security import Principal, Role
from oaflow.domain.sla import countdown
from oaflow.domain.text import Text
from oaflow.services.views import Dept, FieldSpec, FieldValue, NodeRef, Person, Sla

SYSTEM_NAME = Text("系统", "system")
#: roles that read sensitive fields of any instance they see
SENSITIVE_READERS = frozenset({Role.GENERAL_MANAGER, Role.AUDITOR})


@dataclass(frozen=True)
class Names:
    """People and departments by their names in both languages, from one organisation."""

    org: Organisation

    def person(self, login: str | None) -> Person | None:
        return self.known(login) if login else None

    def known(self, login: str) -> Person:
        user = self.org.users.get(login)
        if user is None:
            return Person(login, SYSTEM_NAME if login == "system" else Text(login, login))
        return Person(login, user.name)

    def known_dept(self, code: str) -> Dept:
        found = self.org.departments.get(code)
        return Dept(code, found.name if found else Text(code, code))

    def people(self, logins: Iterable[str]) -> tuple[Person, ...]:
        return tuple(p for p in (self.person(x) for x in logins) if p is not None)

    def dept(self, code: str | None) -> Dept | None:
        return self.known_dept(code) if code else None


def node_ref(definition: ProcessDefinition, node_id: str) -> NodeRef:
    node = definition.nodes.get(node_id)
    return NodeRef(node_id, node.name if node else Text(node_id, node_id))


def sla_of(
    definition: ProcessDefinition, task: TaskRecord, now: datetime, calendar: WorkingCalendar
) -> tuple[Sla, float | None]:
    node = definition.node(task.node_id)
    clock = countdown(node, task.created_at, task.due_at if task.is_open else None, now, calendar)
    if task.is_open and task.exception:
        return Sla.EXCEPTION, clock.remaining_hours
    remaining = None if clock.remaining_hours is None else round(clock.remaining_hours, 1)
    return Sla(clock.state), remaining


def reads_sensitive(who: Principal, instance: InstanceRecord, holders: Iterable[str]) -> bool:
    """Whether ``who`` may read the instance's sensitive fields: its initiator, the people
    who hold or held its tasks, the general manager and auditors (and the system)."""
    if who.is_system or who.roles & SENSITIVE_READERS:
        return True
    return who.login == instance.initiator or who.login in set(holders)


def holders_of(tasks: Iterable[TaskRecord]) -> set[str]:
    people: set[str] = set()
    for t in tasks:
        people.update(x for x in (t.assignee, t.finished_by, t.on_behalf_of) if x)
        people.update(t.candidates)
    return people


def field_values(
    fields: Iterable[FormField], data: Mapping[str, Any], may_read: bool
) -> tuple[FieldValue, ...]:
    values = []
    for f in fields:
        if f.name not in data:
            continue
        masked = f.sensitive and not may_read
        value = None if masked else data[f.name]
        values.append(FieldValue(f.name, f.label, f.type, value, f.sensitive, masked))
    return tuple(values)


def form_fields(definition: ProcessDefinition) -> tuple[FormField, ...]:
    """Template 1's fields and the process's own, without duplicates (the process wins)."""
    own = {f.name for f in definition.form}
    return (*(f for f in STANDARD_FIELDS if f.name not in own), *definition.form)


def readable(
    values: Mapping[str, Any], definition: ProcessDefinition, may_read: bool
) -> Mapping[str, Any]:
    """``values`` (a task's outputs) without the sensitive ones for a reader who may not
    read them (SEC-3)."""
    if may_read:
        return values
    hidden = definition.sensitive_fields()
    return {k: v for k, v in values.items() if k not in hidden}


def field_specs(fields: Iterable[FormField]) -> tuple[FieldSpec, ...]:
    """Fields as a form shows them."""
    return tuple(
        FieldSpec(f.name, f.label, f.type, f.required, f.sensitive, f.values) for f in fields
    )
