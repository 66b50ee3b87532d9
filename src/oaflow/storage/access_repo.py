"""What administrators configured about access (SEC-2) and compliance policies (DEF-7),
kept as two JSON documents in the `settings` table. A change moves the organisation's
revision, so every process's cache of the organisation reads them again."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import Connection, insert, select, update

from oaflow.domain.security import AccessRules, Permission, Role
from oaflow.storage.org_repo import bump_revision
from oaflow.storage.tables import settings

GRANTS = "access_grants"
POLICIES = "compliance_policies"


def _get(conn: Connection, name: str) -> object:
    value = conn.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
    return json.loads(value) if value else None


def _put(conn: Connection, name: str, value: object) -> None:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    changed = conn.execute(
        update(settings).where(settings.c.name == name).values(value=text)
    ).rowcount
    if not changed:
        conn.execute(insert(settings).values(name=name, value=text))
    bump_revision(conn)


def load_rules(conn: Connection, default_policies: Mapping[str, tuple[str, ...]]) -> AccessRules:
    grants = _get(conn, GRANTS) or {}
    policies = _get(conn, POLICIES)
    assert isinstance(grants, dict)
    return AccessRules(
        grants={
            process: {Permission(p): frozenset(Role(r) for r in roles) for p, roles in by.items()}
            for process, by in grants.items()
        },
        policies=dict(default_policies)
        if policies is None
        else {tag: tuple(codes) for tag, codes in dict(policies).items()},  # type: ignore[call-overload]
    )


def save_grants(conn: Connection, rules: AccessRules) -> None:
    _put(
        conn,
        GRANTS,
        {
            process: {p.value: sorted(r.value for r in roles) for p, roles in by.items()}
            for process, by in rules.grants.items()
            if by
        },
    )


def save_policies(conn: Connection, policies: Mapping[str, tuple[str, ...]]) -> None:
    _put(conn, POLICIES, {tag: list(codes) for tag, codes in policies.items()})
