"""The engine's hot path in plain SQL on the driver's cursor (see docs/adr/0002).

A task action reads the task with the other open tasks of its instance, then the instance
(with the organisation's revision), and writes: the task, the instance (its version check
serialises concurrent actions), new tasks and history rows. Built through SQLAlchemy, each
statement cost several times what SQLite needs to run it; here each is one string, made
once per dialect from the column lists of ``tables.py`` (which stays the one schema), and
executed inside the caller's SQLAlchemy transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection

from oaflow.domain.model import Event, ExceptionOpening, InstanceRecord, Message, TaskRecord
from oaflow.domain.states import OPEN_TASK_STATES
from oaflow.storage.org_repo import REVISION
from oaflow.storage.runtime_repo import instance_record, task_record
from oaflow.storage.tables import history, instances, tasks

TASK_COLUMNS = [c.name for c in tasks.columns]
INSTANCE_COLUMNS = [c.name for c in instances.columns]
_TASK_JSON = {"candidates", "outputs", "sla_fired"}
_INSTANCE_JSON = {"data", "tokens"}
_TASK_TIMES = {
    "created_at",
    "due_at",
    "acked_at",
    "finished_at",
    "check_at",
    "paused_at",
    "dispatched_at",
}
_INSTANCE_TIMES = {"started_at", "ended_at"}
_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_TASK_STATES))
_TASK_WRITABLE = [
    "state",
    "assignee",
    "progress",
    "note",
    "outputs",
    "acked_at",
    "finished_at",
    "finished_by",
    "due_at",
    "check_at",
    "paused_at",
    "dispatched_at",
    "sla_fired",
    "exception",
]
_INSTANCE_WRITABLE = ["state", "data", "tokens", "ended_at", "event_seq"]
_NEW_TASK = [c for c in TASK_COLUMNS if c != "id"]
_EVENT = ["instance_id", "seq", "at", "kind", "node_id", "task_id", "actor", "data"]
_MESSAGE = [
    "message_id",
    "event",
    "recipients",
    "data",
    "instance_id",
    "task_id",
    "created_at",
    "status",
    "attempts",
    "next_attempt_at",
]
_EXCEPTION = [
    "code",
    "instance_id",
    "task_id",
    "node_id",
    "description",
    "reporter",
    "reported_at",
    "state",
]


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


def _json_param(name: str, dialect: str) -> str:
    return f"CAST(:{name} AS JSON)" if dialect == "postgresql" else f":{name}"


def _assignments(columns: Iterable[str], json_columns: set[str], dialect: str) -> str:
    return ", ".join(
        f"{c} = {_json_param(c, dialect) if c in json_columns else ':' + c}" for c in columns
    )


def _values(columns: Sequence[str], json_columns: set[str], dialect: str) -> str:
    return ", ".join(_json_param(c, dialect) if c in json_columns else f":{c}" for c in columns)


def _statements(dialect: str) -> dict[str, str]:
    task_cols = ", ".join(TASK_COLUMNS)
    sql = {
        "load_action": f"SELECT {', '.join('t.' + c for c in TASK_COLUMNS)}, "
        f"{', '.join('i.' + c for c in INSTANCE_COLUMNS)}, (SELECT value FROM settings WHERE "
        f"name = '{REVISION}') FROM tasks t JOIN instances i ON i.id = t.instance_id "
        "WHERE t.instance_id = (SELECT instance_id FROM tasks WHERE id = :tid) "
        f"AND (t.id = :tid OR t.state IN ({_OPEN})) ORDER BY t.id",
        "org_revision": f"SELECT value FROM settings WHERE name = '{REVISION}'",
        "round_tasks": f"SELECT {task_cols} FROM tasks WHERE instance_id = :iid AND node_id = "
        ":node AND round = :round ORDER BY id",
        "insert_task": f"INSERT INTO tasks ({', '.join(_NEW_TASK)}) VALUES "
        f"({_values(_NEW_TASK, _TASK_JSON, dialect)}) RETURNING id",
        "insert_candidate": "INSERT INTO task_candidates (task_id, login) "
        "VALUES (:task_id, :login)",
        "insert_event": f"INSERT INTO {history.name} ({', '.join(_EVENT)}) VALUES "
        f"({_values(_EVENT, {'data'}, dialect)})",
        "insert_message": f"INSERT INTO outbox ({', '.join(_MESSAGE)}) VALUES "
        f"({_values(_MESSAGE, {'recipients', 'data'}, dialect)}) "
        "ON CONFLICT (message_id) DO NOTHING",
        "insert_inbox": "INSERT INTO inbox (message_id, login, created_at) VALUES "
        "(:message_id, :login, :created_at)",
        "use_link": "INSERT INTO used_links (nonce, task_id, used_at) VALUES "
        "(:nonce, :task_id, :used_at) ON CONFLICT (nonce) DO NOTHING",
        "insert_exception": f"INSERT INTO exceptions ({', '.join(_EXCEPTION)}) VALUES "
        f"({_values(_EXCEPTION, set(), dialect)})",
        "next_sequence": "INSERT INTO sequences (scope, value) VALUES (:scope, 1) ON CONFLICT "
        "(scope) DO UPDATE SET value = sequences.value + 1 RETURNING value",
    }
    claim = (
        "SELECT id FROM tasks WHERE check_at IS NOT NULL AND check_at <= :now "
        "ORDER BY check_at LIMIT 1"
    )
    sql["claim_due"] = claim + (" FOR UPDATE SKIP LOCKED" if dialect == "postgresql" else "")
    sql["defer_check"] = "UPDATE tasks SET check_at = :at WHERE id = :id AND check_at IS NOT NULL"
    sql["next_due"] = "SELECT min(check_at) FROM tasks WHERE check_at IS NOT NULL"
    if dialect == "postgresql":
        sql = {k: re.sub(r"(?<!:):(\w+)", r"%(\1)s", v) for k, v in sql.items()}
    return sql


_SQL = {name: _statements(name) for name in ("sqlite", "postgresql")}
_JSON_COLUMNS = {"tasks": _TASK_JSON, "instances": _INSTANCE_JSON}
_UPDATES: dict[tuple[str, str, tuple[str, ...]], str] = {}


def _update_sql(dialect: str, table: str, columns: tuple[str, ...]) -> str:
    """``UPDATE table SET columns…, version = version + 1`` checking id and version, made
    once per dialect, table and set of columns."""
    key = (dialect, table, columns)
    found = _UPDATES.get(key)
    if found is None:
        sets = [_assignments(columns, _JSON_COLUMNS[table], dialect)] if columns else []
        found = (
            f"UPDATE {table} SET {', '.join([*sets, 'version = version + 1'])} "
            "WHERE id = :id AND version = :version"
        )
        if dialect == "postgresql":
            found = re.sub(r"(?<!:):(\w+)", r"%(\1)s", found)
        _UPDATES[key] = found
    return found


@lru_cache(maxsize=1024)
def _sqlite_time(value: datetime) -> str:
    """A UTC time in SQLAlchemy's SQLite text format (one action writes the same instant
    several times: each conversion is made once)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


@lru_cache(maxsize=4096)
def _parse_sqlite_time(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _json_out(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str) else value


def _same(new: Any, stored: Any, is_json: bool) -> bool:
    """Whether a column's new value (as it is written) equals the one read; JSON texts that
    differ only in spacing or key order are the same value."""
    if new == stored:
        return True
    return is_json and isinstance(stored, str) and orjson.loads(stored) == orjson.loads(new)


class HotPath:
    """The hot path's reads and writes on one connection's driver cursor, for one
    transaction. It remembers the rows it read, so that an update writes only the columns
    that changed (an unchanged indexed column costs its index pages at commit)."""

    def __init__(self, dbapi: Any, dialect: str) -> None:
        self.dialect = dialect
        self.sql = _SQL[dialect]
        self.cursor: Any = dbapi.cursor()
        self.sqlite = dialect == "sqlite"
        #: (table, id) -> the stored values of the row as read (JSON as text)
        self._read: dict[tuple[str, int], dict[str, Any]] = {}
        #: the organisation's revision as read by ``load_action`` in this transaction
        self.org_revision: int | None = None

    @classmethod
    def on(cls, conn: Connection) -> HotPath:
        """The hot path inside a SQLAlchemy connection's transaction."""
        return cls(conn.connection.dbapi_connection, conn.dialect.name)

    # -- conversions --------------------------------------------------------------------
    def _time_in(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        return _sqlite_time(value)

    def _time_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return _parse_sqlite_time(value)
        assert isinstance(value, datetime)
        return value.astimezone(UTC)

    # -- reads --------------------------------------------------------------------------
    def load_action(self, task_id: int) -> tuple[list[TaskRecord], InstanceRecord, int] | None:
        """In one query: the task (first), the other open tasks of its instance, the
        instance, and the organisation's revision; None if the task does not exist."""
        self.cursor.execute(self.sql["load_action"], {"tid": task_id})
        rows = self.cursor.fetchall()
        if not rows:
            return None
        width = len(TASK_COLUMNS)
        tasks = [self._task(row[:width]) for row in rows]
        first = rows[0]
        instance = self._instance(first[width:-1])
        self.org_revision = int(first[-1] or 0)
        return sorted(tasks, key=lambda t: t.id != task_id), instance, self.org_revision

    def round_tasks(self, instance_id: int, node_id: str, round_: int) -> list[TaskRecord]:
        """Every task of one round of a multi-instance node, in creation order."""
        self.cursor.execute(
            self.sql["round_tasks"], {"iid": instance_id, "node": node_id, "round": round_}
        )
        return [self._task(row) for row in self.cursor.fetchall()]

    def org_revision_now(self) -> int:
        """The organisation's revision in this transaction (as ``load_action`` read it, or
        read now): the key of the organisation and delegations the services cache."""
        if self.org_revision is None:
            self.cursor.execute(self.sql["org_revision"])
            row = self.cursor.fetchone()
            self.org_revision = int(row[0]) if row else 0
        return self.org_revision

    def _remember(self, table: str, stored: dict[str, Any], json_columns: set[str]) -> None:
        if not self.sqlite:  # psycopg hands JSON over parsed: keep its text
            stored = {**stored, **{c: json_text(stored[c]) for c in json_columns}}
        self._read[table, stored["id"]] = stored

    def _task(self, row: Sequence[Any]) -> TaskRecord:
        stored = dict(zip(TASK_COLUMNS, row, strict=True))
        self._remember("tasks", stored, _TASK_JSON)
        m = dict(stored)
        for c in _TASK_TIMES:
            m[c] = self._time_out(m[c])
        for c in _TASK_JSON:
            m[c] = _json_out(m[c])
        return task_record(m)

    def _instance(self, row: Sequence[Any]) -> InstanceRecord:
        stored = dict(zip(INSTANCE_COLUMNS, row, strict=True))
        self._remember("instances", stored, _INSTANCE_JSON)
        m = dict(stored)
        for c in _INSTANCE_TIMES:
            m[c] = self._time_out(m[c])
        for c in _INSTANCE_JSON:
            m[c] = _json_out(m[c])
        return instance_record(m)

    # -- writes -------------------------------------------------------------------------
    def _update(self, table: str, params: dict[str, Any], columns: list[str]) -> bool:
        """UPDATE the row ``params["id"]`` at ``params["version"]``: the ``columns`` whose
        value differs from the one read in this transaction (all of them for a row not
        read), and the version."""
        stored = self._read.get((table, params["id"]))
        if stored is not None:
            json_columns = _JSON_COLUMNS[table]
            columns = [c for c in columns if not _same(params[c], stored[c], c in json_columns)]
        self.cursor.execute(_update_sql(self.dialect, table, tuple(columns)), params)
        if self.cursor.rowcount != 1:
            return False
        if stored is not None:
            stored.update({c: params[c] for c in columns}, version=params["version"] + 1)
        return True

    def update_task(self, rec: TaskRecord) -> bool:
        params = {c: getattr(rec, c) for c in _TASK_WRITABLE}
        params.update(
            id=rec.id,
            version=rec.version,
            state=rec.state.value,
            outputs=json_text(rec.outputs),
            sla_fired=json_text(list(rec.sla_fired)),
        )
        for c in _TASK_TIMES & params.keys():
            params[c] = self._time_in(params[c])
        return self._update("tasks", params, _TASK_WRITABLE)

    def update_instance(self, rec: InstanceRecord, expected_version: int) -> bool:
        params = {
            "id": rec.id,
            "version": expected_version,
            "state": rec.state.value,
            "data": json_text(rec.data),
            "tokens": json_text(rec.tokens),
            "ended_at": self._time_in(rec.ended_at),
            "event_seq": rec.event_seq,
        }
        return self._update("instances", params, _INSTANCE_WRITABLE)

    def insert_task(self, rec: TaskRecord) -> None:
        params = {c: getattr(rec, c) for c in _NEW_TASK}
        params.update(
            state=rec.state.value,
            candidates=json_text(list(rec.candidates)),
            outputs=json_text(rec.outputs),
            sla_fired=json_text(list(rec.sla_fired)),
        )
        for c in _TASK_TIMES:
            params[c] = self._time_in(params[c])
        self.cursor.execute(self.sql["insert_task"], params)
        rec.id = int(self.cursor.fetchone()[0])
        for login in rec.candidates:
            self.cursor.execute(self.sql["insert_candidate"], {"task_id": rec.id, "login": login})

    def insert_events(
        self, instance_id: int, first_seq: int, events: Sequence[Event], at: datetime
    ) -> None:
        when = self._time_in(at)
        rows = [
            {
                "instance_id": instance_id,
                "seq": first_seq + i,
                "at": when,
                "kind": e.kind,
                "node_id": e.node_id,
                "task_id": e.task.id if e.task else None,
                "actor": e.actor,
                "data": json_text(e.data),
            }
            for i, e in enumerate(events)
        ]
        if rows:
            self.cursor.executemany(self.sql["insert_event"], rows)

    def next_sequence(self, scope: str) -> int:
        """The next number of ``scope`` (gap-free: it commits with what uses it)."""
        self.cursor.execute(self.sql["next_sequence"], {"scope": scope})
        return int(self.cursor.fetchone()[0])

    def insert_messages(
        self, instance_id: int | None, messages: Sequence[Message], at: datetime
    ) -> int:
        """Outgoing messages into the outbox; a message id already there is left as it is.
        How many were new."""
        when = self._time_in(at)
        new = 0
        for m in messages:
            self.cursor.execute(
                self.sql["insert_message"],
                {
                    "message_id": m.key,
                    "event": m.event,
                    "recipients": json_text(list(m.recipients)),
                    "data": json_text(m.data),
                    "instance_id": instance_id,
                    "task_id": m.task.id if m.task else None,
                    "created_at": when,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": when,
                },
            )
            if self.cursor.rowcount != 1:
                continue  # already there, with its in-app copies
            new += 1
            if m.recipients:  # the in-app notification centre (NTF-2)
                self.cursor.executemany(
                    self.sql["insert_inbox"],
                    [
                        {"message_id": m.key, "login": r, "created_at": when}
                        for r in dict.fromkeys(m.recipients)
                    ],
                )
        return new

    def use_link(self, nonce: str, task_id: int, at: datetime) -> bool:
        """Record an action link's single use; False when it was used before."""
        params = {"nonce": nonce, "task_id": task_id, "used_at": self._time_in(at)}
        self.cursor.execute(self.sql["use_link"], params)
        return bool(self.cursor.rowcount == 1)

    def insert_exception(self, instance_id: int, opening: ExceptionOpening, at: datetime) -> None:
        self.cursor.execute(
            self.sql["insert_exception"],
            {
                "code": opening.code,
                "instance_id": instance_id,
                "task_id": opening.task.id,
                "node_id": opening.node_id,
                "description": opening.description,
                "reporter": opening.reporter,
                "reported_at": self._time_in(at),
                "state": "open",
            },
        )

    def claim_due(self, now: datetime) -> int | None:
        """A task whose SLA check is due at ``now``, locked for this transaction (PostgreSQL:
        rows other workers hold are skipped; SQLite: the write lock serialises workers)."""
        self.cursor.execute(self.sql["claim_due"], {"now": self._time_in(now)})
        row = self.cursor.fetchone()
        return int(row[0]) if row else None

    def next_due(self) -> datetime | None:
        self.cursor.execute(self.sql["next_due"])
        row = self.cursor.fetchone()
        return self._time_out(row[0]) if row else None

    def defer_check(self, task_id: int, at: datetime) -> None:
        """Move a task's pending SLA check to ``at`` (a check that failed)."""
        self.cursor.execute(self.sql["defer_check"], {"id": task_id, "at": self._time_in(at)})
