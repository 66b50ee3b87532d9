"""Service nodes and ledgers (INT-2, ARC-2), pure: what a service node sends to another
system and what answer counts as accepted, the retry schedule of a call, and the rows a
``ledger:`` block writes from an instance's data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from oaflow.domain.errors import InputError
from oaflow.domain.expressions import Expression
from oaflow.domain.text import Text

#: the waits after the 1st, 2nd, … failed attempt of a call; after the last attempt
#: (len + 1 attempts in all) an incident opens
BACKOFF: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: the states of a call; ``running``: claimed by a worker whose HTTP request is under way
CALL_STATES = ("pending", "running", "done", "incident", "skipped", "cancelled")
OPEN_CALL_STATES = ("pending", "running", "incident")
#: the longest answer body kept (and read) from another system
MAX_ANSWER = 64 * 1024


@dataclass(frozen=True)
class LedgerSpec:
    """A ``ledger:`` block of a service node: the rows it writes when the node passes.

    ``department`` gives one department code or a list; ``amount`` one number or a list of
    the same length (a multi-instance node's outputs, in the order of its departments);
    ``period`` the period the rows are for (a fiscal year, a month); ``fields`` more
    columns, each one value or a list like ``amount``."""

    name: str
    title: Text
    department: Expression
    amount: Expression
    period: Expression
    fields: tuple[tuple[str, Expression], ...] = ()


@dataclass
class ServiceCallOpening:
    """A call to open: the instance waits at ``node_id`` until it is answered or skipped."""

    node_id: str
    round: int
    service: str
    idempotency_key: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerEntry:
    """One row of a ledger: the latest value for (process, ledger, department, period)."""

    ledger: str
    title: Text
    department: str
    period: str
    amount: float
    fields: Mapping[str, Any]
    node_id: str


def payload_of(
    process: str,
    business_key: str,
    node_id: str,
    data: Mapping[str, Any],
    sensitive: frozenset[str],
    send: Sequence[str] = (),
) -> dict[str, Any]:
    """What a service node sends: the process, the business key, the node and the form
    data (only the ``send`` fields when the node names them), never a sensitive field."""
    names = list(send) if send else [n for n in data if n != "title"]
    chosen = {n: data.get(n) for n in names if n not in sensitive}
    return {"process": process, "business_key": business_key, "node": node_id, "data": chosen}


def accepted_reference(body: object) -> str | None:
    """The reference an accepting answer carries, or None when the answer is not the
    contract's ``{"accepted": true, "reference": "…"}`` (reference optional, a string)."""
    if not isinstance(body, dict) or body.get("accepted") is not True:
        return None
    reference = body.get("reference", "")
    return reference if isinstance(reference, str) else None


def ledger_entries(spec: LedgerSpec, context: Mapping[str, Any], node_id: str) -> list[LedgerEntry]:
    """The rows ``spec`` writes from an instance's ``context`` (its data and outputs)."""
    departments = _listed(spec.department, context)
    amounts = _aligned(spec.amount, context, len(departments))
    period = spec.period.evaluate(context)
    if period is None or isinstance(period, list | tuple | dict):
        raise InputError("ledger.bad_period", ledger=spec.name, expression=spec.period.text)
    extra = {name: _aligned(expr, context, len(departments)) for name, expr in spec.fields}
    rows: list[LedgerEntry] = []
    for index, code in enumerate(departments):
        amount = amounts[index]
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            raise InputError(
                "ledger.bad_amount", ledger=spec.name, department=code, value=repr(amount)
            )
        values = {name: column[index] for name, column in extra.items()}
        period_text = (
            str(int(period)) if isinstance(period, float) and period.is_integer() else str(period)
        )
        rows.append(
            LedgerEntry(spec.name, spec.title, code, period_text, float(amount), values, node_id)
        )
    return rows


def _listed(expression: Expression, context: Mapping[str, Any]) -> list[str]:
    value = expression.evaluate(context)
    codes = list(value) if isinstance(value, list | tuple) else [value]
    found = [c for c in codes if isinstance(c, str) and c]
    if not codes or len(found) != len(codes):
        raise InputError("ledger.bad_departments", expression=expression.text, value=repr(value))
    return found


def _aligned(expression: Expression, context: Mapping[str, Any], count: int) -> list[Any]:
    value = expression.evaluate(context)
    values = list(value) if isinstance(value, list | tuple) else [value] * count
    if len(values) != count:
        raise InputError(
            "ledger.lengths_differ", expression=expression.text, found=len(values), count=count
        )
    return values
