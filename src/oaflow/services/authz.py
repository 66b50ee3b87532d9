"""The one authorisation function (SEC-2). Every use case calls ``authorize`` — for the CLI,
the API, the web pages, the worker and batch jobs alike — and every list query filters by
``scope``.

An object outside the caller's scope is answered exactly like a missing one: the caller
passes the error it raises for a missing object, and gets that same error. Inside the
scope, a permission the caller's roles do not hold (for this process) is forbidden.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, select

from oaflow.domain.errors import ForbiddenError, OAFlowError, as_denial
from oaflow.domain.model import InstanceRecord
from oaflow.domain.security import (
    Permission,
    Principal,
    Scope,
    granted,
    principal_of,
    scope_of,
)
from oaflow.domain.text import Text
from oaflow.services.app import App
from oaflow.storage.scope_sql import listed, visible_clause
from oaflow.storage.tables import instances

PERMISSION_NAMES = {
    Permission.INITIATE: Text("发起", "initiate"),
    Permission.HANDLE: Text("办理", "handle"),
    Permission.SUBMIT: Text("提交成果", "submit results"),
    Permission.VIEW: Text("查看", "view"),
    Permission.ADMINISTER: Text("管理", "administer"),
    Permission.AUDIT: Text("审计", "audit"),
}


def principal(app: App, login: str) -> Principal:
    """Who ``login`` is now, as the organisation says (an unknown or inactive login is
    not found). The API proves this identity; the CLI's ``--as`` states it."""
    with app.db.read() as conn:
        return principal_of(app.org(conn), login)


def scope(principal: Principal) -> Scope:
    """The instances ``principal`` may see, for list queries."""
    return scope_of(principal)


@contextmanager
def scoped_read(app: App, who: Principal) -> Iterator[tuple[Connection, Scope]]:
    """A read in one snapshot with ``who``'s scope, its instances listed once: for the reads
    whose statements test the scope many times (metrics, trend, review, forecasts)."""
    with app.db.snapshot() as conn, listed(conn, scope(who)) as seen:
        yield conn, seen


def authorize(
    app: App,
    conn: Connection,
    who: Principal,
    permission: Permission,
    *,
    process: str | None = None,
    instance: InstanceRecord | None = None,
    missing: OAFlowError | None = None,
) -> None:
    """Allow ``who`` to use ``permission`` — on ``instance`` (which must be in their scope,
    else ``missing`` is raised, as for an object that does not exist), or on ``process``
    (its key), or system-wide; raise ForbiddenError otherwise."""
    target = f"process:{process}" if process else "system"
    if instance is not None:
        process, target = instance.definition_key, f"instance:{instance.business_key}"
        if not sees(conn, who, instance.id or 0):
            raise as_denial(missing or _missing_instance(instance), permission.value, target)
    if not granted(who, permission, app.rules(conn).grants_of(process)):
        raise forbidden(who, permission, target)


def forbidden(who: Principal, permission: Permission, target: str) -> ForbiddenError:
    """The error of ``who`` lacking ``permission`` on ``target`` (a denial, for the log)."""
    error = ForbiddenError(
        "access.denied", login=who.login, permission=PERMISSION_NAMES[permission]
    )
    return as_denial(error, permission.value, target)


def sees(conn: Connection, who: Principal, instance_id: int) -> bool:
    """Whether instance ``instance_id`` is in ``who``'s scope (the list queries' condition)."""
    if who.sees_all:
        return True
    query = select(instances.c.id).where(instances.c.id == instance_id)
    return conn.execute(query.where(visible_clause(scope_of(who)))).first() is not None


def _missing_instance(instance: InstanceRecord) -> OAFlowError:
    from oaflow.domain.errors import NotFoundError

    return NotFoundError("instance.not_found", business_key=instance.business_key)
