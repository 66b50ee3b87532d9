"""The sensitive values of instance data and task outputs a batch of rows at a time: counted
by the key that sealed them (``oaflow keys status``) and sealed anew with the current key
(``oaflow keys rotate``), plain values of sensitive fields from before encryption included
(docs/adr/0008). The rows are written through the runtime store, their only writer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select

from oaflow.storage.crypto import is_sealed, key_id_of
from oaflow.storage.runtime_rows import json_text
from oaflow.storage.runtime_store import RuntimeStore
from oaflow.storage.sealing import Place, instance_place, task_place
from oaflow.storage.tables import instances, tasks

#: the tables whose rows hold sensitive values, in the order they are gone through
TABLES = ("instances", "tasks")
#: the key id under which plain values of sensitive fields are counted
PLAIN = ""


@dataclass(frozen=True)
class Row:
    """One row's sensitive values: where they are kept and the column's parsed JSON."""

    id: int
    place: Place
    definition_id: int
    values: dict[str, Any]


def _query(table: str) -> Select[Any]:
    if table == "instances":
        return select(
            instances.c.id,
            instances.c.business_key,
            instances.c.definition_id,
            instances.c.data.label("values"),
        )
    return select(tasks.c.id, instances.c.definition_id, tasks.c.outputs.label("values")).join(
        instances, instances.c.id == tasks.c.instance_id
    )


def rows_after(
    conn: Connection, table: str, after: int, limit: int, lock: bool = False
) -> list[Row]:
    """Up to ``limit`` rows of ``table`` with an id above ``after``, by id; with ``lock``,
    locked for the transaction (PostgreSQL; SQLite's write transaction holds them all)."""
    id_column = instances.c.id if table == "instances" else tasks.c.id
    query = _query(table).where(id_column > after).order_by(id_column).limit(limit)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=instances if table == "instances" else tasks)
    return [_row(table, dict(r._mapping)) for r in conn.execute(query)]


def _row(table: str, m: dict[str, Any]) -> Row:
    place = instance_place(m["business_key"]) if table == "instances" else task_place(m["id"])
    return Row(m["id"], place, m["definition_id"], dict(m["values"] or {}))


def count_rows(conn: Connection, table: str) -> int:
    source = instances if table == "instances" else tasks
    return int(conn.execute(select(func.count()).select_from(source)).scalar_one())


def tally(store: RuntimeStore, rows: list[Row]) -> Counter[str]:
    """How many values of sensitive fields ``rows`` hold, by the id of the key that sealed
    them (``PLAIN`` for values kept plain)."""
    counts: Counter[str] = Counter()
    for row in rows:
        for name in store.fields.names(row.definition_id):
            value = row.values.get(name)
            if value is not None:
                counts[key_id_of(value) if is_sealed(value) else PLAIN] += 1
    return counts


def reseal(store: RuntimeStore, table: str, rows: list[Row]) -> int:
    """Seal with the current key every value of a sensitive field in ``rows`` that another
    key sealed or that is plain; how many values were sealed anew."""
    fields, resealed = store.fields, 0
    assert fields.cipher is not None
    current = fields.cipher.current
    for row in rows:
        stale = frozenset(
            name
            for name in fields.names(row.definition_id)
            if row.values.get(name) is not None
            and not (is_sealed(row.values[name]) and key_id_of(row.values[name]) == current)
        )
        if not stale:
            continue
        plain = {**row.values, **{n: _opened(store, row, n) for n in stale}}
        store.reseal(table, row.id, json_text(fields.seal(plain, stale, row.place, store)))
        resealed += len(stale)
    return resealed


def _opened(store: RuntimeStore, row: Row, name: str) -> Any:
    value = row.values[name]
    return store.fields.open_value(value, row.place, name) if is_sealed(value) else value
