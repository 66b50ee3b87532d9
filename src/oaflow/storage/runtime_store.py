"""The runtime store: instances, tasks, history, the outbox rows of decisions and exception
records, read and written in plain SQL on the driver's cursor (docs/adr/0002).

A command reads the task with the other open tasks of its instance, the instance and the
organisation's revision in one query, and ``write`` puts everything the engine decided in
the same transaction: the changed tasks (each with its version check), the instance (whose
version check serialises concurrent commands), new tasks, history, messages and exception
records. Lists and views read the same tables through SQLAlchemy (``runtime_reads``).
The values of sensitive fields are sealed on their way in and opened on their way out
(``runtime_rows``; docs/adr/0008).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.audit_chain import chained, event_content, genesis, json_written
from oaflow.domain.errors import ConflictError
from oaflow.domain.exception_loop import ExceptionRecord, ExceptionState
from oaflow.domain.model import (
    Decision,
    Event,
    ExceptionOpening,
    InstanceRecord,
    Message,
    TaskRecord,
)
from oaflow.domain.states import OPEN_TASK_STATES
from oaflow.storage import archive_repo, integration_rows
from oaflow.storage.database import Database
from oaflow.storage.runtime_rows import (
    instance_record,
    json_text,
    opened_data,
    opened_outputs,
    sealed_data,
    sealed_outputs,
    task_record,
    tokens_json,
)
from oaflow.storage.runtime_sealed import SealedRows
from oaflow.storage.runtime_sql import (
    EXCEPTION_TIMES,
    EXCEPTION_WRITABLE,
    INSTANCE_COLUMNS,
    INSTANCE_JSON,
    INSTANCE_TIMES,
    INSTANCE_WRITABLE,
    JSON_COLUMNS,
    NEW_INSTANCE,
    NEW_TASK,
    SQL,
    TASK_COLUMNS,
    TASK_JSON,
    TASK_TIMES,
    TASK_WRITABLE,
    json_out,
    parse_sqlite_time,
    same_value,
    sqlite_time,
    update_sql,
)
from oaflow.storage.sealing import SensitiveFields

_ID, _STATE, _INSTANCE_ID = (TASK_COLUMNS.index(c) for c in ("id", "state", "instance_id"))


class InstanceMoved(Exception):
    """Another transaction changed the instance since it was read: decide again."""


class RuntimeStore(SealedRows):
    """The runtime tables on one connection's driver cursor, for one transaction. It
    remembers the rows it read, so that an update writes only the columns that changed
    (an unchanged indexed column costs its index pages at commit)."""

    def __init__(self, dbapi: Any, dialect: str, fields: SensitiveFields) -> None:
        self.dialect = dialect
        self.sql = SQL[dialect]
        self._dbapi = dbapi
        self.cursor: Any = dbapi.cursor()
        self.sqlite = dialect == "sqlite"
        self.fields = fields
        #: (table, id) -> the stored values of the row as read (JSON as text; sensitive
        #: values as they were opened, so that an unchanged value is not written again)
        self._read: dict[tuple[str, int], dict[str, Any]] = {}
        #: instance id -> its definition's id (which fields are sensitive)
        self._definitions: dict[int, int] = {}
        #: the organisation's revision as read by ``load_action`` in this transaction
        self.org_revision: int | None = None
        #: inside ``batched``: history rows and messages written when the block ends
        self._held: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None
        #: in a pipeline (PostgreSQL): the version-checked updates sent, as (cursor, table,
        #: row id), whose row counts are read when it ends
        self._unchecked: list[tuple[Any, str, int]] | None = None
        #: ``preload_actions``: task id -> its instance's id; instance id -> rows read
        self._preloaded_for: dict[int, int] = {}
        self._preloaded: dict[int, list[Sequence[Any]]] = {}

    @classmethod
    def on(cls, conn: Connection, fields: SensitiveFields) -> RuntimeStore:
        """The store inside a SQLAlchemy connection's transaction."""
        return cls(conn.connection.dbapi_connection, conn.dialect.name, fields)

    @classmethod
    @contextmanager
    def transaction(cls, db: Database, fields: SensitiveFields) -> Iterator[RuntimeStore]:
        """A write transaction of its own on ``db``: committed when the block ends, rolled
        back when it raises."""
        with db.raw_write() as dbapi:
            yield cls(dbapi, db.dialect, fields)

    # -- conversions --------------------------------------------------------------------
    def _time_in(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        return sqlite_time(value)

    def _time_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return parse_sqlite_time(value)
        assert isinstance(value, datetime)
        return value.astimezone(UTC)

    # -- reads --------------------------------------------------------------------------
    def load_action(self, task_id: int) -> tuple[list[TaskRecord], InstanceRecord, int] | None:
        """In one query: the task (first), the other open tasks of its instance, the
        instance, and the organisation's revision; None if the task does not exist. (From
        the rows ``preload_actions`` read, when they hold the task and its instance has not
        been written since.)"""
        rows = self._preloaded_rows(task_id)
        if rows is None:
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

    def preload_actions(self, task_ids: Sequence[int]) -> None:
        """Read what ``load_action`` reads for each of ``task_ids`` in one query (on
        PostgreSQL, where each query is a round trip; a batch of due checks). Each task's
        rows are handed out once; an instance written meanwhile is read again."""
        if self.sqlite or not task_ids:
            return
        self.cursor.execute(self.sql["load_actions"], {"tids": list(task_ids)})
        by_instance: dict[int, list[Sequence[Any]]] = {}
        for row in self.cursor.fetchall():
            by_instance.setdefault(row[_INSTANCE_ID], []).append(row)
        self._preloaded.update(by_instance)
        for instance_id, rows in by_instance.items():
            for row in rows:
                if row[_ID] in task_ids:
                    self._preloaded_for[row[_ID]] = instance_id

    def _preloaded_rows(self, task_id: int) -> list[Sequence[Any]] | None:
        instance_id = self._preloaded_for.pop(task_id, None)
        rows = self._preloaded.get(instance_id) if instance_id is not None else None
        if rows is None:
            return None
        return [r for r in rows if r[_ID] == task_id or r[_STATE] in OPEN_TASK_STATES]

    def round_tasks(self, instance_id: int, node_id: str, round_: int) -> list[TaskRecord]:
        """Every task of one round of a node, in creation order."""
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

    def _remember(
        self, table: str, stored: dict[str, Any], json_columns: set[str]
    ) -> dict[str, Any]:
        if not self.sqlite:  # psycopg hands JSON over parsed: keep its text
            stored = {**stored, **{c: json_text(stored[c]) for c in json_columns}}
        self._read[table, stored["id"]] = stored
        return stored

    def _task(self, row: Sequence[Any]) -> TaskRecord:
        stored = dict(zip(TASK_COLUMNS, row, strict=True))
        remembered = self._remember("tasks", stored, TASK_JSON)
        m = dict(stored)
        for c in TASK_TIMES:
            m[c] = self._time_out(m[c])
        for c in TASK_JSON:
            m[c] = json_out(m[c])
        self._open(remembered, m, "outputs", opened_outputs(self.fields, m, self.definition_of))
        return task_record(m)

    def _instance(self, row: Sequence[Any]) -> InstanceRecord:
        stored = dict(zip(INSTANCE_COLUMNS, row, strict=True))
        remembered = self._remember("instances", stored, INSTANCE_JSON)
        self._definitions[stored["id"]] = stored["definition_id"]
        m = dict(stored)
        for c in INSTANCE_TIMES:
            m[c] = self._time_out(m[c])
        for c in INSTANCE_JSON:
            m[c] = json_out(m[c])
        self._open(remembered, m, "data", opened_data(self.fields, m))
        return instance_record(m)

    # -- a decision ---------------------------------------------------------------------
    @contextmanager
    def batched(self) -> Iterator[None]:
        """Decisions written in this block keep their history rows and their messages until
        it ends, then write them all in two statements (on PostgreSQL psycopg pipelines an
        ``executemany``): a batch of 25 due checks makes two round trips instead of fifty.
        On PostgreSQL the block is also a pipeline (``_pipelined``): the version checks of
        all its decisions are read when it ends — one that failed raises ``InstanceMoved``
        then, whichever record it was. Only for a block whose transaction commits or rolls
        back whole — a savepoint undone inside it would leave its rows held."""
        self._held = ([], [])
        try:
            with self._pipelined(acted=None):
                yield
            events, messages = self._held
        finally:
            self._held = None
        if events:
            self.cursor.executemany(self.sql["insert_event"], events)
        self._write_messages(messages)

    @contextmanager
    def _pipelined(self, acted: TaskRecord | None) -> Iterator[None]:
        """On PostgreSQL, the statements of the block in psycopg's pipeline mode: a write
        whose answer is not needed is sent without waiting for it (a read, or an insert
        that returns an id, waits for what was sent before it, and sees it), so a decision
        costs a round trip per id it needs and one at the end instead of one per statement.
        The version-checked updates are taken as done and their row counts read when the
        block ends: the first that changed no row raises — ``ConflictError`` when it was
        ``acted``, the task the command was about, else ``InstanceMoved`` — as it would have
        at once. A stale decision's later statements run before that is known, and one may
        fail (its history rows' numbers were taken meanwhile): the failed check is then the
        error raised, the cause. (SQLite, or already in a pipeline: the block as it is.)"""
        if self.sqlite or self._unchecked is not None:
            yield
            return
        self._unchecked = []
        try:
            try:
                with self._dbapi.pipeline():
                    yield
            except Exception as exc:
                moved = self._failed_check(acted)
                if moved is None:
                    raise
                raise moved from exc
            moved = self._failed_check(acted)
            if moved is not None:
                raise moved
        finally:
            self._unchecked = None

    def _failed_check(self, acted: TaskRecord | None) -> Exception | None:
        """The first version check of the pipeline that changed no row, as the error it
        means; None when none did (or their answers did not come)."""
        for cursor, table, row_id in self._unchecked or ():
            if cursor.rowcount == 0:
                if acted is not None and (table, row_id) == ("tasks", acted.id):
                    return ConflictError("task.changed_meanwhile", task=acted.id)
                return InstanceMoved()
        return None

    def write(self, decision: Decision, acted: TaskRecord | None = None) -> None:
        """Write everything ``decision`` holds at the versions its records were read at.
        Another transaction changed the instance meanwhile: ``InstanceMoved`` (decide
        again); it changed ``acted``, the task the command was about: a conflict. Either
        way the caller's transaction is rolled back, so nothing is written."""
        with self._pipelined(acted):
            self._write(decision, acted)

    def _write(self, decision: Decision, acted: TaskRecord | None) -> None:
        self._number_exceptions(decision)
        for task in decision.changed_tasks:
            if not self.update_task(task):
                if task is acted:
                    raise ConflictError("task.changed_meanwhile", task=task.id)
                raise InstanceMoved
            task.version += 1
        instance = decision.instance
        self._definitions[instance.id or 0] = instance.definition_id
        instance_id = instance.id or 0
        self._preloaded.pop(instance_id, None)  # read again by the next load of its tasks
        for task in decision.new_tasks:
            task.instance_id = instance_id
            self.insert_task(task)
        archive_repo.record(self, instance_id, decision)  # ARC-1: names its events' archives
        integration_rows.record(self, instance_id, decision)  # INT-2 calls, ARC-2 ledgers
        events = self.chained_events(instance, decision.events, decision.at)
        if not self.update_instance(instance, instance.version):  # the serialisation point
            raise InstanceMoved
        instance.version += 1
        if self._held is not None:
            self._held[0].extend(events)
        elif events:
            self._sender().executemany(self.sql["insert_event"], events)
        for record in decision.exception_changes:
            if not self.update_exception(record):
                raise InstanceMoved
            record.version += 1
        rows = self._message_rows(instance_id, decision.messages, decision.at)
        if self._held is not None:
            self._held[1].extend(rows)
        else:
            self._write_messages(rows, counted=False)
        for opening in decision.exceptions:
            self.insert_exception(instance_id, opening, decision.at)

    def _sender(self) -> Any:
        """The cursor for a statement whose answer is not read: in a pipeline a cursor of
        its own (a cursor's pending answers would stand before the next read's on it)."""
        return self.cursor if self._unchecked is None else self._dbapi.cursor()

    def _number_exceptions(self, decision: Decision) -> None:
        """Give each exception to open its code, the next number of its scope (EXC-1)."""
        for opening in decision.exceptions:
            opening.code = opening.scope.format(self.next_sequence(opening.scope.prefix))
            opening.task.exception = opening.code

    # -- writes -------------------------------------------------------------------------
    def _update(
        self,
        table: str,
        params: dict[str, Any],
        columns: list[str],
        sealed: tuple[str, Callable[[], str]],
    ) -> bool:
        """UPDATE the row ``params["id"]`` at ``params["version"]``: the ``columns`` whose
        value differs from the one read in this transaction (all of them for a row not
        read), and the version. ``sealed`` names the JSON column that holds sensitive
        values (in ``params`` as plain text) and how it is written: sealed only when it
        changed."""
        stored = self._read.get((table, params["id"]))
        if stored is not None:
            json_columns = JSON_COLUMNS[table]
            columns = [
                c for c in columns if not same_value(params[c], stored[c], c in json_columns)
            ]
        column, seal = sealed
        written = {**params, column: seal()} if column in columns else params
        if not self._one_row(table, update_sql(self.dialect, table, tuple(columns)), written):
            return False
        if stored is not None:
            stored.update({c: params[c] for c in columns}, version=params["version"] + 1)
        return True

    def update_task(self, rec: TaskRecord) -> bool:
        params = {c: getattr(rec, c) for c in TASK_WRITABLE}
        params.update(
            id=rec.id,
            version=rec.version,
            state=rec.state.value,
            outputs=json_text(rec.outputs),
            sla_fired=json_text(list(rec.sla_fired)),
        )
        for c in TASK_TIMES & params.keys():
            params[c] = self._time_in(params[c])
        sealed = ("outputs", lambda: sealed_outputs(self.fields, rec, self.definition_of, self))
        return self._update("tasks", params, TASK_WRITABLE, sealed)

    def update_instance(self, rec: InstanceRecord, expected_version: int) -> bool:
        params = {
            "id": rec.id,
            "version": expected_version,
            "state": rec.state.value,
            "title": rec.title,
            "priority": rec.priority,
            "data": json_text(rec.data),
            "tokens": json_text(tokens_json(rec.tokens)),
            "ended_at": self._time_in(rec.ended_at),
            "event_seq": rec.event_seq,
            "changed_at": self._time_in(rec.changed_at),
            "last_hash": rec.last_hash,
            "work_seconds": rec.work_seconds,
            "span_seconds": rec.span_seconds,
        }
        sealed = ("data", lambda: sealed_data(self.fields, rec, self))
        return self._update("instances", params, INSTANCE_WRITABLE, sealed)

    def insert_instance(self, rec: InstanceRecord) -> None:
        rec.last_hash = rec.last_hash or genesis(rec.business_key)
        params = {c: getattr(rec, c) for c in NEW_INSTANCE}
        params.update(
            state=rec.state.value,
            data=sealed_data(self.fields, rec, self),
            tokens=json_text(tokens_json(rec.tokens)),
            started_at=self._time_in(rec.started_at),
            ended_at=self._time_in(rec.ended_at),
            changed_at=self._time_in(rec.changed_at),
        )
        self.cursor.execute(self.sql["insert_instance"], params)
        rec.id = int(self.cursor.fetchone()[0])
        self._definitions[rec.id] = rec.definition_id

    def insert_task(self, rec: TaskRecord) -> None:
        """A new task; sensitive outputs (seldom: a new task has none) are sealed once it
        has its id, and never written plain."""
        names = self.fields.names(self.definition_of(rec.instance_id)) if rec.outputs else ()
        later = [n for n in names if rec.outputs.get(n) is not None]
        outputs = {k: v for k, v in rec.outputs.items() if k not in later}
        params = {c: getattr(rec, c) for c in NEW_TASK}
        params.update(
            state=rec.state.value,
            candidates=json_text(list(rec.candidates)),
            outputs=json_text(outputs),
            sla_fired=json_text(list(rec.sla_fired)),
        )
        for c in TASK_TIMES:
            params[c] = self._time_in(params[c])
        self.cursor.execute(self.sql["insert_task"], params)
        rec.id = int(self.cursor.fetchone()[0])
        if later:
            self.reseal("tasks", rec.id, sealed_outputs(self.fields, rec, self.definition_of, self))
        if rec.candidates:
            candidates = [{"task_id": rec.id, "login": login} for login in rec.candidates]
            self._sender().executemany(self.sql["insert_candidate"], candidates)

    def insert_events(
        self, instance: InstanceRecord, events: Sequence[Event], at: datetime
    ) -> None:
        """Append ``events`` to the instance's history (its row is written apart)."""
        rows = self.chained_events(instance, events, at)
        if rows:
            self.cursor.executemany(self.sql["insert_event"], rows)

    def chained_events(
        self, instance: InstanceRecord, events: Sequence[Event], at: datetime
    ) -> list[dict[str, Any]]:
        """The rows of ``events``, numbered after the instance's last and chained to its last
        hash (SEC-4, domain/audit_chain.py); the instance then has their count and the last
        hash, written with it (no statement of its own). Their tasks must have their ids."""
        when, seq, prev = self._time_in(at), instance.event_seq, instance.last_hash
        rows = []
        for e in events:
            seq += 1
            task_id = e.task.id if e.task else None
            canonical = json_written(e.data)  # the data's hashed form; stored as it comes
            prev = chained(
                prev,
                event_content(
                    instance.id or 0, seq, at, e.kind, e.node_id, task_id, e.actor, canonical
                ),
            )
            rows.append(
                {
                    "instance_id": instance.id,
                    "seq": seq,
                    "at": when,
                    "kind": e.kind,
                    "node_id": e.node_id,
                    "task_id": task_id,
                    "actor": e.actor,
                    "data": json_text(e.data),
                    "hash": prev,
                }
            )
        instance.event_seq, instance.last_hash = seq, prev
        return rows

    def next_sequence(self, scope: str) -> int:
        """The next number of ``scope`` (gap-free: it commits with what uses it)."""
        self.cursor.execute(self.sql["next_sequence"], {"scope": scope})
        return int(self.cursor.fetchone()[0])

    def insert_messages(
        self, instance_id: int | None, messages: Sequence[Message], at: datetime
    ) -> int:
        """Outgoing messages into the outbox, each with an in-app copy per recipient
        (NTF-2); a message id already there is left as it is. How many were new. (On
        PostgreSQL a message and its copies are one statement, one round trip.)"""
        return self._write_messages(self._message_rows(instance_id, messages, at))

    def _message_rows(
        self, instance_id: int | None, messages: Sequence[Message], at: datetime
    ) -> list[dict[str, Any]]:
        when = self._time_in(at)
        return [
            {
                "message_id": m.key,
                "event": m.event,
                "recipients": json_text(list(m.recipients)),
                "data": json_text(_message_data(m)),
                "instance_id": instance_id,
                "task_id": m.task.id if m.task else None,
                "created_at": when,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": when,
                "logins": list(dict.fromkeys(m.recipients)),
            }
            for m in messages
        ]

    def _write_messages(self, rows: list[dict[str, Any]], counted: bool = True) -> int:
        """Write the messages' rows; how many were new (when ``counted``: on PostgreSQL an
        answer waited for)."""
        if not rows:
            return 0
        if not self.sqlite and not counted:  # sent; in a pipeline not waited for
            self._sender().executemany(self.sql["insert_message"], rows)
            return 0
        if not self.sqlite and len(rows) == 1:  # an action's message: no pipeline's cost
            self.cursor.execute(self.sql["insert_message"], rows[0])
            return int(self.cursor.fetchone()[0])
        if not self.sqlite:  # one statement per message, their answers: how many were new
            self.cursor.executemany(self.sql["insert_message"], rows, returning=True)
            new = int(self.cursor.fetchone()[0])
            while self.cursor.nextset():
                new += int(self.cursor.fetchone()[0])
            return new
        new = 0
        for row in rows:
            self.cursor.execute(self.sql["insert_message"], row)
            if self.cursor.rowcount != 1:
                continue  # already there, with its in-app copies
            new += 1
            if row["logins"]:
                self.cursor.executemany(
                    self.sql["insert_inbox"],
                    [
                        {
                            "message_id": row["message_id"],
                            "login": r,
                            "created_at": row["created_at"],
                        }
                        for r in row["logins"]
                    ],
                )
        return new

    def use_link(self, nonce: str, task_id: int, at: datetime) -> bool:
        """Record an action link's single use; False when it was used before."""
        params = {"nonce": nonce, "task_id": task_id, "used_at": self._time_in(at)}
        self.cursor.execute(self.sql["use_link"], params)
        return bool(self.cursor.rowcount == 1)

    def insert_exception(self, instance_id: int, opening: ExceptionOpening, at: datetime) -> None:
        self._sender().execute(
            self.sql["insert_exception"],
            {
                "code": opening.code,
                "instance_id": instance_id,
                "task_id": opening.task.id,
                "node_id": opening.node_id,
                "description": opening.description,
                "reporter": opening.reporter,
                "reported_at": self._time_in(at),
                "state": ExceptionState.FOUND.value,
                "found_at": self._time_in(at),
                "department": opening.task.department,
                "report_due_at": self._time_in(opening.report_due_at),
                "check_at": self._time_in(opening.check_at),
                "sla_fired": "[]",
            },
        )

    def update_exception(self, rec: ExceptionRecord) -> bool:
        """Write an exception record's loop at the version it was read at."""
        params = {c: getattr(rec, c) for c in EXCEPTION_WRITABLE}
        params.update(
            id=rec.id,
            version=rec.version,
            state=rec.state.value,
            sla_fired=json_text(list(rec.sla_fired)),
        )
        for c in EXCEPTION_TIMES & params.keys():
            params[c] = self._time_in(params[c])
        sql = update_sql(self.dialect, "exceptions", EXCEPTION_WRITABLE)
        return self._one_row("exceptions", sql, params)

    def _one_row(self, table: str, sql: str, params: dict[str, Any]) -> bool:
        """Run a version-checked UPDATE: whether it changed its one row (in a pipeline it
        is sent and taken as done, its row count read when the pipeline ends)."""
        if self._unchecked is not None:
            cursor = self._dbapi.cursor()
            cursor.execute(sql, params)
            self._unchecked.append((cursor, table, params["id"]))
            return True
        self.cursor.execute(sql, params)
        return bool(self.cursor.rowcount == 1)

    # -- the SLA checks' schedule (ADR 0003) --------------------------------------------
    def claim_due(self, now: datetime, limit: int = 1) -> list[int]:
        """Up to ``limit`` tasks whose SLA checks are due at ``now``, the most overdue first,
        locked for this transaction (PostgreSQL: rows other workers hold are skipped;
        SQLite: the write lock serialises workers)."""
        self.cursor.execute(self.sql["claim_due"], {"now": self._time_in(now), "limit": limit})
        return [int(row[0]) for row in self.cursor.fetchall()]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that is undone alone when the block raises (one check
        of a batch); the rows it read are forgotten, so that nothing undone is trusted."""
        self.cursor.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            self.cursor.execute("ROLLBACK TO SAVEPOINT part")
            self.cursor.execute("RELEASE SAVEPOINT part")
            self._read.clear()
            raise
        self.cursor.execute("RELEASE SAVEPOINT part")

    def next_due(self) -> datetime | None:
        self.cursor.execute(self.sql["next_due"])
        row = self.cursor.fetchone()
        return self._time_out(row[0]) if row else None

    def defer_check(self, task_id: int, at: datetime) -> None:
        """Move a task's pending SLA check to ``at`` (a check that failed)."""
        self.cursor.execute(self.sql["defer_check"], {"id": task_id, "at": self._time_in(at)})


def _message_data(message: Message) -> dict[str, Any]:
    """A message's data with what is known once its task and exception are written: the
    task's id and the exception's code."""
    if message.task is not None:
        message.data["task_id"] = message.task.id
    if message.exception is not None:
        message.data["code"] = message.exception.code
    return message.data
