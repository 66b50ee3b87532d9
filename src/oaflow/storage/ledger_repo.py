"""Reading ledger rows (ARC-2); they are written with the decisions of the processes that
keep them (storage/integration_rows.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from oaflow.storage.tables import ledger_entries


def summaries(conn: Connection, departments: frozenset[str] | None) -> list[dict[str, Any]]:
    """Each ledger of each process: its titles, rows, periods and total (of ``departments``
    only, when given)."""
    t = ledger_entries
    query = (
        select(
            t.c.process_key,
            t.c.ledger,
            func.max(t.c.title_zh).label("title_zh"),
            func.max(t.c.title_en).label("title_en"),
            func.count().label("rows"),
            func.count(t.c.period.distinct()).label("periods"),
            func.sum(t.c.amount).label("total"),
            func.max(t.c.updated_at).label("updated_at"),
        )
        .group_by(t.c.process_key, t.c.ledger)
        .order_by(t.c.process_key, t.c.ledger)
    )
    if departments is not None:
        query = query.where(t.c.department.in_(sorted(departments)))
    return [dict(r._mapping) for r in conn.execute(query)]


def rows(
    conn: Connection,
    ledger: str,
    departments: frozenset[str] | None,
    period: str | None = None,
    department: str | None = None,
    process: str | None = None,
) -> list[dict[str, Any]]:
    """The rows of ``ledger``, by period (newest first) and department."""
    t = ledger_entries
    query = select(t).where(t.c.ledger == ledger)
    if departments is not None:
        query = query.where(t.c.department.in_(sorted(departments)))
    if period is not None:
        query = query.where(t.c.period == period)
    if department is not None:
        query = query.where(t.c.department == department)
    if process is not None:
        query = query.where(t.c.process_key == process)
    query = query.order_by(t.c.period.desc(), t.c.department)
    return [dict(r._mapping) for r in conn.execute(query)]
