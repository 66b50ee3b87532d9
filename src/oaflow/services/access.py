"""What administrators configure about access (SEC-2) and compliance (DEF-7): which roles
hold each permission on a process, and which departments must approve before any handle
node of a process with a policy tag acts. Changes apply to every process at once (they move
the organisation's revision)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from oaflow.domain.errors import InputError, NotFoundError
from oaflow.domain.security import (
    DEFAULT_GRANTS,
    PROCESS_PERMISSIONS,
    AccessRules,
    Permission,
    Principal,
    Role,
)
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.storage import access_repo, catalog_repo


@dataclass(frozen=True)
class ProcessGrants:
    """Per permission, the roles that hold it on one process; ``custom`` when an
    administrator set them (else they are the defaults)."""

    process: str
    grants: Mapping[Permission, tuple[Role, ...]]
    custom: frozenset[Permission]


def grants(app: App, who: Principal, process: str) -> ProcessGrants:
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        if catalog_repo.get_definition(conn, process) is None:
            raise NotFoundError("process.not_published", key=process)
        own = app.rules(conn).grants_of(process)
    return ProcessGrants(
        process,
        {p: tuple(sorted(own.get(p, DEFAULT_GRANTS[p]))) for p in PROCESS_PERMISSIONS},
        frozenset(own),
    )


def grant(
    app: App, who: Principal, process: str, permission: str, roles: Iterable[str]
) -> ProcessGrants:
    """Give ``permission`` on ``process`` to exactly ``roles`` (none: nobody holds it;
    ``default``: back to the defaults)."""
    chosen = _permission(permission)
    wanted = [r.strip() for r in roles if r.strip()]
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        if catalog_repo.get_definition(conn, process) is None:
            raise NotFoundError("process.not_published", key=process)
        rules = app.rules(conn)
        by_process = {k: dict(v) for k, v in rules.grants.items()}
        own = by_process.setdefault(process, {})
        if wanted == ["default"]:
            own.pop(chosen, None)
        else:
            own[chosen] = frozenset(_roles(wanted))
        access_repo.save_grants(conn, AccessRules(by_process, rules.policies))
        audit.record(
            app,
            conn,
            who,
            AuditAction.ACCESS_GRANT,
            f"process:{process}",
            permission=chosen.value,
            roles=wanted,
        )
    return grants(app, who, process)


def _permission(text: str) -> Permission:
    try:
        found = Permission(text)
    except ValueError:
        found = None
    if found is None or found not in PROCESS_PERMISSIONS:
        raise InputError(
            "access.permission_unknown",
            permission=text,
            known=[p.value for p in PROCESS_PERMISSIONS],
        )
    return found


def _roles(texts: list[str]) -> list[Role]:
    unknown = [t for t in texts if t not in Role.__members__.values()]
    if unknown:
        raise InputError("access.role_unknown", roles=unknown, known=[r.value for r in Role])
    return [Role(t) for t in texts]


def policies(app: App, who: Principal) -> Mapping[str, tuple[str, ...]]:
    """Policy tag -> the departments of which one must approve before any handle node."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        return dict(app.rules(conn).policies)


def set_policy(
    app: App, who: Principal, tag: str, departments: Iterable[str]
) -> Mapping[str, tuple[str, ...]]:
    """Set the departments of policy ``tag`` (none: drop the policy). Checked against the
    organisation; definitions published later are checked against it."""
    codes = tuple(dict.fromkeys(d.strip() for d in departments if d.strip()))
    if not tag.strip():
        raise InputError("policy.tag_empty")
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        unknown = [c for c in codes if c not in app.org(conn).departments]
        if unknown:
            raise InputError("policy.department_unknown", departments=unknown)
        found = dict(app.rules(conn).policies)
        if codes:
            found[tag.strip()] = codes
        else:
            found.pop(tag.strip(), None)
        access_repo.save_policies(conn, found)
        audit.record(
            app, conn, who, AuditAction.POLICY_SET, f"policy:{tag.strip()}", departments=codes
        )
    return policies(app, who)
