"""How a row of the runtime tables becomes a record and back: the one place where the
instance's tokens are turned into JSON and read from it (both the store's plain SQL and
the SQLAlchemy reads use it), so that every way in and out keeps the same shape.

The tokens' JSON (kept as it was before they were typed, so stored instances read as they
are): ``{"visits": {node: n}, "joins": {node: [node…]}, "sequence": {node: [login…]},
"added_signers": {node: [{"login", "kind", "for"}]}, "last_approver": login,
"urged": {"task id": "ISO instant"}}``; empty parts are left out, and an added signer
whose own task is open has ``"for": -1``.

It is also where the values of sensitive fields in an instance's data and a task's outputs
are sealed on their way to JSON and opened on their way back (SEC-3, docs/adr/0008).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson

from oaflow.domain.model import AddedSigner, InstanceRecord, SignerPosition, TaskRecord, Tokens
from oaflow.domain.states import InstanceState, TaskState
from oaflow.storage.crypto import is_sealed
from oaflow.storage.sealing import KeyChecks, SensitiveFields, instance_place, task_place

#: ``for`` of an added signer whose own task is open
_OWN_TASK = -1
_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def json_text(value: Any) -> str:
    """``value`` as JSON text: UTF-8 as it is (no \\u escapes), anything else through
    ``str`` (dates, datetimes, dataclasses), as ``json.dumps(..., default=str)`` did."""
    try:
        return orjson.dumps(value, default=str, option=_JSON_OPTIONS).decode()
    except TypeError:  # keys that are not strings
        return orjson.dumps(
            value, default=str, option=_JSON_OPTIONS | orjson.OPT_NON_STR_KEYS
        ).decode()


def sealed_data(fields: SensitiveFields, rec: InstanceRecord, checks: KeyChecks) -> str:
    """An instance's data as JSON text, the values of its sensitive fields sealed."""
    names = fields.names(rec.definition_id)
    return json_text(fields.seal(rec.data, names, instance_place(rec.business_key), checks))


def sealed_outputs(
    fields: SensitiveFields,
    rec: TaskRecord,
    definition_of: Callable[[int], int],
    checks: KeyChecks,
) -> str:
    """A task's outputs as JSON text, the values of sensitive fields sealed (the task has
    its id: a value is sealed for its place). ``definition_of`` gives the version of an
    instance by its id (asked only when there are outputs)."""
    if not rec.outputs:
        return json_text(rec.outputs)
    names = fields.names(definition_of(rec.instance_id))
    return json_text(fields.seal(rec.outputs, names, task_place(rec.id or 0), checks))


def opened_data(fields: SensitiveFields, m: Mapping[str, Any]) -> dict[str, Any]:
    """The data of an instance row (JSON already parsed), its sealed values opened."""
    data: dict[str, Any] = m["data"]
    names = fields.names(m["definition_id"])
    if not names:
        return data
    return fields.open(data, names, lambda: instance_place(m["business_key"]))


def opened_outputs(
    fields: SensitiveFields, m: Mapping[str, Any], definition_of: Callable[[int], int]
) -> dict[str, Any]:
    """The outputs of a task row (JSON already parsed), its sealed values opened;
    ``definition_of`` gives the version of an instance by its id (asked only when a value
    looks sealed: most tasks have no outputs yet)."""
    outputs: dict[str, Any] = m["outputs"]
    if not any(map(is_sealed, outputs.values())):
        return outputs
    names = fields.names(definition_of(m["instance_id"]))
    return fields.open(outputs, names, lambda: task_place(m["id"]))


def tokens_json(tokens: Tokens) -> dict[str, Any]:
    """The JSON value of an instance's tokens."""
    value: dict[str, Any] = {
        "visits": tokens.visits,
        "joins": tokens.joins,
        "sequence": tokens.sequence,
        "added_signers": {
            node: [_signer_json(s) for s in signers]
            for node, signers in tokens.added_signers.items()
        },
        "last_approver": tokens.last_approver,
        "urged": {str(task): at.isoformat() for task, at in tokens.urged.items()},
    }
    return {key: part for key, part in value.items() if part}


def _signer_json(signer: AddedSigner) -> dict[str, Any]:
    for_task = _OWN_TASK if signer.for_task is None else signer.for_task
    return {"login": signer.login, "kind": signer.position, "for": for_task}


def tokens_from_json(value: Mapping[str, Any]) -> Tokens:
    """An instance's tokens from their JSON value."""
    get = value.get
    joins, sequence, added, urged = (
        get(k) for k in ("joins", "sequence", "added_signers", "urged")
    )
    return Tokens(
        visits=dict(get("visits") or {}),
        joins={node: list(arrived) for node, arrived in joins.items()} if joins else {},
        sequence={node: list(queue) for node, queue in sequence.items()} if sequence else {},
        added_signers=(
            {node: [_signer(e) for e in entries] for node, entries in added.items()}
            if added
            else {}
        ),
        last_approver=get("last_approver"),
        urged={int(t): datetime.fromisoformat(at) for t, at in urged.items()} if urged else {},
    )


def _signer(entry: Mapping[str, Any]) -> AddedSigner:
    for_task = entry["for"]
    position: SignerPosition = "before" if entry["kind"] == "before" else "after"
    return AddedSigner(entry["login"], position, None if for_task == _OWN_TASK else for_task)


def task_record(m: Mapping[str, Any]) -> TaskRecord:
    """A task from a row's values (JSON and times already converted)."""
    return TaskRecord(
        id=m["id"],
        instance_id=m["instance_id"],
        node_id=m["node_id"],
        round=m["round"],
        state=TaskState(m["state"]),
        created_at=m["created_at"],
        department=m["department"],
        assignee=m["assignee"],
        candidates=tuple(m["candidates"]),
        due_at=m["due_at"],
        progress=m["progress"],
        note=m["note"],
        outputs=m["outputs"],
        acked_at=m["acked_at"],
        finished_at=m["finished_at"],
        finished_by=m["finished_by"],
        dispatched_at=m["dispatched_at"],
        check_at=m["check_at"],
        paused_at=m["paused_at"],
        sla_fired=tuple(m["sla_fired"]),
        exception=m["exception"],
        on_behalf_of=m["on_behalf_of"],
        work_seconds=m["work_seconds"],
        span_seconds=m["span_seconds"],
        late_seconds=m["late_seconds"],
        version=m["version"],
    )


def instance_record(m: Mapping[str, Any]) -> InstanceRecord:
    """An instance from a row's values (JSON and times already converted)."""
    return InstanceRecord(
        id=m["id"],
        business_key=m["business_key"],
        definition_id=m["definition_id"],
        definition_key=m["definition_key"],
        state=InstanceState(m["state"]),
        title=m["title"],
        initiator=m["initiator"],
        department=m["department"],
        priority=m["priority"],
        started_at=m["started_at"],
        data=m["data"],
        tokens=tokens_from_json(m["tokens"]),
        ended_at=m["ended_at"],
        version=m["version"],
        event_seq=m["event_seq"],
        changed_at=m["changed_at"],
        last_hash=m["last_hash"],
        work_seconds=m["work_seconds"],
        span_seconds=m["span_seconds"],
    )
