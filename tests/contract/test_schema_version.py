"""A server or worker starts only on the schema its code was written for (docs/deploy.md,
upgrades): an older one asks for `oaflow init`, a newer one for the same OA-Flow version."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from oaflow.domain.errors import OAFlowError
from oaflow.storage.database import Database
from oaflow.storage.migrate import require_current, upgrade


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def test_an_older_schema_is_refused_until_it_is_upgraded(db: Database) -> None:
    upgrade(db, to="0023")
    with pytest.raises(OAFlowError) as refused:
        require_current(db)
    assert refused.value.fault.code == "database.schema_old"
    assert refused.value.fault.params["found"] == "0023"
    upgrade(db)
    require_current(db)  # nothing raised: the current schema


def test_a_schema_a_newer_version_upgraded_is_refused(db: Database) -> None:
    upgrade(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(OAFlowError) as refused:
        require_current(db)
    assert refused.value.fault.code == "database.schema_newer"
    assert "0099" in refused.value.text("en", "UTC")
