"""The one write of a migration between versions (VER-4), beside the engine's hot path: the
instance's version, data, tokens and history, the node of its tasks, exception records and
calls of other systems — in the caller's transaction, at the version the instance was read at
(``RuntimeStore.write`` is left as it is: a migration writes columns no command changes).

The values of sensitive fields are sealed anew for the target version: the set of sensitive
fields may differ between versions (docs/adr/0008)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from oaflow.domain.integration import OPEN_CALL_STATES
from oaflow.domain.model import Event, InstanceRecord, TaskRecord
from oaflow.domain.states import InstanceState
from oaflow.storage.runtime_rows import json_text, sealed_data, sealed_outputs, tokens_json
from oaflow.storage.runtime_sql import for_driver, update_sql
from oaflow.storage.runtime_store import InstanceMoved, RuntimeStore
from oaflow.storage.tables import exceptions, instances, service_calls

_INSTANCE_COLUMNS = ("definition_id", "data", "tokens", "event_seq", "changed_at", "last_hash")


def running_keys(conn: Connection, definition_id: int) -> list[str]:
    """The business keys of the running instances of one version, oldest first."""
    query = (
        select(instances.c.business_key)
        .where(instances.c.definition_id == definition_id)
        .where(instances.c.state == InstanceState.RUNNING.value)
        .order_by(instances.c.id)
    )
    return [str(k) for k in conn.execute(query).scalars()]


def running_counts(conn: Connection, key: str) -> dict[int, int]:
    """Version id -> how many of its instances run, for the versions of process ``key``."""
    query = (
        select(instances.c.definition_id, func.count())
        .where(instances.c.definition_key == key)
        .where(instances.c.state == InstanceState.RUNNING.value)
        .group_by(instances.c.definition_id)
    )
    return {int(d): int(n) for d, n in conn.execute(query).all()}


def waiting_nodes(conn: Connection, instance_id: int) -> list[str]:
    """The service nodes where the instance waits for another system (open calls, INT-2)."""
    query = (
        select(service_calls.c.node_id)
        .where(service_calls.c.instance_id == instance_id)
        .where(service_calls.c.state.in_(OPEN_CALL_STATES))
        .order_by(service_calls.c.id)
    )
    return [str(n) for n in conn.execute(query).scalars()]


def write(
    store: RuntimeStore,
    instance: InstanceRecord,
    tasks: Sequence[TaskRecord],
    moved: Sequence[TaskRecord],
    moves: Mapping[str, str],
    event: Event,
    at: datetime,
    reseal_outputs: bool,
) -> None:
    """Write a migrated ``instance`` (its ``definition_id`` already the target's) at the
    version it was read at, with ``event`` in its history; ``tasks`` are all its tasks,
    ``moved`` those whose node ``moves`` (old -> new) renamed. ``reseal_outputs``: the
    versions' sensitive fields differ, so every task's outputs are sealed anew. Another
    transaction changed the instance or one of its tasks meanwhile: ``InstanceMoved``
    (nothing is kept)."""
    rows = store.chained_events(instance, [event], at)
    params: dict[str, Any] = {
        "id": instance.id,
        "version": instance.version,
        "definition_id": instance.definition_id,
        "data": sealed_data(store.fields, instance, store),
        "tokens": json_text(tokens_json(instance.tokens)),
        "event_seq": instance.event_seq,
        "changed_at": store._time_in(instance.changed_at),
        "last_hash": instance.last_hash,
    }
    _update(store, "instances", _INSTANCE_COLUMNS, params)
    instance.version += 1
    renamed = {id(t) for t in moved}
    for task in tasks:
        if id(task) in renamed or (reseal_outputs and task.outputs):
            _write_task(store, task, instance.definition_id)
    _rename(store, _EXCEPTIONS_OF, "exceptions", instance.id or 0, moves)
    _rename(store, _CALLS_OF, "service_calls", instance.id or 0, moves)
    store.cursor.executemany(store.sql["insert_event"], rows)


def _write_task(store: RuntimeStore, task: TaskRecord, definition_id: int) -> None:
    outputs = sealed_outputs(store.fields, task, lambda _: definition_id, store)
    params = {"id": task.id, "version": task.version, "node_id": task.node_id, "outputs": outputs}
    _update(store, "tasks", ("node_id", "outputs"), params)
    task.version += 1


def _rename(
    store: RuntimeStore, statement: str, table: str, instance_id: int, moves: Mapping[str, str]
) -> None:
    """The instance's exception records and calls of other systems follow their nodes (read
    first: a rename chain ``a=b, b=c`` must not move a row twice)."""
    if not moves:
        return
    store.cursor.execute(_sql(store, statement), {"iid": instance_id})
    for row_id, node_id in store.cursor.fetchall():
        if node_id in moves:
            update = f"UPDATE {table} SET node_id = :node_id WHERE id = :id"
            store.cursor.execute(_sql(store, update), {"id": row_id, "node_id": moves[node_id]})


_EXCEPTIONS_OF = f"SELECT id, node_id FROM {exceptions.name} WHERE instance_id = :iid ORDER BY id"
_CALLS_OF = f"SELECT id, node_id FROM {service_calls.name} WHERE instance_id = :iid ORDER BY id"


def _update(store: RuntimeStore, table: str, columns: tuple[str, ...], params: Any) -> None:
    store.cursor.execute(update_sql(store.dialect, table, columns), params)
    if store.cursor.rowcount != 1:
        raise InstanceMoved


def _sql(store: RuntimeStore, statement: str) -> str:
    return for_driver(statement, store.dialect)
