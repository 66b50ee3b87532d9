"""Process definitions: validate, publish as immutable versions, list, show, diagram.
Publishing is the administrators' (SEC-2); everyone who works with processes reads them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import ForbiddenError, NotFoundError, as_denial
from oaflow.domain.model import Message
from oaflow.domain.security import Permission, Principal, granted
from oaflow.domain.text import Text
from oaflow.domain.validate import check_definition
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.services.view_parts import Names, field_specs, form_fields
from oaflow.services.views import FieldSpec, Person
from oaflow.storage import catalog_repo
from oaflow.storage.catalog_repo import StoredDefinition
from oaflow.storage.runtime_store import RuntimeStore


@dataclass(frozen=True)
class Published:
    key: str
    version: int
    label: str


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


def validate(app: App | None, text: str, file: str) -> ProcessDefinition:
    """Check a definition, against the organisation and the configured compliance policies
    when there is a database (``app``); raises ValidationError with every problem."""
    if app is None:
        return check_definition(text, file, None)
    with app.db.read() as conn:
        names = app.org(conn).names()
        policies = app.rules(conn).policies
    return check_definition(text, file, names, policies)


def publish(app: App, who: Principal, text: str, file: str) -> Published:
    """Publish a new immutable version (administrators)."""
    with app.db.write() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        definition = check_definition(text, file, app.org(conn).names(), app.rules(conn).policies)
        version = catalog_repo.latest_version(conn, definition.key) + 1
        now = app.now()
        label = version_label(version, now.astimezone(ZoneInfo(app.calendar.tz)), definition)
        catalog_repo.insert_definition(
            conn,
            {
                "key": definition.key,
                "version": version,
                "label": label,
                "name_zh": definition.name.zh,
                "name_en": definition.name.en,
                "source": text,
                "file": file,
                "published_at": now,
                "published_by": who.login,
            },
        )
        if version > 1:
            _tell_administrators(app, conn, definition, version, label, who.login)
        source_sha256 = hashlib.sha256(text.encode()).hexdigest()
        detail: dict[str, Any] = {"version": version, "label": label, "file": file}
        audit.record(
            app,
            conn,
            who,
            AuditAction.PROCESS_PUBLISH,
            f"process:{definition.key}",
            **detail,
            source_sha256=source_sha256,
        )
    return Published(definition.key, version, label)


def _tell_administrators(
    app: App,
    conn: Connection,
    definition: ProcessDefinition,
    version: int,
    label: str,
    actor: str,
) -> None:
    """A changed process definition is news for the administrators (NTF-1)."""
    people = tuple(sorted(app.org(conn).users_with_role("administrator")))
    data = {
        "process_zh": definition.name.zh,
        "process_en": definition.name.en,
        "title": label,
        "business_key": definition.key,
        "actor": actor or None,
        "note": label,
    }
    key = f"definition/{definition.key}/v{version}"  # ASCII: it travels in mail and HTTP headers
    message = Message(key, "definition_changed", people, None, data)
    RuntimeStore.on(conn, app.sensitive).insert_messages(None, [message], app.now())


def version_label(version: int, local: Any, definition: ProcessDefinition) -> str:
    """``V1.0-202403-新产品上市流程`` (VER-1)."""
    return f"V{version}.0-{local.year:04d}{local.month:02d}-{definition.name.zh}"


def _version(names: Names, stored: StoredDefinition, with_source: bool = False) -> ProcessVersion:
    return ProcessVersion(
        key=stored.key,
        version=stored.version,
        label=stored.label,
        name=Text(stored.name_zh, stored.name_en),
        published_at=stored.published_at,
        published_by=names.known(stored.published_by),
        source=stored.source if with_source else "",
    )


def list_published(app: App, who: Principal) -> list[ProcessVersion]:
    """The newest version of each published process."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW)
        names = Names(app.org(conn))
        return [_version(names, d) for d in catalog_repo.list_definitions(conn)]


def versions(app: App, who: Principal, key: str) -> list[ProcessVersion]:
    """Every published version of a process, newest first (VER-1)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW, process=key)
        found = catalog_repo.versions_of(conn, key)
        names = Names(app.org(conn))
    if not found:
        raise NotFoundError("process.not_published", key=key)
    return [_version(names, d) for d in found]


def _stored(
    app: App, conn: Connection, who: Principal, key: str, version: int | None
) -> StoredDefinition:
    authz.authorize(app, conn, who, Permission.VIEW, process=key)
    found = catalog_repo.get_definition(conn, key, version)
    if found is None:
        if version:
            raise NotFoundError("process.version_not_published", key=key, version=version)
        raise NotFoundError("process.not_published", key=key)
    return found


def shown(
    app: App, who: Principal, key: str, version: int | None = None
) -> tuple[ProcessVersion, ProcessDefinition]:
    """A published version with its YAML text, and what it compiles to."""
    with app.db.read() as conn:
        found = _stored(app, conn, who, key, version)
        names = Names(app.org(conn))
        return _version(names, found, with_source=True), app.definition(conn, found.id)


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
    return StartForm(_version(names, found), field_specs(form_fields(definition)))


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
                found.append(_version(names, stored))
    return found


def diagram(app: App, who: Principal, key: str, version: int | None, lang: str) -> str:
    from oaflow.domain.diagram import to_mermaid

    return to_mermaid(shown(app, who, key, version)[1], lang)
