"""The schema, as SQLAlchemy Core tables. Alembic migrations must produce exactly this."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite keeps no zone, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


departments = Table(
    "departments",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name_zh", String(100), nullable=False),
    Column("name_en", String(100), nullable=False, server_default=""),
    Column("parent", String(32), nullable=True),
    Column("head", String(64), nullable=True),
    Column("leader", String(64), nullable=True),
    Column("interfaces", JSON, nullable=False),
    Column("position", Integer, nullable=False, server_default="0"),
)

users = Table(
    "users",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("name_zh", String(100), nullable=False),
    Column("name_en", String(100), nullable=False, server_default=""),
    Column("email", String(200), nullable=False, server_default=""),
    Column("departments", JSON, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("position", Integer, nullable=False, server_default="0"),
)

settings = Table(
    "settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

definitions = Table(
    "definitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("label", String(200), nullable=False),
    Column("name_zh", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
    Column("source", Text, nullable=False),
    Column("file", String(300), nullable=False, server_default=""),
    Column("published_at", UTCDateTime, nullable=False),
    Column("published_by", String(64), nullable=False, server_default=""),
    # VER-1: the label's V{major}.{minor}, chosen by the publisher; the change log's note
    Column("major", Integer, nullable=False, server_default="1"),
    Column("minor", Integer, nullable=False, server_default="0"),
    Column("note", Text, nullable=False, server_default=""),
    UniqueConstraint("key", "version"),
)

sequences = Table(
    "sequences",
    metadata,
    Column("scope", String(100), primary_key=True),
    Column("value", Integer, nullable=False),
)

instances = Table(
    "instances",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("business_key", String(64), nullable=False, unique=True),
    Column("definition_id", Integer, ForeignKey("definitions.id"), nullable=False),
    Column("definition_key", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("initiator", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("priority", String(8), nullable=False),
    Column("data", JSON, nullable=False),
    Column("tokens", JSON, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    Column("event_seq", Integer, nullable=False),
    # when its history last grew: a person's command at an earlier instant is refused
    Column("changed_at", UTCDateTime, nullable=True),
    # the hash of its last history entry (SEC-4, docs/adr/0007): a missing last entry shows
    Column("last_hash", String(64), nullable=False, server_default=""),
    # MTR-1 (migration 0023, docs/adr/0013): its cycle time, measured when it ended
    Column("work_seconds", Integer, nullable=True),  # in working time (business calendar)
    Column("span_seconds", Integer, nullable=True),  # in calendar time
    Index(None, "state", "definition_key"),
    Index(None, "department", "state"),
    Index(None, "initiator"),  # the scope (SEC-2): the instances one started
    Index(None, "started_at"),  # instance list: newest first
    # the metrics (MTR-1): the instances that ended in a period; with what the scores'
    # and the roll-up's reads need of them, so that those read the index only (0025)
    Index(
        "ix_instances_ended_at",
        "ended_at",
        "state",
        "definition_key",
        "id",
        sqlite_where=text("ended_at IS NOT NULL"),
        postgresql_where=text("ended_at IS NOT NULL"),
    ),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("round", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("department", String(32), nullable=True),
    Column("assignee", String(64), nullable=True),
    Column("candidates", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=True),
    Column("progress", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("outputs", JSON, nullable=False),
    Column("acked_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("finished_by", String(64), nullable=True),
    Column("dispatched_at", UTCDateTime, nullable=True),
    Column("check_at", UTCDateTime, nullable=True),
    Column("paused_at", UTCDateTime, nullable=True),
    Column("sla_fired", JSON, nullable=False, server_default="[]"),
    Column("exception", String(32), nullable=True),
    Column("version", Integer, nullable=False),
    Column("on_behalf_of", String(64), nullable=True),
    # MTR-1 (migration 0023, docs/adr/0013): measured when it finished, from created_at
    Column("work_seconds", Integer, nullable=True),  # in working time (business calendar)
    Column("span_seconds", Integer, nullable=True),  # in calendar time
    Column("late_seconds", Integer, nullable=True),  # working time past due_at; None: no due
    Index(None, "instance_id", "state"),
    Index(None, "assignee", "state"),
    Index(None, "department", "instance_id"),  # the scope: instances that touched a department
    # the scope: the instances whose tasks one held as a deputy (migration 0024)
    Index(
        "ix_tasks_on_behalf_of",
        "on_behalf_of",
        sqlite_where=text("on_behalf_of IS NOT NULL"),
        postgresql_where=text("on_behalf_of IS NOT NULL"),
    ),
    # one's finished tasks (已办), latest first: only finished tasks have an entry
    Index(
        "ix_tasks_finished_by",
        "finished_by",
        "finished_at",
        sqlite_where=text("finished_by IS NOT NULL"),
        postgresql_where=text("finished_by IS NOT NULL"),
    ),
    # the metrics (MTR-1): the tasks finished in a period, and those received in it
    Index(
        "ix_tasks_finished_at",
        "finished_at",
        sqlite_where=text("finished_at IS NOT NULL"),
        postgresql_where=text("finished_at IS NOT NULL"),
    ),
    Index(None, "created_at"),
    # the worker's scan of due SLA checks (ADR 0003): only tasks that have one
    Index(
        "ix_tasks_check_at",
        "check_at",
        sqlite_where=text("check_at IS NOT NULL"),
        postgresql_where=text("check_at IS NOT NULL"),
    ),
)

task_candidates = Table(
    "task_candidates",
    metadata,
    Column("task_id", Integer, ForeignKey("tasks.id"), primary_key=True),
    Column("login", String(64), primary_key=True),
    Index(None, "login"),
)

history = Table(
    "history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("node_id", String(64), nullable=True),
    Column("task_id", Integer, nullable=True),
    Column("actor", String(64), nullable=True),
    Column("data", JSON, nullable=False),
    # SHA-256 of the previous entry's hash and this one's content (domain/audit_chain.py)
    Column("hash", String(64), nullable=False, server_default=""),
    UniqueConstraint("instance_id", "seq"),
)

deputies = Table(
    "deputies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(64), nullable=False),
    Column("deputy", String(64), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "login"),
)
"""Out-of-office delegations (ORG-3, 代理): ``deputy`` acts for ``login`` in [starts, ends)."""

calendar_days = Table(
    "calendar_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("kind", String(8), nullable=False),  # 'off' | 'work'
    Column("name", String(100), nullable=False, server_default=""),
    Column("source", String(16), nullable=False),  # 'official' | 'company'
)
"""Dated exceptions of the business calendar (TIME-1); its settings live in ``settings``
under ``calendar.*`` names (services/calendar.py)."""

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(200), nullable=False, unique=True),
    Column("event", String(40), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("data", JSON, nullable=False),
    Column("instance_id", Integer, nullable=True),
    Column("task_id", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Index(None, "status", "next_attempt_at"),
    Index(None, "instance_id"),
)

exceptions = Table(
    "exceptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False),
    Column("task_id", Integer, ForeignKey("tasks.id"), nullable=True),
    Column("node_id", String(64), nullable=False),
    Column("description", Text, nullable=False),
    Column("reporter", String(64), nullable=False),  # 上报人 (system when found by a timer)
    Column("reported_at", UTCDateTime, nullable=False),  # 上报时间
    Column("state", String(16), nullable=False),  # domain/exceptions.ExceptionState
    # the closed loop (EXC-2..5, migration 0018)
    Column("found_at", UTCDateTime, nullable=True),  # 发现: when it was opened
    Column("department", String(64), nullable=True),  # the responsible department
    Column("report_due_at", UTCDateTime, nullable=True),  # 异常处理说明 due (4 working hours)
    Column("cause_category", String(40), nullable=True),
    Column("cause", Text, nullable=True),
    Column("expected_at", UTCDateTime, nullable=True),  # expected resolution, as explained
    Column("resources", Text, nullable=True),  # resources needed
    Column("explained_by", String(64), nullable=True),
    Column("explained_at", UTCDateTime, nullable=True),
    Column("plan", Text, nullable=True),  # 处理方案, from the coordination
    Column("handler", String(64), nullable=True),  # 处理负责人
    Column("planned_at", UTCDateTime, nullable=True),  # planned completion (the new deadline)
    Column("coordinated_by", String(64), nullable=True),
    Column("coordinated_at", UTCDateTime, nullable=True),
    Column("resolution", Text, nullable=True),
    Column("resolved_by", String(64), nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),  # 处理完成时间
    Column("verification", Text, nullable=True),  # 结果验证
    Column("verified_by", String(64), nullable=True),
    Column("verified_at", UTCDateTime, nullable=True),
    Column("reopen_reason", Text, nullable=True),
    Column("reopened", Integer, nullable=False, server_default="0"),
    Column("check_at", UTCDateTime, nullable=True),  # its next reminder (ADR 0003)
    Column("sla_fired", JSON, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Index(None, "instance_id"),
    Index(None, "state", "reported_at"),
    Index(None, "found_at"),
    Index(
        "ix_exceptions_check_at",
        "check_at",
        sqlite_where=text("check_at IS NOT NULL"),
        postgresql_where=text("check_at IS NOT NULL"),
    ),
)

org_changes = Table(
    "org_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("source", Text, nullable=False),  # the whole organisation as of then (YAML)
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "effective_at"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(200), nullable=False),
    Column("login", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime, nullable=True),
    Index(None, "login", "read_at"),
)
"""One recipient's copy of an outbox message, written with the message (at most once: only
when the message itself was new)."""

endpoints = Table(
    "endpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # notify/channels/base.py KINDS
    Column("settings", JSON, nullable=False),
    Column("department", String(32), nullable=True),  # a department's group robot
    Column("events", JSON, nullable=False),  # the events it takes; [] = its defaults
    Column("per_minute", Integer, nullable=False, server_default="0"),  # 0 = no throttle
    Column("enabled", Boolean, nullable=False, server_default="1"),
    Column("disabled_reason", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
)
"""Configured channels (NTF-2): the SMTP server, group robots, webhooks."""

preferences = Table(
    "preferences",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("channels", JSON, nullable=False),  # of 'inapp', 'email'
    Column("muted", JSON, nullable=False),  # events the user does not want
    Column("digest_hour", Integer, nullable=True),  # local hour of the daily digest
    Column("locale", String(8), nullable=False, server_default="zh"),
)
"""Per-user notification preferences; a user without a row gets the defaults."""

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(200), nullable=False),
    Column("endpoint_id", Integer, ForeignKey("endpoints.id"), nullable=False),
    Column("login", String(64), nullable=True),  # None for group robots and webhooks
    Column("address", String(200), nullable=False, server_default=""),
    Column("status", String(16), nullable=False),  # pending | sending | sent | dead | discarded
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    UniqueConstraint("message_id", "endpoint_id", "address"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "endpoint_id", "sent_at"),
)
"""One outbox message to one endpoint (and address): the unit of delivery (NTF-5)."""

notify_templates = Table(
    "notify_templates",
    metadata,
    Column("event", String(40), primary_key=True),
    Column("locale", String(8), primary_key=True),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
)
"""Administrators' versions of the notification templates (the defaults ship in notify/)."""

used_links = Table(
    "used_links",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("task_id", Integer, nullable=False),
    Column("used_at", UTCDateTime, nullable=False),
)
"""Action links already used: a link works once (NTF-5 signed action links)."""

credentials = Table(
    "credentials",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("changed_at", UTCDateTime, nullable=False),
)
"""Passwords (SEC-1), hashed with argon2id; a user without a row cannot sign in."""

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie's token
    Column("login", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),  # the form token of this session
    Column("address", String(64), nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "login"),
)
"""Signed-in browsers (cookie sessions); ended by sign-out, expiry or deactivation."""

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of the secret
    Column("name", String(100), nullable=False),
    Column("login", String(64), nullable=False),  # whom the system acts as
    Column("scopes", JSON, nullable=False),  # 'read', 'write'
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index(None, "login"),
)
"""API tokens of other systems (SEC-1): random, stored hashed, scoped, expiring, revocable."""

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(120), primary_key=True),  # 'login:…' or 'address:…'
    Column("count", Integer, nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
)
"""Recent failed sign-ins per account and per address, for throttling."""

audit = Table(
    "audit",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("address", String(200), nullable=False),
    Column("prev", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "at"),
)
"""The audit log (SEC-4): configuration changes, sign-ins and denied requests, one global
hash chain (domain/audit_chain.py); written in the transaction of the change. State changes
are the instances' history, chained per instance."""

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)
"""The audit chain's end: its last number and hash. Appending locks this one row, which
serialises appends on PostgreSQL (SQLite's write lock already does)."""

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", Integer, ForeignKey("tasks.id"), nullable=False),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False),
    Column("name", String(200), nullable=False),  # the uploader's file name, made safe
    Column("stored_name", String(80), nullable=False, unique=True),  # generated, in the root
    Column("size", Integer, nullable=False),
    Column("content_type", String(100), nullable=False),  # decided by the content
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", UTCDateTime, nullable=False),
    Index(None, "task_id"),
    Index(None, "instance_id"),
)
"""Uploaded deliverables (SEC-5): the bytes live under the storage root by a generated
name; this row says whose task they belong to, what they are and their checksum."""

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),  # sha256 of method, path and body
    Column("status", Integer, nullable=True),  # None while the first request runs
    Column("content_type", String(100), nullable=True),
    Column("body", LargeBinary, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "created_at"),
)
"""The first answer to each state-changing request sent with an Idempotency-Key (INT-3),
kept 24 hours: a retry gets it again; the same key with another request is refused."""

meeting_schedules = Table(
    "meeting_schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(32), nullable=False),  # the initiating department
    Column("weekday", Integer, nullable=False),  # 0 = Monday … 6 = Sunday
    Column("at_time", String(5), nullable=False),  # "HH:MM", local (the calendar's zone)
    Column("participants", JSON, nullable=False),  # logins invited besides the derived ones
    Column("prepare_hours", Float, nullable=False, server_default="2"),  # report before it
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("next_at", UTCDateTime, nullable=True),  # when the next report is prepared
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "department"),
    Index(
        "ix_meeting_schedules_next_at",
        "next_at",
        sqlite_where=text("next_at IS NOT NULL"),
        postgresql_where=text("next_at IS NOT NULL"),
    ),
)
"""Weekly cross-department meetings (MTG-1): one schedule per initiating department."""

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),  # MTG{yyyy}{MM}{seq:02}
    Column("schedule_id", Integer, ForeignKey("meeting_schedules.id"), nullable=True),
    Column("department", String(32), nullable=False),
    Column("held_at", UTCDateTime, nullable=False),  # the meeting's instant
    Column("state", String(16), nullable=False),  # prepared | minuted | no_resolutions
    Column("participants", JSON, nullable=False),
    Column("report", JSON, nullable=False),  # the snapshot prepared before the meeting
    Column("prepared_at", UTCDateTime, nullable=False),
    Column("prepared_by", String(64), nullable=False),
    Column("minutes_at", UTCDateTime, nullable=True),  # resolutions entered (or none)
    Column("check_at", UTCDateTime, nullable=True),  # the 24-hour minutes reminder
    Column("reminded", Boolean, nullable=False, server_default="0"),
    Index(None, "department", "held_at"),
    Index(
        "ix_meetings_check_at",
        "check_at",
        sqlite_where=text("check_at IS NOT NULL"),
        postgresql_where=text("check_at IS NOT NULL"),
    ),
)
"""Meetings prepared from a schedule or by hand, with their report (MTG-1)."""

action_items = Table(
    "action_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("department", String(32), nullable=True),  # the owner's
    Column("due_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),  # open | done
    Column("done_at", UTCDateTime, nullable=True),
    Column("done_note", Text, nullable=False, server_default=""),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("check_at", UTCDateTime, nullable=True),  # its next reminder (ADR 0003)
    Column("sla_fired", JSON, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Index(None, "meeting_id"),
    Index(None, "owner", "state"),
    Index(
        "ix_action_items_check_at",
        "check_at",
        sqlite_where=text("check_at IS NOT NULL"),
        postgresql_where=text("check_at IS NOT NULL"),
    ),
)
"""Resolutions of meetings as tracked action items (MTG-2), on the SLA clock."""

archives = Table(
    "archives",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),  # 项目归档-2024-新产品A
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False),
    Column("node_id", String(64), nullable=False),  # the archive node it passed
    Column("created_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),  # pending | built
    Column("build_at", UTCDateTime, nullable=True),  # its bundle is due to be built
    Column("built_at", UTCDateTime, nullable=True),
    Column("files", JSON, nullable=False),  # [{path, size, sha256}] as the manifest lists
    Column("manifest_sha256", String(64), nullable=False, server_default=""),
    Column("error", Text, nullable=False, server_default=""),  # why the last build failed
    UniqueConstraint("instance_id", "node_id"),
    Index(
        "ix_archives_build_at",
        "build_at",
        sqlite_where=text("build_at IS NOT NULL"),
        postgresql_where=text("build_at IS NOT NULL"),
    ),
)
"""Archives of instances that passed an archive node (ARC-1); the bundle is a folder and a
zip under the files root, built by the worker."""

service_endpoints = Table(
    "service_endpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service", String(100), nullable=False, unique=True),  # finance.sync_budget
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # sealed with the current key when one is set
    Column("timeout_seconds", Float, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("changed_by", String(64), nullable=False),
)
"""Where each service name is answered in this deployment (INT-2): configured by
administrators; the signing secret is never shown again."""

service_calls = Table(
    "service_calls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("round", Integer, nullable=False),
    Column("service", String(100), nullable=False),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("payload", JSON, nullable=False),  # no sensitive field
    # pending | running | done | incident | skipped | cancelled (domain/integration.py)
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_at", UTCDateTime, nullable=True),  # due (pending) or its lease ends (running)
    Column("last_error", Text, nullable=False, server_default=""),
    Column("last_status", Integer, nullable=True),  # the last HTTP status, if any
    Column("reference", Text, nullable=False, server_default=""),  # the other system's
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("incident_at", UTCDateTime, nullable=True),  # when it last became an incident
    Column("resolved_by", String(64), nullable=True),  # who retried or skipped it
    Column("resolution", Text, nullable=False, server_default=""),  # the skip's reason
    Index(None, "instance_id", "state"),
    Index(None, "state"),
    Index(
        "ix_service_calls_next_at",
        "next_at",
        sqlite_where=text("next_at IS NOT NULL"),
        postgresql_where=text("next_at IS NOT NULL"),
    ),
)
"""Calls of service nodes to other systems, made by the worker with retries; a call that
keeps failing becomes an incident for administrators (INT-2)."""

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("process_key", String(64), nullable=False),
    Column("ledger", String(64), nullable=False),
    Column("title_zh", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("department", String(32), nullable=False),
    Column("period", String(32), nullable=False),
    Column("amount", Float, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False),
    Column("business_key", String(64), nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("process_key", "ledger", "department", "period"),
    Index(None, "ledger", "period"),
)
"""Department ledgers (台账, ARC-2): the latest value per process, ledger, department and
period, written by the process in the transaction of the step that updates it."""

surveys = Table(
    "surveys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("instance_id", Integer, ForeignKey("instances.id"), nullable=False),
    Column("department", String(32), nullable=False),  # a participating department
    Column("asked_at", UTCDateTime, nullable=False),
    Column("score", Integer, nullable=True),  # 1..5; None: not answered yet
    Column("comment", Text, nullable=False, server_default=""),
    Column("answered_by", String(64), nullable=True),
    Column("answered_at", UTCDateTime, nullable=True),
    UniqueConstraint("instance_id", "department"),
    Index(None, "department", "answered_at"),
    # the satisfaction of a period's instances, read from the index alone (0025)
    Index(None, "instance_id", "score", "department"),
)
"""The satisfaction survey (MTR-2, 满意度): one per completed instance and participating
department, asked when the instance completed; its score feeds the metrics."""

rollup_days = Table(
    "rollup_days",
    metadata,
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD on the business calendar
    Column("tz", String(64), nullable=False),  # the calendar's time zone when rolled up
    Column("tasks", Integer, nullable=False),  # tasks finished that day (any state)
    Column("instances", Integer, nullable=False),  # instances ended that day (any state)
    Column("rolled_at", UTCDateTime, nullable=False),
)
"""The days the metrics' roll-up holds (docs/adr/0015), with what they counted: a period's
reader checks the counts against the tasks and instances to trust the day's tallies."""

rollup_tallies = Table(
    "rollup_tallies",
    metadata,
    Column("day", String(10), nullable=False),
    Column("kind", String(12), nullable=False),  # node | department | process
    Column("process", String(64), nullable=False),  # '' for a department
    Column("node", String(64), nullable=False),  # '' unless a node
    Column("department", String(32), nullable=False),  # '' unless a department
    Column("definition_id", Integer, nullable=False),
    Column("count", Integer, nullable=False),
    Column("work_sum", BigInteger, nullable=False),
    Column("work_hist", Text, nullable=False),  # domain/histogram.py's JSON
    Column("span_sum", BigInteger, nullable=False),
    Column("span_hist", Text, nullable=False),
    Column("with_due", Integer, nullable=False),
    Column("late", Integer, nullable=False),
    Column("late_seconds", BigInteger, nullable=False),
    Column("late_instances", Integer, nullable=False),
    Column("with_exception", Integer, nullable=False),
    Column("visits", Integer, nullable=False),
    Column("first_pass", Integer, nullable=False),
    Column("on_time", Integer, nullable=False),
    PrimaryKeyConstraint("day", "kind", "process", "node", "department"),
)
"""The metrics' daily roll-up (MTR-1, docs/adr/0015): one tally (domain/rollup.py) per day
and node, department or process, written by the worker for days that have ended."""
