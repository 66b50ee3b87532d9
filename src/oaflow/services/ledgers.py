"""Department ledgers (台账, ARC-2): read by department and period, with totals.

Who sees which rows: those who see every instance (general manager, administrators,
auditors), supervising leaders and members of a process's initiating departments (for the
budget: 财务部) see every row of its ledgers; a department head sees their departments'
rows (and those below them); anyone else none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.errors import NotFoundError
from oaflow.domain.security import Permission, Principal
from oaflow.domain.text import Text
from oaflow.services import authz
from oaflow.services.app import App
from oaflow.storage import catalog_repo, ledger_repo


@dataclass(frozen=True)
class LedgerSummary:
    process: str
    ledger: str
    title: Text
    rows: int
    periods: int
    total: float
    updated_at: datetime


@dataclass(frozen=True)
class LedgerRow:
    department: str
    department_name: Text
    period: str
    amount: float
    fields: dict[str, Any]
    business_key: str
    process: str
    updated_at: datetime


@dataclass(frozen=True)
class PeriodTotal:
    period: str
    total: float
    departments: int


@dataclass(frozen=True)
class LedgerView:
    ledger: str
    title: Text
    rows: tuple[LedgerRow, ...]
    totals: tuple[PeriodTotal, ...]  # per period, newest first
    total: float
    field_names: tuple[str, ...]
    #: the columns' headings: the label of the form or output field each one reads
    field_labels: tuple[Text, ...] = ()


def ledgers(app: App, who: Principal) -> list[LedgerSummary]:
    """The ledgers ``who`` sees rows of, with their totals over those rows."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW)
        result = []
        scoped: dict[frozenset[str], list[dict[str, Any]]] = {}  # one read per scope
        for row in ledger_repo.summaries(conn, None):
            scope = _departments(app, conn, who, row["process_key"])
            if scope is None:
                result.append(_summary(row))
                continue
            if scope not in scoped:
                scoped[scope] = ledger_repo.summaries(conn, scope)
            mine = scoped[scope]
            result += [
                _summary(r)
                for r in mine
                if (r["process_key"], r["ledger"]) == (row["process_key"], row["ledger"])
            ]
        return result


def ledger(
    app: App,
    who: Principal,
    name: str,
    period: str | None = None,
    department: str | None = None,
) -> LedgerView:
    """The rows of ledger ``name`` ``who`` may see (of one period or department)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW)
        every = ledger_repo.rows(conn, name, None)
        if not every:
            raise NotFoundError("ledger.not_found", ledger=name)
        processes = {r["process_key"] for r in every}
        org = app.org(conn)
        visible: list[dict[str, Any]] = []
        for process in sorted(processes):
            scope = _departments(app, conn, who, process)
            visible += ledger_repo.rows(conn, name, scope, period, department, process)
        rows = [
            LedgerRow(
                r["department"],
                Text(
                    org.department_name(r["department"], "zh"),
                    org.department_name(r["department"], "en"),
                ),
                r["period"],
                float(r["amount"]),
                dict(r["fields"] or {}),
                r["business_key"],
                r["process_key"],
                r["updated_at"],
            )
            for r in sorted(visible, key=lambda r: (_period_key(r["period"]), r["department"]))
        ]
        first = every[0]
        names = tuple(dict.fromkeys(k for r in rows for k in r.fields))
        return LedgerView(
            name,
            Text(first["title_zh"], first["title_en"]),
            tuple(rows),
            _totals(rows),
            sum(r.amount for r in rows),
            names,
            _labels(app, conn, first["process_key"], name, names),
        )


def _labels(
    app: App, conn: Connection, process: str, ledger: str, names: tuple[str, ...]
) -> tuple[Text, ...]:
    """Each column's heading: the label of the field its expression names, else its name."""
    stored = catalog_repo.get_definition(conn, process)
    if stored is None:
        return tuple(Text(n) for n in names)
    definition = app.definition(conn, stored.id)
    spec = next(
        (n.ledger for n in definition.nodes.values() if n.ledger and n.ledger.name == ledger),
        None,
    )
    exprs = dict(spec.fields) if spec else {}
    fields = [*definition.form, *(f for n in definition.nodes.values() for f in n.outputs.fields)]
    labels = {f.name: f.label for f in fields if f.label.zh}
    return tuple(labels.get(exprs[n].text, Text(n)) if n in exprs else Text(n) for n in names)


def _period_key(period: str) -> tuple[int, str]:
    """Newest period first: by the negated number when it is one, else by text."""
    return (-int(period), "") if period.isdigit() else (0, period)


def _totals(rows: list[LedgerRow]) -> tuple[PeriodTotal, ...]:
    sums: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        sums[row.period].append(row.amount)
    return tuple(PeriodTotal(p, sum(v), len(v)) for p, v in sums.items())


def _departments(app: App, conn: Connection, who: Principal, process: str) -> frozenset[str] | None:
    """The departments whose rows of ``process``'s ledgers ``who`` sees; None: all."""
    if who.sees_all or who.supervised:
        return None
    stored = catalog_repo.get_definition(conn, process)
    if stored is not None:
        initiators = app.definition(conn, stored.id).initiators
        if set(initiators) & set(who.departments):
            return None
    return who.headed


def _summary(row: dict[str, Any]) -> LedgerSummary:
    return LedgerSummary(
        row["process_key"],
        row["ledger"],
        Text(row["title_zh"], row["title_en"]),
        int(row["rows"]),
        int(row["periods"]),
        float(row["total"] or 0),
        row["updated_at"],
    )
