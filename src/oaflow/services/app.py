"""The services' shared context: database, clock, calendar, and caches of immutable things."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.clock import Clock
from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import NotFoundError
from oaflow.domain.loader import load_definition
from oaflow.domain.org import Delegation, Organisation, OrgTimeline
from oaflow.domain.orgfile import parse_org_yaml
from oaflow.domain.security import AccessRules
from oaflow.domain.validate import DEFAULT_POLICIES
from oaflow.storage import access_repo, catalog_repo, deputy_repo, org_repo
from oaflow.storage.calendar_store import stored_calendar, stored_revision
from oaflow.storage.crypto import Cipher
from oaflow.storage.database import Database
from oaflow.storage.sealing import SensitiveFields

#: how often (seconds) a process looks whether the calendar changed in the database
CALENDAR_RECHECK = 5.0


class App:
    """What every use case needs. A ``calendar`` given here is used as it is (tests, the
    demo); otherwise the calendar is loaded from the database at first use and again after
    it changed there (``forget_calendar``). ``cipher`` seals the values of sensitive fields
    (SEC-3); without one they are kept plain (development only)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        calendar: WorkingCalendar | None = None,
        default_locale: str = "zh",
        default_timezone: str = "Asia/Shanghai",
        base_url: str = "http://127.0.0.1:8000",
        secret_key: str = "",
        files_root: Path = Path("oaflow-files"),
        max_upload: int = 50 * 2**20,
        cipher: Cipher | None = None,
        metrics_token: str = "",
    ) -> None:
        self.db = db
        self.clock = clock
        #: the language of messages to people who chose none (OAFLOW_LANG)
        self.default_locale = default_locale
        #: the time zone of a database that has none stored yet (OAFLOW_TIMEZONE)
        self.default_timezone = default_timezone
        self.base_url = base_url  # links in messages start with it
        self.secret_key = secret_key  # signs action links; empty: one kept in the database
        self.files_root = files_root  # uploaded deliverables, by generated names
        #: writes an archive's readable files (services/archive_jobs.py): set by the
        #: adapters, which may use present/ (the CLI, the demo); None: bundles wait for them
        self.archive_files: Callable[..., Mapping[str, bytes]] | None = None
        self.max_upload = max_upload  # bytes
        #: what /metrics asks of callers from other machines (empty: loopback only)
        self.metrics_token = metrics_token
        self._calendar = calendar
        self._calendar_pinned = calendar is not None
        self._calendar_revision = ""
        self._calendar_checked = 0.0
        #: seconds between looks whether another process changed the calendar
        self.calendar_recheck = CALENDAR_RECHECK
        self._definitions: dict[int, ProcessDefinition] = {}
        #: the organisation at a revision: its timeline, delegations (ORG-3) and access rules
        self._org: OrgSnapshot | None = None
        #: the sensitive fields of each version and the cipher that seals their values
        self.sensitive = SensitiveFields(cipher, self._sensitive_names)

    @property
    def calendar(self) -> WorkingCalendar:
        """The business calendar (TIME-1), loaded from the database at first use and again
        when its revision there changed — looked at once per ``calendar_recheck`` seconds,
        so that a change made through another process (a second API node, a worker) is used
        here within that time."""
        if self._calendar is not None and not self._calendar_pinned:
            now = time.monotonic()
            if now - self._calendar_checked >= self.calendar_recheck:
                self._calendar_checked = now
                if stored_revision(self.db) != self._calendar_revision:
                    self._calendar = None
        if self._calendar is None:
            self._calendar_checked = time.monotonic()
            self._calendar, self._calendar_revision = stored_calendar(
                self.db, self.default_timezone
            )
        return self._calendar

    def forget_calendar(self) -> None:
        """Load the calendar again at next use (after it changed in the database)."""
        if not self._calendar_pinned:
            self._calendar = None

    def now(self) -> datetime:
        return self.clock.now()

    def definition(self, conn: Connection, definition_id: int) -> ProcessDefinition:
        """A published version, compiled once per process (versions never change)."""
        found = self._definitions.get(definition_id)
        if found is None:
            stored = catalog_repo.get_definition_by_id(conn, definition_id)
            if stored is None:
                raise NotFoundError("process.version_missing", definition_id=definition_id)
            found = load_definition(stored.source, stored.file)
            self._definitions[definition_id] = found
            self.sensitive.learn(definition_id, found.sensitive_fields())
        return found

    def _sensitive_names(self, definition_id: int) -> frozenset[str]:
        return self.cached_definition(definition_id).sensitive_fields()

    def cached_definition(self, definition_id: int) -> ProcessDefinition:
        """Like ``definition``, reading on a connection of its own when not cached."""
        found = self._definitions.get(definition_id)
        if found is not None:
            return found
        with self.db.read_outside_pool() as conn:  # asked inside transactions
            return self.definition(conn, definition_id)

    def cached_org(self, revision: int) -> Organisation:
        """The organisation in effect now, at ``revision``; reads on a connection of its own
        when stale."""
        return self._snapshot_at(revision).timeline.at(self.now())

    def org(self, conn: Connection, revision: int | None = None) -> Organisation:
        """The organisation in effect now (ORG-2: dated changes apply from their instant),
        reloaded only when its revision changed."""
        return self._snapshot(conn, revision).timeline.at(self.now())

    def rules(self, conn: Connection) -> AccessRules:
        """What administrators configured about access and compliance (SEC-2, DEF-7)."""
        return self._snapshot(conn).rules

    def cached_rules(self, revision: int) -> AccessRules:
        return self._snapshot_at(revision).rules

    def delegations_at(self, revision: int, at: datetime) -> tuple[Delegation, ...]:
        """The delegations in force at ``at`` in the organisation at ``revision``."""
        delegations = self._snapshot_at(revision).delegations
        return tuple(d for d in delegations if d.active_at(at)) if delegations else ()

    def _snapshot_at(self, revision: int) -> OrgSnapshot:
        if self._org is not None and self._org.revision == revision:
            return self._org
        with self.db.read_outside_pool() as conn:  # asked inside transactions
            return self._snapshot(conn)

    def _snapshot(self, conn: Connection, revision: int | None = None) -> OrgSnapshot:
        if revision is None:
            revision = org_repo.org_revision(conn)
        if self._org is None or self._org.revision != revision:
            changes = [
                (at, parse_org_yaml(text, "org change"))
                for at, text in org_repo.org_changes_of(conn)
            ]
            self._org = OrgSnapshot(
                revision,
                OrgTimeline(org_repo.load_org(conn), tuple(changes)),
                tuple(deputy_repo.all_delegations(conn)),
                access_repo.load_rules(conn, DEFAULT_POLICIES),
            )
        return self._org


@dataclass(frozen=True)
class OrgSnapshot:
    """The organisation at one revision: its dated timeline, delegations and access rules."""

    revision: int
    timeline: OrgTimeline
    delegations: tuple[Delegation, ...]
    rules: AccessRules
