"""The organisation model (ORG-1): a tree of departments and the users in them. Pure.

A department has a head (负责人), interface persons (接口人) and a supervising leader (分管领导).
A user belongs to one or more departments (the first is the primary one) and holds roles.
Two roles are also derived from the tree: ``head`` (heads some department) and
``supervising_leader`` (is some department's leader); ``member`` is derived for everyone
who belongs to a department.

``organisation_problems`` checks the references inside an organisation (used by the file
formats in ``domain.orgfile``, which check what only the files can show: duplicates,
malformed values).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from oaflow.domain.definition import OrgNames
from oaflow.domain.errors import Problem, fault, problem
from oaflow.domain.text import Text

ROLES = frozenset(
    {"member", "head", "supervising_leader", "general_manager", "administrator", "auditor"}
)

#: lower-case letters, digits, '.', '_' and '-'; starts with a letter or digit
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: lower-case letters, digits, '_' and '-'; starts with a letter
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class Department:
    code: str
    name: Text
    parent: str | None = None
    head: str | None = None
    interfaces: tuple[str, ...] = ()
    leader: str | None = None


@dataclass(frozen=True)
class User:
    login: str
    name: Text
    email: str = ""
    departments: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    active: bool = True


@dataclass(frozen=True)
class Delegation:
    """ORG-3 (代理): ``deputy`` acts for ``user`` from ``starts`` (inclusive) until ``ends``."""

    user: str
    deputy: str
    starts: datetime
    ends: datetime

    def active_at(self, at: datetime) -> bool:
        return self.starts <= at < self.ends


def deputy_at(delegations: tuple[Delegation, ...], login: str, at: datetime) -> str | None:
    """The deputy acting for ``login`` at ``at``, or None."""
    return next((d.deputy for d in delegations if d.user == login and d.active_at(at)), None)


@dataclass(frozen=True)
class Organisation:
    """Departments and users by code and login, in file order."""

    departments: Mapping[str, Department]
    users: Mapping[str, User]

    def head_of(self, code: str) -> str | None:
        """The head of exactly this department (no inheritance), or None."""
        department = self.departments.get(code)
        return department.head if department else None

    def leader_of(self, code: str) -> str | None:
        """The supervising leader; a department without one inherits its parent's."""
        seen: set[str] = set()
        department = self.departments.get(code)
        while department is not None and department.code not in seen:
            if department.leader:
                return department.leader
            seen.add(department.code)
            department = self.departments.get(department.parent or "")
        return None

    def interfaces_of(self, code: str) -> tuple[str, ...]:
        department = self.departments.get(code)
        return department.interfaces if department else ()

    def members_of(self, code: str) -> tuple[str, ...]:
        """Active users whose departments include ``code``."""
        return tuple(u.login for u in self.users.values() if u.active and code in u.departments)

    def children_of(self, code: str) -> tuple[str, ...]:
        return tuple(d.code for d in self.departments.values() if d.parent == code)

    def roles_of(self, login: str) -> frozenset[str]:
        """Explicit roles plus the derived ones (member, head, supervising_leader)."""
        user = self.users.get(login)
        if user is None:
            return frozenset()
        derived = {"member"} if user.departments else set()
        if any(d.head == login for d in self.departments.values()):
            derived.add("head")
        if any(d.leader == login for d in self.departments.values()):
            derived.add("supervising_leader")
        return user.roles | derived

    def users_with_role(self, role: str) -> tuple[str, ...]:
        """Active users holding ``role``, explicitly or derived from the tree."""
        return tuple(
            u.login for u in self.users.values() if u.active and role in self.roles_of(u.login)
        )

    def primary_department(self, login: str) -> str | None:
        user = self.users.get(login)
        return user.departments[0] if user and user.departments else None

    def department_name(self, code: str, lang: str = "zh") -> str:
        department = self.departments.get(code)
        return department.name.get(lang) if department else code

    def user_name(self, login: str, lang: str = "zh") -> str:
        user = self.users.get(login)
        return user.name.get(lang) if user else login

    def names(self) -> OrgNames:
        return OrgNames(
            departments=frozenset(self.departments),
            users=frozenset(self.users),
            roles=ROLES,
        )


LineOf = Callable[[str, str], int | None]
"""Where a thing was written: ``line_of("department", code)`` or ``line_of("user", login)``."""


def organisation_problems(org: Organisation, file: str, line_of: LineOf) -> list[Problem]:
    """Every broken reference and cycle in ``org``, in file order."""
    problems: list[Problem] = []
    for department in org.departments.values():
        problems += _department_problems(org, department, file, line_of)
    for user in org.users.values():
        problems += _user_problems(org, user, file, line_of)
    problems += _cycle_problems(org, file, line_of)
    return problems


def _department_problems(
    org: Organisation, department: Department, file: str, line_of: LineOf
) -> list[Problem]:
    line = line_of("department", department.code)
    where = fault("org.place.department", code=department.code)
    problems: list[Problem] = []
    if department.parent is not None and department.parent not in org.departments:
        problems.append(
            problem(
                "org.department.unknown_parent",
                file,
                line,
                where=where,
                parent=repr(department.parent),
            )
        )
    people = [("org.person.head", department.head), ("org.person.leader", department.leader)]
    people += [("org.person.interface", login) for login in department.interfaces]
    for what, login in people:
        if login is not None and login not in org.users:
            problems.append(
                problem(
                    "org.department.unknown_user",
                    file,
                    line,
                    where=where,
                    person=fault(what),
                    login=repr(login),
                )
            )
    return problems


def _user_problems(org: Organisation, user: User, file: str, line_of: LineOf) -> list[Problem]:
    line = line_of("user", user.login)
    where = fault("org.place.user", login=user.login)
    return [
        problem("org.user.unknown_department", file, line, where=where, department=repr(code))
        for code in user.departments
        if code not in org.departments
    ]


def _cycle_problems(org: Organisation, file: str, line_of: LineOf) -> list[Problem]:
    reported: set[str] = set()
    problems: list[Problem] = []
    for code in org.departments:
        cycle = _cycle_from(org, code)
        if cycle and not reported.intersection(cycle):
            reported.update(cycle)
            problems.append(
                problem(
                    "org.department.cycle",
                    file,
                    line_of("department", cycle[0]),
                    cycle=" → ".join([*cycle, cycle[0]]),
                )
            )
    return problems


def _cycle_from(org: Organisation, code: str) -> list[str]:
    """The cycle reached by following parents from ``code``, or [] when it ends at a root."""
    path: list[str] = []
    current: str | None = code
    while current is not None and current in org.departments:
        if current in path:
            return path[path.index(current) :]
        path.append(current)
        current = org.departments[current].parent
    return []


@dataclass(frozen=True)
class OrgTimeline:
    """The organisation as it is and as it will be (ORG-2): dated changes, oldest first,
    each the whole organisation from its instant on."""

    base: Organisation
    changes: tuple[tuple[datetime, Organisation], ...] = ()

    def at(self, moment: datetime) -> Organisation:
        """The organisation in effect at ``moment``."""
        current = self.base
        for effective, org in self.changes:
            if effective <= moment:
                current = org
        return current
