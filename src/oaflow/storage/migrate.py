"""Create or upgrade the schema with Alembic (OPS-3)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from oaflow.storage.database import Database


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("oaflow.storage") / "migrations"))
    return config


def upgrade(db: Database) -> None:
    with db.engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def is_current(db: Database) -> bool:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
