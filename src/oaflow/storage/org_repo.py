"""The organisation in the database: departments, users and a revision counter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from oaflow.domain.org import Department, Organisation, User
from oaflow.domain.text import Text
from oaflow.storage.tables import departments, org_changes, settings, users

REVISION = "org_revision"


_REVISION = select(settings.c.value).where(settings.c.name == REVISION)


def org_revision(conn: Connection) -> int:
    value = conn.execute(_REVISION).scalar()
    return int(value) if value is not None else 0


def load_org(conn: Connection) -> Organisation:
    depts = {
        r.code: Department(
            code=r.code,
            name=Text(r.name_zh, r.name_en),
            parent=r.parent,
            head=r.head,
            interfaces=tuple(r.interfaces),
            leader=r.leader,
        )
        for r in conn.execute(select(departments).order_by(departments.c.position)).all()
    }
    people = {
        r.login: User(
            login=r.login,
            name=Text(r.name_zh, r.name_en),
            email=r.email,
            departments=tuple(r.departments),
            roles=frozenset(r.roles),
            active=r.active,
        )
        for r in conn.execute(select(users).order_by(users.c.position)).all()
    }
    return Organisation(departments=depts, users=people)


def org_changes_of(conn: Connection) -> list[tuple[datetime, str]]:
    """Dated changes of the organisation (ORG-2): when each takes effect, and the whole
    organisation from then on as YAML; oldest first."""
    rows = conn.execute(
        select(org_changes.c.effective_at, org_changes.c.source).order_by(
            org_changes.c.effective_at
        )
    ).all()
    return [(r.effective_at, r.source) for r in rows]


def add_org_change(conn: Connection, effective_at: datetime, source: str, now: datetime) -> int:
    conn.execute(
        insert(org_changes).values(effective_at=effective_at, source=source, created_at=now)
    )
    return bump_revision(conn)


def replace_org(conn: Connection, org: Organisation) -> int:
    """Store ``org`` as the whole organisation; returns the new revision."""
    conn.execute(delete(departments))
    conn.execute(delete(users))
    dept_rows = [
        {
            "code": d.code,
            "name_zh": d.name.zh,
            "name_en": d.name.en,
            "parent": d.parent,
            "head": d.head,
            "leader": d.leader,
            "interfaces": list(d.interfaces),
            "position": i,
        }
        for i, d in enumerate(org.departments.values())
    ]
    user_rows = [
        {
            "login": u.login,
            "name_zh": u.name.zh,
            "name_en": u.name.en,
            "email": u.email,
            "departments": list(u.departments),
            "roles": sorted(u.roles),
            "active": u.active,
            "position": i,
        }
        for i, u in enumerate(org.users.values())
    ]
    if dept_rows:
        conn.execute(insert(departments), dept_rows)
    if user_rows:
        conn.execute(insert(users), user_rows)
    return bump_revision(conn)


def bump_revision(conn: Connection) -> int:
    """A new revision of the organisation (its people, departments and delegations): caches
    of it are read again."""
    revision = org_revision(conn) + 1
    changed = conn.execute(
        update(settings).where(settings.c.name == REVISION).values(value=str(revision))
    ).rowcount
    if not changed:
        conn.execute(insert(settings).values(name=REVISION, value=str(revision)))
    return revision
