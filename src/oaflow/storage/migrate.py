"""Create or upgrade the schema with Alembic (OPS-3)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from oaflow.domain.errors import OAFlowError
from oaflow.storage.database import Database


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("oaflow.storage") / "migrations"))
    return config


def upgrade(db: Database, to: str = "head") -> None:
    """Create or upgrade the schema in one transaction (to an older revision: tests)."""
    with db.engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, to)


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def require_current(db: Database) -> None:
    """Before a server or worker starts: the schema is the one this code was written for —
    not an older one (run `oaflow init` to upgrade it) nor one a newer OA-Flow upgraded."""
    scripts = _scripts()
    head = scripts.get_current_head()
    with db.engine.connect() as conn:
        found = MigrationContext.configure(conn).get_current_revision()
    if found == head:
        return
    known = {script.revision for script in scripts.walk_revisions()}
    code = "database.schema_old" if found in known else "database.schema_newer"
    raise OAFlowError(code, url=db.engine.url.render_as_string(), found=found, head=head)
