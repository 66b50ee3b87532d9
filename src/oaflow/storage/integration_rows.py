"""What a decision writes for service nodes and ledgers (INT-2, ARC-2), on the runtime
store's cursor in its transaction: open calls of nodes the instance left behind are
cancelled, new calls are opened due at once, and ledger rows take their new values."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Protocol

import orjson

from oaflow.domain.model import Decision
from oaflow.storage.runtime_sql import for_driver, json_param

_CANCEL = (
    "UPDATE service_calls SET state = 'cancelled', next_at = NULL, finished_at = :at "
    "WHERE instance_id = :iid AND node_id = :node AND state IN ('pending', 'running', 'incident')"
)
_OPEN = (
    "INSERT INTO service_calls (instance_id, node_id, round, service, idempotency_key, "
    "payload, state, attempts, next_at, last_error, reference, created_at, resolution) "
    "VALUES (:iid, :node, :round, :service, :key, {payload}, 'pending', 0, :at, '', '', :at, '')"
)
_LEDGER = (
    "INSERT INTO ledger_entries (process_key, ledger, title_zh, title_en, department, period, "
    "amount, fields, instance_id, business_key, node_id, updated_at) VALUES (:process, "
    ":ledger, :zh, :en, :department, :period, :amount, {fields}, :iid, :bkey, :node, :at) "
    "ON CONFLICT (process_key, ledger, department, period) DO UPDATE SET "
    "title_zh = excluded.title_zh, title_en = excluded.title_en, amount = excluded.amount, "
    "fields = excluded.fields, instance_id = excluded.instance_id, "
    "business_key = excluded.business_key, node_id = excluded.node_id, "
    "updated_at = excluded.updated_at"
)


class Cursor(Protocol):
    """What ``record`` needs of the runtime store (storage/runtime_store.py)."""

    dialect: str
    cursor: Any

    def _time_in(self, value: datetime | None) -> Any: ...


@cache  # the hot path (every decision): translate each statement once per dialect
def _sql(statement: str, dialect: str) -> str:
    for name in ("payload", "fields"):
        statement = statement.replace("{" + name + "}", json_param(name, dialect))
    return for_driver(statement, dialect)


def record(store: Cursor, instance_id: int, decision: Decision) -> None:
    """Write the calls cancelled and opened and the ledger rows of ``decision``."""
    at = store._time_in(decision.at)
    for node_id in dict.fromkeys(decision.calls_cancelled):
        params = {"iid": instance_id, "node": node_id, "at": at}
        store.cursor.execute(_sql(_CANCEL, store.dialect), params)
    for call in decision.service_calls:
        params = {
            "iid": instance_id,
            "node": call.node_id,
            "round": call.round,
            "service": call.service,
            "key": call.idempotency_key,
            "payload": _json(call.payload),
            "at": at,
        }
        store.cursor.execute(_sql(_OPEN, store.dialect), params)
    instance = decision.instance
    for row in decision.ledger_entries:
        params = {
            "process": instance.definition_key,
            "ledger": row.ledger,
            "zh": row.title.zh,
            "en": row.title.en,
            "department": row.department,
            "period": row.period,
            "amount": row.amount,
            "fields": _json(dict(row.fields)),
            "iid": instance_id,
            "bkey": instance.business_key,
            "node": row.node_id,
            "at": at,
        }
        store.cursor.execute(_sql(_LEDGER, store.dialect), params)


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()
