"""Process definitions: validate, publish as immutable versions, list, show, diagram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import NotFoundError
from oaflow.domain.model import Message
from oaflow.domain.validate import check_definition
from oaflow.services.app import App
from oaflow.storage import catalog_repo
from oaflow.storage.catalog_repo import StoredDefinition
from oaflow.storage.runtime_store import RuntimeStore


@dataclass(frozen=True)
class Published:
    key: str
    version: int
    label: str


def validate(app: App | None, text: str, file: str) -> ProcessDefinition:
    """Check a definition, against the organisation when there is a database (``app``);
    raises ValidationError with every problem."""
    if app is None:
        return check_definition(text, file, None)
    with app.db.read() as conn:
        names = app.org(conn).names()
    return check_definition(text, file, names)


def publish(app: App, text: str, file: str, actor: str = "") -> Published:
    with app.db.write() as conn:
        definition = check_definition(text, file, app.org(conn).names())
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
                "published_by": actor,
            },
        )
        if version > 1:
            _tell_administrators(app, conn, definition, version, label, actor)
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
    RuntimeStore.on(conn).insert_messages(None, [message], app.now())


def version_label(version: int, local: Any, definition: ProcessDefinition) -> str:
    """``V1.0-202403-新产品上市流程`` (VER-1)."""
    return f"V{version}.0-{local.year:04d}{local.month:02d}-{definition.name.zh}"


def list_published(app: App) -> list[StoredDefinition]:
    with app.db.read() as conn:
        return catalog_repo.list_definitions(conn)


def stored(app: App, key: str, version: int | None = None) -> StoredDefinition:
    with app.db.read() as conn:
        found = catalog_repo.get_definition(conn, key, version)
    if found is None:
        what = f"process '{key}'" + (f" version {version}" if version else "")
        raise NotFoundError(
            f"{what} is not published",
            "see `oaflow process list`, or publish it with `oaflow process publish FILE`",
        )
    return found


def compiled(app: App, key: str, version: int | None = None) -> ProcessDefinition:
    found = stored(app, key, version)
    with app.db.read() as conn:
        return app.definition(conn, found.id)


def diagram(app: App, key: str, version: int | None = None, lang: str = "zh") -> str:
    from oaflow.domain.diagram import to_mermaid

    return to_mermaid(compiled(app, key, version), lang)
