"""The services' shared context: database, clock, calendar, and caches of immutable things."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.clock import Clock
from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import NotFoundError
from oaflow.domain.loader import load_definition
from oaflow.domain.org import Organisation
from oaflow.storage import catalog_repo, org_repo
from oaflow.storage.database import Database


@dataclass
class App:
    db: Database
    clock: Clock
    calendar: WorkingCalendar
    lang: str = "zh"
    _definitions: dict[int, ProcessDefinition] = field(default_factory=dict)
    _org: tuple[int, Organisation] | None = None

    def now(self) -> datetime:
        return self.clock.now()

    def definition(self, conn: Connection, definition_id: int) -> ProcessDefinition:
        """A published version, compiled once per process (versions never change)."""
        found = self._definitions.get(definition_id)
        if found is None:
            stored = catalog_repo.get_definition_by_id(conn, definition_id)
            if stored is None:
                raise NotFoundError(f"process version {definition_id} does not exist")
            found = load_definition(stored.source, stored.file)
            self._definitions[definition_id] = found
        return found

    def cached_definition(self, definition_id: int) -> ProcessDefinition:
        """Like ``definition``, reading on a connection of its own when not cached."""
        found = self._definitions.get(definition_id)
        if found is not None:
            return found
        with self.db.read() as conn:
            return self.definition(conn, definition_id)

    def cached_org(self, revision: int) -> Organisation:
        """The organisation at ``revision``, reading on a connection of its own when stale."""
        if self._org is not None and self._org[0] == revision:
            return self._org[1]
        with self.db.read() as conn:
            return self.org(conn)

    def org(self, conn: Connection, revision: int | None = None) -> Organisation:
        """The organisation, reloaded only when its revision changed."""
        if revision is None:
            revision = org_repo.org_revision(conn)
        if self._org is None or self._org[0] != revision:
            self._org = (revision, org_repo.load_org(conn))
        return self._org[1]
