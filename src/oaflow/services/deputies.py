"""Out-of-office delegation (ORG-3, 代理): name, list and clear a user's deputy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oaflow.domain.errors import InputError, NotFoundError
from oaflow.domain.org import Delegation, Organisation
from oaflow.services.app import App
from oaflow.services.queries import local_text
from oaflow.storage import deputy_repo

USERS_HINT = "see `oaflow org users`"


def set_deputy(app: App, login: str, deputy: str, starts: datetime, ends: datetime) -> Delegation:
    """``deputy`` takes ``login``'s new tasks from ``starts`` until ``ends``; nothing
    changes if the input is wrong."""
    delegation = Delegation(user=login, deputy=deputy, starts=starts, ends=ends)
    with app.db.write() as conn:
        _check(app.org(conn), delegation)
        clash = deputy_repo.overlapping(conn, login, starts, ends)
        if clash:
            raise InputError(
                f"{login} already has deputy {clash[0].deputy} from "
                f"{local_text(app, clash[0].starts)} until {local_text(app, clash[0].ends)}",
                f"choose a period that does not overlap, or `oaflow deputy clear --as {login}`",
            )
        deputy_repo.add(conn, delegation, app.now())
    return delegation


def _check(org: Organisation, d: Delegation) -> None:
    if d.user not in org.users:
        raise NotFoundError(f"user '{d.user}' does not exist", USERS_HINT)
    if d.deputy == d.user:
        raise InputError(f"{d.user} cannot be their own deputy", "name another person")
    found = org.users.get(d.deputy)
    if found is None:
        raise InputError(f"deputy '{d.deputy}' is not a known user", USERS_HINT)
    if not found.active:
        raise InputError(f"deputy '{d.deputy}' is not an active user", "name an active user")
    if d.ends <= d.starts:
        raise InputError("the period ends before it starts", "give --until a time after --from")


def list_deputies(app: App) -> list[dict[str, Any]]:
    """Every delegation, earliest first, with names and whether it is in force now."""
    lang, now = app.lang, app.now()
    with app.db.read() as conn:
        org = app.org(conn)
        found = deputy_repo.all_delegations(conn)
    return [
        {
            "user": d.user,
            "user_name": org.user_name(d.user, lang),
            "deputy": d.deputy,
            "deputy_name": org.user_name(d.deputy, lang),
            "from": local_text(app, d.starts),
            "until": local_text(app, d.ends),
            "active": d.active_at(now),
        }
        for d in found
    ]


def clear_deputy(app: App, login: str) -> int:
    """Remove ``login``'s delegations (tasks already given to a deputy stay with them)."""
    with app.db.write() as conn:
        if login not in app.org(conn).users:
            raise NotFoundError(f"user '{login}' does not exist", USERS_HINT)
        return deputy_repo.clear(conn, login)
