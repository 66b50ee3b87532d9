"""A typed view as a JSON document for people who read JSON (the CLI's ``--json``): names
in the chosen language beside the ids, labels beside the states, local times.

A ``Person`` field ``x`` becomes ``x`` (the login) and ``x_name``; a ``Dept`` field becomes
its code and ``…_name``; a ``NodeRef`` field ``node`` becomes ``node_id`` and ``node`` (its
name); a state, and a message's ``event``, becomes its value and ``…_label``; a field
holding a whole view (``task``, ``summary``) is merged into its parent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from oaflow.domain.states import InstanceState, TaskState
from oaflow.domain.text import Text
from oaflow.present.words import (
    delivery_status_label,
    event_label,
    local_time,
    message_label,
    outbox_status_label,
    state_label,
    status_text,
)
from oaflow.services.messages import Delivery, OutboxMessage
from oaflow.services.views import Dept, NodeRef, Person, ProgressRow, Sla, TimelineEntry

MERGED = ("task", "summary")


def jsonable(value: Any, lang: str, tz: str) -> Any:
    if isinstance(value, Text):
        return value.get(lang)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _record(value, lang, tz)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return local_time(value, tz)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, lang, tz) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, lang, tz) for v in value]
    return value


def _record(view: Any, lang: str, tz: str) -> dict[str, Any]:
    if isinstance(view, Person):
        return {"login": view.login, "name": view.name.get(lang)}
    if isinstance(view, Dept):
        return {"code": view.code, "name": view.name.get(lang)}
    if isinstance(view, NodeRef):
        return {"node_id": view.id, "node": view.name.get(lang)}
    out: dict[str, Any] = {}
    for f in dataclasses.fields(view):
        _put(out, f.name, getattr(view, f.name), lang, tz)
    if isinstance(view, ProgressRow):
        out["status"] = status_text(view, lang)
    if isinstance(view, TimelineEntry):
        out["event"] = event_label(view.kind, lang)
    if isinstance(view, OutboxMessage):
        out["status_label"] = outbox_status_label(view.status, lang)
    if isinstance(view, Delivery):
        out["status_label"] = delivery_status_label(view.status, lang)
    return out


def _put(out: dict[str, Any], name: str, value: Any, lang: str, tz: str) -> None:
    if name in MERGED and dataclasses.is_dataclass(value):
        out.update(_record(value, lang, tz))
    elif isinstance(value, Person) or (value is None and name in _PEOPLE):
        out[name] = value.login if value else None
        out[f"{name}_name"] = value.name.get(lang) if value else ""
    elif isinstance(value, Dept) or (value is None and name in _DEPTS):
        out[name] = value.code if value else None
        out[f"{name}_name"] = value.name.get(lang) if value else ""
    elif isinstance(value, NodeRef):
        out[f"{name}_id"] = value.id
        out[name] = value.name.get(lang)
    elif isinstance(value, tuple) and value and isinstance(value[0], Person | Dept):
        out[name] = [p.login if isinstance(p, Person) else p.code for p in value]
        out[f"{name.removesuffix('s')}_names"] = [p.name.get(lang) for p in value]
    elif name == "event" and isinstance(value, str):  # a message's event (NTF-1)
        out[name] = value
        out["event_label"] = message_label(value, lang)
    elif isinstance(value, TaskState | InstanceState | Sla):
        out[name] = value.value
        out[f"{name}_label"] = state_label(value, lang)
    else:
        out[name] = jsonable(value, lang, tz)


_PEOPLE = frozenset(
    {
        "assignee",
        "on_behalf_of",
        "finished_by",
        "owner",
        "actor",
        "reporter",
        "as_deputy_of",
        "delegated_to",
        "initiator",
        "user",
        "deputy",
    }
)
_DEPTS = frozenset({"department", "reporter_department"})
