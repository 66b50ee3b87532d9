"""Who acts and what they may do and see (SEC-2, least privilege 最小必要). Pure.

A ``Principal`` is a person as the organisation knows them at the moment they act: their
roles (explicit and derived from the department tree), their departments, the departments
they head and those they supervise. What they may do is a ``Permission`` granted to roles —
per process, with the defaults below. What they may see is their ``Scope``: the instances
they took part in, those that touched a department they head or supervise (with the
departments below it), or all of them for the general manager, administrators and
auditors. ``services/authz.py`` applies both, for every caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from oaflow.domain.errors import NotFoundError
from oaflow.domain.org import Organisation
from oaflow.domain.states import Action


class Role(StrEnum):
    MEMBER = "member"  # 部门成员
    HEAD = "head"  # 部门负责人
    SUPERVISING_LEADER = "supervising_leader"  # 分管领导
    GENERAL_MANAGER = "general_manager"  # 总经理
    ADMINISTRATOR = "administrator"  # 系统管理员
    AUDITOR = "auditor"  # 审计


class Permission(StrEnum):
    INITIATE = "initiate"  # 发起: start an instance of the process
    HANDLE = "handle"  # 办理/审批: acknowledge, decide, transfer, return, add a signer …
    SUBMIT = "submit"  # 提交成果: report progress, complete with outputs and deliverables
    VIEW = "view"  # 查看进度: instances, tasks, timelines and exceptions in scope
    ADMINISTER = "administer"  # 管理: organisation, calendar, channels, processes, policies
    AUDIT = "audit"  # 审计: everything read-only, the outbox and the audit trail


#: the permissions a process grants to each role unless an administrator set others
_WORKING_ROLES = frozenset({Role.MEMBER, Role.HEAD, Role.SUPERVISING_LEADER, Role.GENERAL_MANAGER})
DEFAULT_GRANTS: Mapping[Permission, frozenset[Role]] = {
    Permission.INITIATE: _WORKING_ROLES,
    Permission.HANDLE: _WORKING_ROLES,
    Permission.SUBMIT: _WORKING_ROLES,
    Permission.VIEW: frozenset(Role),
    Permission.ADMINISTER: frozenset({Role.ADMINISTRATOR}),
    Permission.AUDIT: frozenset({Role.AUDITOR, Role.ADMINISTRATOR}),
}
#: permissions that belong to the system, not to a process: an administrator cannot
#: take them away from a role for one process
SYSTEM_PERMISSIONS = frozenset({Permission.ADMINISTER, Permission.AUDIT})
PROCESS_PERMISSIONS = tuple(p for p in Permission if p not in SYSTEM_PERMISSIONS)
#: roles that see every instance
SEE_ALL = frozenset({Role.GENERAL_MANAGER, Role.ADMINISTRATOR, Role.AUDITOR})

#: what a task action needs (the engine then checks that the task is the person's)
ACTION_PERMISSIONS: Mapping[Action, Permission] = {
    Action.PROGRESS: Permission.SUBMIT,
    Action.COMPLETE: Permission.SUBMIT,
    Action.COMMENT: Permission.VIEW,
    Action.URGE: Permission.VIEW,
    Action.CC: Permission.VIEW,
}


def permission_for(action: Action) -> Permission:
    return ACTION_PERMISSIONS.get(action, Permission.HANDLE)


@dataclass(frozen=True)
class Principal:
    """A person (or the system itself) acting now."""

    login: str
    roles: frozenset[Role]
    departments: tuple[str, ...] = ()
    headed: frozenset[str] = frozenset()  # departments headed, with those below them
    supervised: frozenset[str] = frozenset()  # departments supervised, with those below
    #: where the request comes from, for the audit log: an IP address, or ``cli:user@host``
    address: str = ""

    @property
    def is_system(self) -> bool:
        return self.login == SYSTEM_LOGIN

    @property
    def sees_all(self) -> bool:
        return self.is_system or bool(self.roles & SEE_ALL)

    def has(self, role: Role) -> bool:
        return role in self.roles


SYSTEM_LOGIN = "system"
#: the worker, the timers and batch jobs: they act for the organisation as a whole
SYSTEM = Principal(SYSTEM_LOGIN, frozenset(Role))


@dataclass(frozen=True)
class Scope:
    """The instances a principal may see: all, or those ``login`` took part in and those
    that touched one of ``departments``."""

    everything: bool
    login: str = ""
    departments: frozenset[str] = frozenset()


def principal_of(org: Organisation, login: str) -> Principal:
    """The principal of an active user; an unknown or deactivated login is not found."""
    user = org.users.get(login)
    if user is None or not user.active:
        raise NotFoundError("access.unknown_user", login=login)
    roles = frozenset(Role(r) for r in org.roles_of(login) if r in Role.__members__.values())
    headed = [d.code for d in org.departments.values() if d.head == login]
    supervised = [d.code for d in org.departments.values() if d.leader == login]
    return Principal(
        login=login,
        roles=roles,
        departments=user.departments,
        headed=_with_descendants(org, headed),
        supervised=_with_descendants(org, supervised),
    )


def _with_descendants(org: Organisation, codes: Iterable[str]) -> frozenset[str]:
    found: set[str] = set()
    todo = list(codes)
    while todo:
        code = todo.pop()
        if code not in found:
            found.add(code)
            todo += org.children_of(code)
    return frozenset(found)


def scope_of(principal: Principal) -> Scope:
    if principal.sees_all:
        return Scope(everything=True)
    return Scope(False, principal.login, principal.headed | principal.supervised)


def granted(
    principal: Principal,
    permission: Permission,
    grants: Mapping[Permission, frozenset[Role]] | None = None,
) -> bool:
    """Whether one of the principal's roles holds ``permission`` under ``grants`` (a
    process's, defaulting to ``DEFAULT_GRANTS``)."""
    if principal.is_system:
        return True
    allowed = (grants or {}).get(permission, DEFAULT_GRANTS[permission])
    if permission in SYSTEM_PERMISSIONS:
        allowed = DEFAULT_GRANTS[permission]
    return bool(principal.roles & allowed)


@dataclass(frozen=True)
class AccessRules:
    """What administrators configured: per process, the roles granted each permission
    (absent: ``DEFAULT_GRANTS``); per policy tag, the departments of which one must approve
    before any handle node acts (DEF-7; absent: the defaults of ``domain.validate``)."""

    grants: Mapping[str, Mapping[Permission, frozenset[Role]]]
    policies: Mapping[str, tuple[str, ...]]

    def grants_of(self, process: str | None) -> Mapping[Permission, frozenset[Role]]:
        return self.grants.get(process or "", {})
