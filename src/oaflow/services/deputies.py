"""Out-of-office delegation (ORG-3, 代理): name, list and clear a user's deputy. A person
names their own deputy; an administrator may name anyone's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from oaflow.domain.errors import InputError, NotFoundError
from oaflow.domain.org import Delegation, Organisation
from oaflow.domain.security import Permission, Principal, granted
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.services.view_parts import Names
from oaflow.services.views import Person
from oaflow.storage import deputy_repo


@dataclass(frozen=True)
class DelegationView:
    user: Person
    deputy: Person
    starts: datetime
    ends: datetime
    active: bool


def _for_whom(app: App, conn: Connection, who: Principal, login: str) -> None:
    """``who`` may manage ``login``'s deputies: their own, or anyone's as an administrator."""
    if login not in app.org(conn).users:
        raise NotFoundError("access.unknown_user", login=login)
    if login != who.login:
        authz.authorize(app, conn, who, Permission.ADMINISTER)


def set_deputy(
    app: App, who: Principal, login: str, deputy: str, starts: datetime, ends: datetime
) -> Delegation:
    """``deputy`` takes ``login``'s new tasks from ``starts`` until ``ends``; nothing
    changes if the input is wrong."""
    delegation = Delegation(user=login, deputy=deputy, starts=starts, ends=ends)
    with app.db.write() as conn:
        _for_whom(app, conn, who, login)
        _check(app.org(conn), delegation)
        clash = deputy_repo.overlapping(conn, login, starts, ends)
        if clash:
            raise InputError(
                "deputy.overlaps",
                login=login,
                deputy=clash[0].deputy,
                starts=clash[0].starts,
                ends=clash[0].ends,
            )
        deputy_repo.add(conn, delegation, app.now())
        audit.record(
            app,
            conn,
            who,
            AuditAction.DEPUTY_SET,
            f"user:{login}",
            deputy=deputy,
            starts=starts,
            ends=ends,
        )
    return delegation


def _check(org: Organisation, d: Delegation) -> None:
    if d.deputy == d.user:
        raise InputError("deputy.self", login=d.user)
    found = org.users.get(d.deputy)
    if found is None or not found.active:
        raise InputError("deputy.unknown", deputy=d.deputy)
    if d.ends <= d.starts:
        raise InputError("deputy.period_backwards")


def list_deputies(app: App, who: Principal) -> list[DelegationView]:
    """The delegations ``who`` may see — all of them for administrators and auditors, else
    those they are part of — earliest first, with whether each is in force now."""
    now = app.now()
    with app.db.read() as conn:
        names = Names(app.org(conn))
        found = deputy_repo.all_delegations(conn)
        every = granted(who, Permission.AUDIT)
    return [
        DelegationView(
            names.known(d.user), names.known(d.deputy), d.starts, d.ends, d.active_at(now)
        )
        for d in found
        if every or who.login in (d.user, d.deputy)
    ]


def clear_deputy(app: App, who: Principal, login: str) -> int:
    """Remove ``login``'s delegations (tasks already given to a deputy stay with them)."""
    with app.db.write() as conn:
        _for_whom(app, conn, who, login)
        cleared = deputy_repo.clear(conn, login)
        audit.record(app, conn, who, AuditAction.DEPUTY_CLEAR, f"user:{login}", cleared=cleared)
        return cleared
