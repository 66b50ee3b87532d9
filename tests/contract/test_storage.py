"""Schema and sequences on both databases."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from oaflow.services import runtime
from oaflow.services.app import App
from oaflow.storage.database import Database
from oaflow.storage.migrate import require_current, upgrade
from oaflow.storage.tables import metadata

from .driver import COMPLAINT, who


def test_upgrade_head_on_an_empty_database_equals_the_model(db_url: str) -> None:
    db = Database(db_url)
    try:
        upgrade(db)
        require_current(db)  # the schema of this code: nothing raised
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
        upgrade(db)  # running it again changes nothing
    finally:
        db.dispose()


def test_concurrent_starts_get_distinct_consecutive_business_keys(demo_app: App) -> None:
    """Eight people start a complaint at the same moment: TS202403001..008, no gap, no twin."""
    apps = [
        App(
            db=Database(demo_app.db.url),
            clock=demo_app.clock,
            calendar=demo_app.calendar,
            cipher=demo_app.sensitive.cipher,
        )
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(apps))
    keys: list[str] = []
    errors: list[BaseException] = []

    def start(app: App) -> None:
        barrier.wait()
        try:
            keys.append(
                runtime.start(
                    app, who(app, "csd.head"), "customer-complaint", COMPLAINT
                ).business_key
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for app in apps:
        app.db.dispose()
    assert errors == []
    assert sorted(keys) == [f"TS202403{n:03d}" for n in range(1, 9)]
