"""Shared fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL.

PostgreSQL tests read ``OAFLOW_TEST_DATABASE_URL`` (an existing database used only to create
and drop fresh ones). Without it they are skipped with a reason, except on CI (CI=true),
where a missing URL is an error, so they always run there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services.app import App
from oaflow.storage.database import Database, normalise_url
from pg_databases import drop_pg_database, fresh_pg_database

PG_URL = os.environ.get("OAFLOW_TEST_DATABASE_URL", "")
ON_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]
T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # 2024-03-01 09:00 in Shanghai, a Friday


def pytest_configure(config: pytest.Config) -> None:
    if ON_CI and not PG_URL:
        raise pytest.UsageError("CI=true but OAFLOW_TEST_DATABASE_URL is not set")


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL tests need OAFLOW_TEST_DATABASE_URL")
    return normalise_url(PG_URL)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'oaflow.db'}"
        return
    admin_url = request.getfixturevalue("pg_admin_url")
    url, name = fresh_pg_database(admin_url)
    try:
        yield url
    finally:
        drop_pg_database(admin_url, name)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture(scope="session")
def calendar_cn():  # type: ignore[no-untyped-def]
    return china_calendar()


@pytest.fixture
def app(db_url: str, clock: FixedClock, calendar_cn) -> Iterator[App]:  # type: ignore[no-untyped-def]
    application = App(db=Database(db_url), clock=clock, calendar=calendar_cn)
    yield application
    application.db.dispose()


@pytest.fixture
def demo_app(app: App) -> App:
    """An app on a fresh database with the demo organisation and the built-in processes."""
    from oaflow.services import setup

    setup.init(app, demo=True)
    return app


# `HYPOTHESIS_PROFILE=quick` while working on a failing state machine: no shrinking
from hypothesis import Phase  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile(
    "quick", phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
