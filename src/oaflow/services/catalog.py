"""Process definitions: validate, publish as immutable versions, list, show, diagram.
Publishing is the administrators' (SEC-2); everyone who works with processes reads them.
A version is numbered V{major}.{minor}: the first V1.0, then a minor step unless the
publisher calls it major (VER-1); publishing V2 and later sends the change notice."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import ForbiddenError, InputError, NotFoundError, as_denial
from oaflow.domain.security import Permission, Principal, granted
from oaflow.domain.text import Text
from oaflow.domain.validate import check_definition
from oaflow.services import audit, authz, change_notice
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.services.view_parts import Names, field_specs, form_fields
from oaflow.services.views import FieldSpec, Person
from oaflow.storage import catalog_repo
from oaflow.storage.catalog_repo import StoredDefinition

#: the longest change note a version keeps (its change log)
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Published:
    key: str
    version: int
    label: str
    notified: tuple[str, ...] = ()  # who the change notice went to (V2 and later)


@dataclass(frozen=True)
class ProcessVersion:
    """One published version of a process (VER-1)."""

    key: str
    version: int
    label: str
    name: Text
    published_at: datetime
    published_by: Person
    source: str = ""
    major: int = 1
    minor: int = 0
    note: str = ""  # the publisher's change note (the change log)


def validate(app: App | None, text: str, file: str) -> ProcessDefinition:
    """Check a definition, against the organisation and the configured compliance policies
    when there is a database (``app``); raises ValidationError with every problem."""
    if app is None:
        return check_definition(text, file, None)
    with app.db.read() as conn:
        names = app.org(conn).names()
        policies = app.rules(conn).policies
    return check_definition(text, file, names, policies)


def publish(
    app: App, who: Principal, text: str, file: str, *, major: bool = False, note: str = ""
) -> Published:
    """Publish a new immutable version (administrators): V1.0 first, then V{m}.{n+1}, or
    V{m+1}.0 when ``major``; ``note`` is its change log. From the second version on, the
    change notice goes out in the same transaction."""
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise InputError("process.note_too_long", length=len(note), limit=NOTE_LIMIT)
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        definition = check_definition(text, file, app.org(conn).names(), app.rules(conn).policies)
        previous = catalog_repo.get_definition(conn, definition.key)
        version = previous.version + 1 if previous else 1
        numbers = next_numbers(previous, major)
        now = app.now()
        local = now.astimezone(ZoneInfo(app.calendar.tz))
        label = version_label(numbers, local, definition)
        row = {"key": definition.key, "version": version, "label": label}
        catalog_repo.insert_definition(
            conn,
            {
                **row,
                "name_zh": definition.name.zh,
                "name_en": definition.name.en,
                "source": text,
                "file": file,
                "published_at": now,
                "published_by": who.login,
                "major": numbers[0],
                "minor": numbers[1],
                "note": note,
            },
        )
        notified: tuple[str, ...] = ()
        if previous is not None:
            before = app.definition(conn, previous.id)
            version_row = {**row, "note": note}
            notified = change_notice.send(app, conn, before, definition, version_row, who.login)
        source_sha256 = hashlib.sha256(text.encode()).hexdigest()
        detail: dict[str, Any] = {"version": version, "label": label, "file": file}
        if note:
            detail["note"] = note
        audit.record(
            app,
            conn,
            who,
            AuditAction.PROCESS_PUBLISH,
            f"process:{definition.key}",
            **detail,
            source_sha256=source_sha256,
        )
    return Published(definition.key, version, label, notified)


def next_numbers(previous: StoredDefinition | None, major: bool) -> tuple[int, int]:
    """The (major, minor) of the version after ``previous`` (VER-1)."""
    if previous is None:
        return 1, 0
    return (previous.major + 1, 0) if major else (previous.major, previous.minor + 1)


def version_label(numbers: tuple[int, int], local: Any, definition: ProcessDefinition) -> str:
    """``V1.0-202403-新产品上市流程`` (VER-1)."""
    major, minor = numbers
    return f"V{major}.{minor}-{local.year:04d}{local.month:02d}-{definition.name.zh}"


def as_version(names: Names, stored: StoredDefinition, with_source: bool = False) -> ProcessVersion:
    """A stored version as the adapters see it (its YAML text only when asked)."""
    return ProcessVersion(
        key=stored.key,
        version=stored.version,
        label=stored.label,
        name=Text(stored.name_zh, stored.name_en),
        published_at=stored.published_at,
        published_by=names.known(stored.published_by),
        source=stored.source if with_source else "",
        major=stored.major,
        minor=stored.minor,
        note=stored.note,
    )


def list_published(app: App, who: Principal) -> list[ProcessVersion]:
    """The newest version of each published process."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW)
        names = Names(app.org(conn))
        return [as_version(names, d) for d in catalog_repo.list_definitions(conn)]


def versions(app: App, who: Principal, key: str) -> list[ProcessVersion]:
    """Every published version of a process, newest first (VER-1)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW, process=key)
        found = catalog_repo.versions_of(conn, key)
        names = Names(app.org(conn))
    if not found:
        raise NotFoundError("process.not_published", key=key)
    return [as_version(names, d) for d in found]


def resolve(conn: Connection, key: str, ref: str) -> StoredDefinition:
    """The version of ``key`` that ``ref`` names: ``2``, ``V1.1`` or its whole label."""
    found = catalog_repo.version_by_ref(conn, key, ref)
    if found is None:
        known = [v.label for v in catalog_repo.versions_of(conn, key)]
        if not known:
            raise NotFoundError("process.not_published", key=key)
        raise NotFoundError("process.version_unknown", key=key, ref=ref, known=known)
    return found


def _stored(
    app: App, conn: Connection, who: Principal, key: str, version: int | str | None
) -> StoredDefinition:
    authz.authorize(app, conn, who, Permission.VIEW, process=key)
    if isinstance(version, str):
        return resolve(conn, key, version)
    found = catalog_repo.get_definition(conn, key, version)
    if found is None:
        if version:
            raise NotFoundError("process.version_not_published", key=key, version=version)
        raise NotFoundError("process.not_published", key=key)
    return found


def shown(
    app: App, who: Principal, key: str, version: int | str | None = None
) -> tuple[ProcessVersion, ProcessDefinition]:
    """A published version (its number, or a reference like ``V1.1``) with its YAML text,
    and what it compiles to."""
    with app.db.read() as conn:
        found = _stored(app, conn, who, key, version)
        names = Names(app.org(conn))
        return as_version(names, found, with_source=True), app.definition(conn, found.id)


@dataclass(frozen=True)
class StartForm:
    """What starting a process asks for: the newest version and its form's fields (Template
    1's and the process's own)."""

    process: ProcessVersion
    fields: tuple[FieldSpec, ...]


def start_form(app: App, who: Principal, key: str) -> StartForm:
    """The form to start ``key`` with, for someone who may start it (the permission, and a
    department among the process's initiating ones)."""
    with app.db.read() as conn:
        found = _stored(app, conn, who, key, None)
        authz.authorize(app, conn, who, Permission.INITIATE, process=key)
        names = Names(app.org(conn))
        definition = app.definition(conn, found.id)
    if definition.initiators and not set(who.departments) & set(definition.initiators):
        error = ForbiddenError(
            "start.not_an_initiating_department",
            process=key,
            initiators=list(definition.initiators),
            department=", ".join(who.departments),
        )
        raise as_denial(error, Permission.INITIATE.value, f"process:{key}")
    return StartForm(as_version(names, found), field_specs(form_fields(definition)))


def startable(app: App, who: Principal) -> list[ProcessVersion]:
    """The newest version of each process ``who`` may start."""
    with app.db.read() as conn:
        names = Names(app.org(conn))
        rules = app.rules(conn)
        found = []
        for stored in catalog_repo.list_definitions(conn):
            definition = app.definition(conn, stored.id)
            mine = not definition.initiators or set(who.departments) & set(definition.initiators)
            if mine and granted(who, Permission.INITIATE, rules.grants_of(stored.key)):
                found.append(as_version(names, stored))
    return found


def diagram(app: App, who: Principal, key: str, version: int | str | None, lang: str) -> str:
    from oaflow.domain.diagram import to_mermaid

    return to_mermaid(shown(app, who, key, version)[1], lang)
