"""The composition root: the one place that builds concrete adapters from Settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from oaflow.config import Settings
from oaflow.domain.clock import Clock, SystemClock
from oaflow.domain.errors import OAFlowError
from oaflow.notify.channels.base import Channel
from oaflow.notify.channels.registry import channel_for
from oaflow.services.app import App
from oaflow.storage import failures
from oaflow.storage.crypto import cipher_from
from oaflow.storage.database import Database


def build_app(settings: Settings, clock: Clock | None = None, url: str | None = None) -> App:
    """The App on the configured database; its business calendar is read from the
    database at first use (services/calendar.py). The keys that seal sensitive fields come
    from the settings or a key file (docs/adr/0008), never from the database."""
    cipher = cipher_from(settings.keys, settings.key_file)
    return App(
        db=Database(url or settings.database_url),
        clock=clock or SystemClock(),
        default_locale=settings.lang,
        default_timezone=settings.timezone,
        base_url=settings.base_url,
        secret_key=settings.secret_key,
        files_root=Path(settings.files_dir),
        max_upload=settings.max_upload_mb * 2**20,
        cipher=cipher,
        metrics_token=settings.metrics_token,
    )


@contextmanager
def build_channels() -> Iterator[Callable[[str], Channel]]:
    """The real channels, sharing one HTTP client for the worker's life."""
    import httpx  # loaded by the commands that deliver, not by every CLI command

    with httpx.Client(timeout=10.0, follow_redirects=False) as http:
        made: dict[str, Channel] = {}

        def channel(kind: str) -> Channel:
            if kind not in made:
                made[kind] = channel_for(kind, http)
            return made[kind]

        yield channel


# -- what the adapters need of the database's failures (they import no storage) -----------
def driver_errors() -> tuple[type[BaseException], ...]:
    return failures.driver_errors()


def explain_failure(app: App, exc: BaseException) -> OAFlowError | None:
    """What a database failure means for a person (no schema, no database), or None."""
    return failures.explain(app.db, exc)


def require_database(app: App, tables: bool = False, current: bool = False) -> None:
    """The database exists (a SQLite file is not created by a command that only reads or
    acts) and, with ``tables``, has the schema; with ``current``, the schema of this code
    (servers and workers, before they start: docs/deploy.md, upgrades)."""
    failures.require_file(app.db)
    if tables or current:
        failures.require_tables(app.db)
    if current:
        from oaflow.storage.migrate import require_current  # Alembic: only for them

        require_current(app.db)


def database_location(app: App) -> str:
    return failures.location(app.db)


def database_ready(app: App) -> bool:
    """Whether the database answers and has the schema (the readiness probe)."""
    failures_: tuple[type[BaseException], ...] = (OAFlowError, *driver_errors())
    try:
        require_database(app, tables=True)
    except failures_:
        return False
    return True
