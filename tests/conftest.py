"""Shared fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL.

PostgreSQL tests read ``OAFLOW_TEST_DATABASE_URL`` (an existing database used only to create
and drop fresh ones). Without it they are skipped with a reason, except on CI (CI=true),
where a missing URL is an error, so they always run there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services.app import App
from oaflow.storage.crypto import Cipher, cipher_from
from oaflow.storage.database import Database, normalise_url
from pg_databases import drop_pg_database, fresh_pg_database
from shared_settings import TEST_KEYS

PG_URL = os.environ.get("OAFLOW_TEST_DATABASE_URL", "")
ON_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]
T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # 2024-03-01 09:00 in Shanghai, a Friday


def keyed_cipher(keys: str = TEST_KEYS) -> Cipher:
    cipher = cipher_from(keys, "")
    assert cipher is not None
    return cipher


def pytest_configure(config: pytest.Config) -> None:
    if ON_CI and not PG_URL:
        raise pytest.UsageError("CI=true but OAFLOW_TEST_DATABASE_URL is not set")


#: the files that take longest (about a minute or more of one worker on 2 cores), run first.
#: pytest-xdist hands out whole files (``--dist loadfile``) in collection order when told not
#: to reorder them (scripts/test); by default it hands out the files with the most tests
#: first, so these — long but with few tests — came last and kept the run going for a minute
#: or more after the other workers had finished. Only the order changes, never what runs.
LONGEST_FIRST = (
    "acceptance/test_reliability.py",
    "acceptance/test_serve.py",
    "api/test_bola.py",
    "web/test_web_admin.py",
    "bench/test_run_bench.py",
    "web/test_web_flows.py",
    "api/test_api_regressions.py",
    "web/test_web_pages.py",
    "contract/test_sla.py",
    "contract/test_calendar_store.py",
    "bench/test_inbox_http_bench.py",
    "bench/test_report_bench.py",
    "contract/test_timers.py",
    "contract/test_demo_history.py",
    "api/test_openapi_fuzz.py",
    "unit/test_engine_stateful.py",
    "acceptance/test_multi_node.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    if gone := [name for name in LONGEST_FIRST if not (here / name).is_file()]:
        raise pytest.UsageError(f"tests/conftest.py LONGEST_FIRST names no file: {gone}")
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}

    def order(item: pytest.Item) -> int:
        try:
            return rank.get(item.path.relative_to(here).as_posix(), len(rank))
        except ValueError:
            return len(rank)

    items.sort(key=order)  # stable: the other files keep their order


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
    demo = "demo_app" in request.fixturenames  # made a copy of the demo at once (demo_app)
    url, name = fresh_pg_database(admin_url, request.getfixturevalue("demo_pg") if demo else None)
    if demo:
        DEMO_COPIES.add(name)
    try:
        yield url
    finally:
        DEMO_COPIES.discard(name)
        drop_pg_database(admin_url, name)


#: the PostgreSQL databases ``db_url`` made as copies of the demo template for ``demo_app``
DEMO_COPIES: set[str] = set()


@pytest.fixture
def keys_setting() -> str:
    """OAFLOW_KEYS as it holds the key of the ``app`` fixture (for processes it starts)."""
    return TEST_KEYS


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture(scope="session")
def calendar_cn():  # type: ignore[no-untyped-def]
    return china_calendar()


@pytest.fixture
def app(db_url: str, clock: FixedClock, calendar_cn) -> Iterator[App]:  # type: ignore[no-untyped-def]
    application = App(db=Database(db_url), clock=clock, calendar=calendar_cn, cipher=keyed_cipher())
    yield application
    application.db.dispose()


@pytest.fixture
def demo_app(app: App, clock: FixedClock, request: pytest.FixtureRequest) -> App:
    """An app on a fresh database with the demo organisation and the built-in processes.

    `setup.init(app, demo=True)` runs once per backend and worker, into a template database
    that each test's fresh database is then copied from (a file copy on SQLite; on
    PostgreSQL `db_url` makes the database with CREATE DATABASE … TEMPLATE at once): the
    migrations and the demo data are the same for every test made at T0, and making them
    again took ~0.2 s (SQLite) and ~0.5 s
    (PostgreSQL) of every one of about a thousand tests. A database something already wrote
    to, or a clock moved before, gets its own `setup.init`."""
    from oaflow.services import setup

    sqlite = app.db.dialect == "sqlite"
    name = str(app.db.engine.url.database)
    if name in DEMO_COPIES:  # db_url made it a copy of the template (made at T0)
        if clock.now() == T0:
            return app
        app.db.dispose()
        admin_url = request.getfixturevalue("pg_admin_url")
        drop_pg_database(admin_url, name)
        fresh_pg_database(admin_url, name=name)
    if clock.now() != T0 or not _empty(app):
        setup.init(app, demo=True)
        return app
    template = request.getfixturevalue("demo_sqlite" if sqlite else "demo_pg")
    app.db.dispose()
    if sqlite:
        shutil.copyfile(template, name)
    else:
        admin_url = request.getfixturevalue("pg_admin_url")
        drop_pg_database(admin_url, name)
        fresh_pg_database(admin_url, template, name=name)
    return app


def _empty(app: App) -> bool:
    with app.db.read() as conn:
        return not inspect(conn).get_table_names()


def _demo_init(url: str, calendar: object) -> None:
    from oaflow.services import setup

    made = App(db=Database(url), clock=FixedClock(T0), calendar=calendar, cipher=keyed_cipher())  # type: ignore[arg-type]
    setup.init(made, demo=True)
    made.db.dispose()


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory, calendar_cn: object) -> str:
    """The demo database of `demo_app` on SQLite (a file copied by each test)."""
    path = tmp_path_factory.mktemp("demo-template") / "oaflow.db"
    _demo_init(f"sqlite:///{path}", calendar_cn)
    return str(path)


@pytest.fixture(scope="session")
def demo_pg(pg_admin_url: str, calendar_cn: object) -> Iterator[str]:
    """The demo database of `demo_app` on PostgreSQL (a template database)."""
    url, name = fresh_pg_database(pg_admin_url)
    _demo_init(url, calendar_cn)
    yield name
    drop_pg_database(pg_admin_url, name)


# `HYPOTHESIS_PROFILE=quick` while working on a failing state machine: no shrinking
from hypothesis import Phase  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile(
    "quick", phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
