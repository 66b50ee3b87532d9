"""the scope's deputies: a partial index on tasks.on_behalf_of

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 21:40:00

The scope of a person (storage/scope_sql.py) includes the instances whose tasks they held
for someone else (ORG-3). Without an index every scoped list and report read the whole
task table for it (bench/report.py: a head's review over 1,000,000 tasks). Few tasks are
held on behalf of someone: the index keeps only those.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_tasks_on_behalf_of",
        "tasks",
        ["on_behalf_of"],
        sqlite_where=sa.text("on_behalf_of IS NOT NULL"),
        postgresql_where=sa.text("on_behalf_of IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_on_behalf_of", table_name="tasks")
