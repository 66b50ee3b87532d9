"""The runtime store's statements as plain SQL (docs/adr/0002), made once per dialect from
the column lists of ``tables.py`` (which stays the one schema), and the conversions of
times and JSON between records and the drivers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

import orjson

from oaflow.domain.states import OPEN_TASK_STATES
from oaflow.storage.org_repo import REVISION
from oaflow.storage.tables import history, instances, tasks

TASK_COLUMNS = [c.name for c in tasks.columns]
INSTANCE_COLUMNS = [c.name for c in instances.columns]
TASK_JSON = {"candidates", "outputs", "sla_fired"}
INSTANCE_JSON = {"data", "tokens"}
TASK_TIMES = {
    "created_at",
    "due_at",
    "acked_at",
    "finished_at",
    "check_at",
    "paused_at",
    "dispatched_at",
}
INSTANCE_TIMES = {"started_at", "ended_at", "changed_at"}
JSON_COLUMNS = {"tasks": TASK_JSON, "instances": INSTANCE_JSON, "exceptions": {"sla_fired"}}
_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_TASK_STATES))
TASK_WRITABLE = [
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
    "work_seconds",
    "span_seconds",
    "late_seconds",
]
INSTANCE_WRITABLE = [
    "state",
    "title",
    "priority",
    "data",
    "tokens",
    "ended_at",
    "event_seq",
    "changed_at",
    "last_hash",
    "work_seconds",
    "span_seconds",
]
NEW_TASK = [c for c in TASK_COLUMNS if c != "id"]
NEW_INSTANCE = [c for c in INSTANCE_COLUMNS if c != "id"]
_EVENT = ["instance_id", "seq", "at", "kind", "node_id", "task_id", "actor", "data", "hash"]
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
    "found_at",
    "department",
    "report_due_at",
    "check_at",
    "sla_fired",
]
#: the columns of an exception record its loop changes (domain/exception_loop.py)
EXCEPTION_WRITABLE = (
    "description",
    "reporter",
    "reported_at",
    "state",
    "cause_category",
    "cause",
    "expected_at",
    "resources",
    "explained_by",
    "explained_at",
    "plan",
    "handler",
    "planned_at",
    "coordinated_by",
    "coordinated_at",
    "resolution",
    "resolved_by",
    "resolved_at",
    "verification",
    "verified_by",
    "verified_at",
    "reopen_reason",
    "reopened",
    "check_at",
    "sla_fired",
)
EXCEPTION_TIMES = frozenset(
    {
        "reported_at",
        "found_at",
        "report_due_at",
        "expected_at",
        "explained_at",
        "planned_at",
        "coordinated_at",
        "resolved_at",
        "verified_at",
        "check_at",
    }
)


def json_param(name: str, dialect: str) -> str:
    """The parameter ``name`` as a JSON value (PostgreSQL casts text to JSON)."""
    return f"CAST(:{name} AS JSON)" if dialect == "postgresql" else f":{name}"


def _assignments(columns: Iterable[str], json_columns: set[str], dialect: str) -> str:
    return ", ".join(
        f"{c} = {json_param(c, dialect) if c in json_columns else ':' + c}" for c in columns
    )


def _values(columns: Sequence[str], json_columns: set[str], dialect: str) -> str:
    return ", ".join(json_param(c, dialect) if c in json_columns else f":{c}" for c in columns)


def _named_to_pyformat(sql: str) -> str:
    """``:name`` parameters as psycopg's ``%(name)s``."""
    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


@cache  # statements are constants: each is translated once per dialect
def for_driver(statement: str, dialect: str) -> str:
    """A statement written with ``:name`` parameters, as the dialect's driver takes it
    (sqlite3 as it is, psycopg with ``%(name)s``)."""
    return _named_to_pyformat(statement) if dialect == "postgresql" else statement


def _load_action(task_is: str, instance_in: str) -> str:
    """The tasks ``t.id {task_is}`` with the other open tasks of their instances, each row
    with its instance and the organisation's revision (``RuntimeStore.load_action``)."""
    return (
        f"SELECT {', '.join('t.' + c for c in TASK_COLUMNS)}, "
        f"{', '.join('i.' + c for c in INSTANCE_COLUMNS)}, (SELECT value FROM settings WHERE "
        f"name = '{REVISION}') FROM tasks t JOIN instances i ON i.id = t.instance_id "
        f"WHERE t.instance_id {instance_in} (SELECT instance_id FROM tasks WHERE id {task_is}) "
        f"AND (t.id {task_is} OR t.state IN ({_OPEN})) ORDER BY t.id"
    )


def _statements(dialect: str) -> dict[str, str]:
    task_cols = ", ".join(TASK_COLUMNS)
    sql = {
        "load_action": _load_action("= :tid", "="),
        "org_revision": f"SELECT value FROM settings WHERE name = '{REVISION}'",
        "round_tasks": f"SELECT {task_cols} FROM tasks WHERE instance_id = :iid AND node_id = "
        ":node AND round = :round ORDER BY id",
        "insert_instance": f"INSERT INTO instances ({', '.join(NEW_INSTANCE)}) VALUES "
        f"({_values(NEW_INSTANCE, INSTANCE_JSON, dialect)}) RETURNING id",
        "insert_task": f"INSERT INTO tasks ({', '.join(NEW_TASK)}) VALUES "
        f"({_values(NEW_TASK, TASK_JSON, dialect)}) RETURNING id",
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
        f"({_values(_EXCEPTION, {'sla_fired'}, dialect)})",
        "next_sequence": "INSERT INTO sequences (scope, value) VALUES (:scope, 1) ON CONFLICT "
        "(scope) DO UPDATE SET value = sequences.value + 1 RETURNING value",
        "definition_of": "SELECT definition_id FROM instances WHERE id = :iid",
        # sensitive values (docs/adr/0008): sealed anew, and the keys' check values
        "reseal_data": f"UPDATE instances SET data = {json_param('data', dialect)} WHERE id = :id",
        "reseal_outputs": f"UPDATE tasks SET outputs = {json_param('outputs', dialect)} "
        "WHERE id = :id",
        "check_names": "SELECT name FROM settings WHERE name > 'key_check.' "
        "AND name < 'key_check/'",
        "check_value": "SELECT value FROM settings WHERE name = :name",
        "add_check": "INSERT INTO settings (name, value) VALUES (:name, :value) "
        "ON CONFLICT (name) DO NOTHING",
    }
    if dialect == "postgresql":  # the message and its in-app copies in one statement
        sql["insert_message"] = (
            f"WITH m AS ({sql['insert_message']} RETURNING message_id), c AS (INSERT INTO "
            "inbox (message_id, login, created_at) SELECT m.message_id, r.login, :created_at "
            "FROM m CROSS JOIN unnest(CAST(:logins AS text[])) AS r(login)) "
            "SELECT count(*) FROM m"
        )
    if dialect == "postgresql":  # what load_action reads, for a batch of tasks at once
        sql["load_actions"] = _load_action("= ANY(CAST(:tids AS integer[]))", "IN")
    claim = (
        "SELECT id FROM tasks WHERE check_at IS NOT NULL AND check_at <= :now "
        "ORDER BY check_at LIMIT :limit"
    )
    sql["claim_due"] = claim + (" FOR UPDATE SKIP LOCKED" if dialect == "postgresql" else "")
    sql["defer_check"] = "UPDATE tasks SET check_at = :at WHERE id = :id AND check_at IS NOT NULL"
    sql["next_due"] = "SELECT min(check_at) FROM tasks WHERE check_at IS NOT NULL"
    if dialect == "postgresql":
        sql = {k: _named_to_pyformat(v) for k, v in sql.items()}
    return sql


SQL = {name: _statements(name) for name in ("sqlite", "postgresql")}
_UPDATES: dict[tuple[str, str, tuple[str, ...]], str] = {}


def update_sql(dialect: str, table: str, columns: tuple[str, ...]) -> str:
    """``UPDATE table SET columns…, version = version + 1`` checking id and version, made
    once per dialect, table and set of columns."""
    key = (dialect, table, columns)
    found = _UPDATES.get(key)
    if found is None:
        sets = [_assignments(columns, JSON_COLUMNS[table], dialect)] if columns else []
        found = (
            f"UPDATE {table} SET {', '.join([*sets, 'version = version + 1'])} "
            "WHERE id = :id AND version = :version"
        )
        if dialect == "postgresql":
            found = _named_to_pyformat(found)
        _UPDATES[key] = found
    return found


@lru_cache(maxsize=1024)
def sqlite_time(value: datetime) -> str:
    """A UTC time in SQLAlchemy's SQLite text format (one action writes the same instant
    several times: each conversion is made once)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


@lru_cache(maxsize=4096)
def parse_sqlite_time(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def json_out(value: Any) -> Any:
    """A JSON column's value as read: SQLite gives text, psycopg the parsed value."""
    return orjson.loads(value) if isinstance(value, str) else value


def same_value(new: Any, stored: Any, is_json: bool) -> bool:
    """Whether a column's new value (as it is written) equals the one read; JSON texts that
    differ only in spacing or key order are the same value."""
    if new == stored:
        return True
    return is_json and isinstance(stored, str) and orjson.loads(stored) == orjson.loads(new)
