"""The monthly cause analysis of exception records (EXC-5): a Pareto of the cause categories
per process, node or responsible department, over the records found in a month (in the
business calendar's time zone) that the caller may see. Counted in SQL, ranked here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from oaflow.domain.errors import InputError, NotFoundError
from oaflow.domain.org import Organisation
from oaflow.domain.pareto import month_of, month_window, ranked
from oaflow.domain.periods import parse_period
from oaflow.domain.security import Principal, Scope
from oaflow.domain.text import Text
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.services.exception_causes import causes, label
from oaflow.storage import exception_counts as repo
from oaflow.storage.exception_counts import DIMENSIONS as DIMENSIONS  # for the adapters
from oaflow.storage.exception_counts import CauseCount

ALL = Text("全部", "All")
NO_DEPARTMENT = Text("未指定部门", "No department")


@dataclass(frozen=True)
class CauseShare:
    """One cause of a group at its place: its count, share, and cumulative share; ``vital``:
    among the causes that make up 80 % of the group's records."""

    cause: str | None  # None: not yet explained (no cause category given yet)
    label: Text
    count: int
    share: float
    cumulative: float
    vital: bool


@dataclass(frozen=True)
class ParetoGroup:
    """A process, a node (of a process), a department, or everything (key '')."""

    key: str
    name: Text
    total: int
    causes: tuple[CauseShare, ...]


@dataclass(frozen=True)
class Pareto:
    """The analysis of ``month``: its groups, most records first."""

    month: str
    by: str | None
    process: str | None
    total: int
    groups: tuple[ParetoGroup, ...]


def this_month(app: App) -> str:
    """The current month (``YYYY-MM``) in the business calendar's time zone."""
    return month_of(app.now(), app.calendar.tz)


def pareto(
    app: App, who: Principal, month: str, by: str | None = None, process: str | None = None
) -> Pareto:
    """The causes of the exceptions found in ``month`` that ``who`` may see, ranked per
    group of ``by`` (process, node, department; None: all in one group), of ``process``
    only when it is given. ``month`` may also be a quarter (2024-Q1) or a range of days
    (2024-01-15..2024-02-14) as the review report (MTR-4) covers."""
    label, start, end = _window(month, app.calendar.tz)
    if by is not None and by not in DIMENSIONS:
        raise InputError("analysis.bad_dimension", by=by, known=list(DIMENSIONS))
    with app.db.read() as conn:
        if process is not None and process not in (known := repo.process_keys(conn)):
            raise NotFoundError("analysis.unknown_process", key=process, known=known)
        return pareto_on(app, conn, (label, start, end), by, process, authz.scope(who))


def pareto_on(
    app: App,
    conn: Connection,
    window: tuple[str, datetime, datetime],
    by: str | None,
    process: str | None,
    scope: Scope,
) -> Pareto:
    """On ``conn``: the analysis of ``window`` (label, start, end) over ``scope``."""
    label, start, end = window
    rows = repo.cause_counts(conn, start, end, by, process, scope)
    groups = _groups(app, conn, rows, by, causes(conn))
    return Pareto(label, by, process, sum(g.total for g in groups), groups)


def _window(period: str, tz: str) -> tuple[str, datetime, datetime]:
    """The label and instants [start, end) of a month, or of a quarter or range of days (a
    bad month is said as a month, the analysis's own error)."""
    if "q" in period.lower() or ".." in period:
        found = parse_period(period, tz)
        return found.label, found.start, found.end
    start, end = month_window(period, tz)
    return period.strip(), start, end


def _groups(
    app: App, conn: Connection, rows: Sequence[CauseCount], by: str | None, order: Sequence[str]
) -> tuple[ParetoGroup, ...]:
    grouped: dict[str, list[CauseCount]] = defaultdict(list)
    for row in rows:
        grouped[_key(row, by)].append(row)
    org = app.org(conn)
    found = []
    for key, members in grouped.items():
        shares = tuple(
            CauseShare(r.cause, label(r.cause), r.count, r.share, r.cumulative, r.vital)
            for r in ranked(((m.cause, m.count) for m in members), order)
        )
        name = _name(app, conn, org, members, by)
        found.append(ParetoGroup(key, name, sum(s.count for s in shares), shares))
    return tuple(sorted(found, key=lambda g: (-g.total, g.key == "", g.key)))  # unknown last


def _key(row: CauseCount, by: str | None) -> str:
    if by == "process":
        return row.process
    if by == "node":
        return f"{row.process}/{row.node}"
    if by == "department":
        return row.department
    return ""


def _name(
    app: App, conn: Connection, org: Organisation, members: Sequence[CauseCount], by: str | None
) -> Text:
    """A group's name: the process's, ``process · node`` (as the newest version seen names
    them), the department's, or 全部 / All."""
    if by == "department":
        code = members[0].department
        found = org.departments.get(code)
        return found.name if found else (Text(code, code) if code else NO_DEPARTMENT)
    if by not in ("process", "node"):
        return ALL
    definition = app.definition(conn, max(m.definition_id for m in members))
    if by == "process":
        return definition.name
    node = definition.nodes.get(members[0].node)
    node_name = node.name if node else Text(members[0].node, members[0].node)
    name = definition.name
    return Text(f"{name.zh} · {node_name.zh}", f"{name.get('en')} · {node_name.get('en')}")
