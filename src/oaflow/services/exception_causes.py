"""The cause categories of exception records (EXC-1, EXC-5): a list the administrators keep
(settings ``exceptions.causes``, a JSON list of names), the manual's own by default.

A name is what is stored on a record (``cause_category``) and counted by the analysis; the
default names have English labels, a name an administrator adds is shown as entered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from oaflow.domain.errors import InputError
from oaflow.domain.security import Permission, Principal
from oaflow.domain.text import Text
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.storage.tables import settings

SETTING = "exceptions.causes"
#: the manual's examples of causes, and the usual others
DEFAULT_CAUSES: tuple[str, ...] = (
    "需求变更",
    "数据不完整",
    "外部供应商延迟",
    "资源不足",
    "人员变动",
    "其他",
)
DEFAULT_LABELS: dict[str, Text] = {
    "需求变更": Text("需求变更", "Requirement change"),
    "数据不完整": Text("数据不完整", "Incomplete data"),
    "外部供应商延迟": Text("外部供应商延迟", "External supplier delay"),
    "资源不足": Text("资源不足", "Insufficient resources"),
    "人员变动": Text("人员变动", "Staff change"),
    "其他": Text("其他", "Other"),
}
#: what a record without a cause category is counted as (not yet explained)
UNEXPLAINED = Text("未归因", "Not yet explained")
#: the longest name (the column's width)
MAX_NAME = 40


@dataclass(frozen=True)
class Cause:
    """One cause category: its name (as stored) and its label in both languages."""

    name: str
    label: Text


@dataclass(frozen=True)
class CauseList:
    """The cause categories in force, in their order; ``customised``: an administrator's
    list rather than the default one."""

    causes: tuple[Cause, ...]
    customised: bool


def causes(conn: Connection) -> tuple[str, ...]:
    """The cause categories in force, in their order."""
    value = _stored(conn)
    return tuple(json.loads(value)) if value else DEFAULT_CAUSES


def label(name: str | None) -> Text:
    """How the cause ``name`` is said (None: not yet explained)."""
    if name is None:
        return UNEXPLAINED
    return DEFAULT_LABELS.get(name) or Text(name, name)


def cause_list(app: App, who: Principal) -> CauseList:
    """The cause categories, for anyone who explains or analyses exceptions."""
    with app.db.read() as conn:
        return _view(conn)


def set_causes(app: App, who: Principal, names: Iterable[str]) -> CauseList:
    """Replace the cause list (administrators); nothing is written when a name is wrong.
    Records keep the category they were given, so a name taken out still counts in the
    months it was used."""
    checked = checked_names(names)
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        _store(conn, json.dumps(list(checked), ensure_ascii=False))
        audit.record(app, conn, who, AuditAction.EXCEPTION_CAUSES, "causes", names=list(checked))
        return _view(conn)


def checked_names(names: Iterable[str]) -> tuple[str, ...]:
    """The names, trimmed; at least one, none empty, none too long, none twice."""
    found = [n.strip() for n in names]
    if not found:
        raise InputError("cause.none_given")
    for position, name in enumerate(found, start=1):
        if not name:
            raise InputError("cause.blank", position=position)
        if len(name) > MAX_NAME:
            raise InputError("cause.too_long", name=name, limit=MAX_NAME)
        if name in found[: position - 1]:
            raise InputError("cause.duplicate", name=name)
    return tuple(found)


def _view(conn: Connection) -> CauseList:
    names = causes(conn)
    return CauseList(tuple(Cause(n, label(n)) for n in names), _stored(conn) is not None)


def _stored(conn: Connection) -> str | None:
    value = conn.execute(select(settings.c.value).where(settings.c.name == SETTING)).scalar()
    return str(value) if value else None


def _store(conn: Connection, value: str) -> None:
    changed = conn.execute(
        update(settings).where(settings.c.name == SETTING).values(value=value)
    ).rowcount
    if not changed:
        conn.execute(insert(settings).values(name=SETTING, value=value))
