"""A service node's ``ledger:`` block: YAML mapping -> ``LedgerSpec`` (ARC-2)."""

from __future__ import annotations

import re

from oaflow.domain import places
from oaflow.domain.expressions import Expression
from oaflow.domain.integration import LedgerSpec
from oaflow.domain.loader_parts import compile_in
from oaflow.domain.places import Place
from oaflow.domain.text import Text
from oaflow.domain.yaml_lines import LineMap, Reader

LEDGER_KEYS = ("name", "title", "department", "amount", "period", "fields")
LEDGER_REQUIRED = ("name", "department", "amount", "period")
LEDGER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_EXAMPLE = "`ledger: {name: budget, department: departments, amount: budget_amount, period: year}`"


def parse_ledger(r: Reader, value: object, what: Place, line: int | None) -> LedgerSpec | None:
    """The ledger block, or None (with problems) when a part of it is wrong."""
    where = places.key_of("ledger", what)
    m = r.mapping(value, where, line, _EXAMPLE)
    if m is None or not r.keys(m, where, LEDGER_KEYS, LEDGER_REQUIRED):
        return None
    name = r.string(m, "name", where)
    if name is not None and not LEDGER_NAME.match(name):
        r.add("definition.ledger.bad_name", m.line_of("name"), what=where, value=name)
        return None
    title = r.text(m, "title", where) if "title" in m else None
    exprs = {
        k: compile_in(r, m[k], places.key_of(k, where), m.line_of(k)) for k in LEDGER_REQUIRED[1:]
    }
    fields = _fields(r, m, where)
    if name is None or fields is None or any(e is None for e in exprs.values()):
        return None
    department, amount, period = (exprs[k] for k in LEDGER_REQUIRED[1:])
    assert department is not None and amount is not None and period is not None
    return LedgerSpec(name, title or Text(name), department, amount, period, fields)


def _fields(r: Reader, m: LineMap, where: Place) -> tuple[tuple[str, Expression], ...] | None:
    if "fields" not in m:
        return ()
    inner = r.mapping(
        m["fields"],
        places.key_of("fields", where),
        m.line_of("fields"),
        "`{last_year: last_year_amount}`",
    )
    if inner is None:
        return None
    found: list[tuple[str, Expression]] = []
    for key in inner:
        expr = compile_in(r, inner[key], places.key_of(str(key), where), inner.line_of(key))
        if expr is None:
            return None
        found.append((str(key), expr))
    return tuple(found)
