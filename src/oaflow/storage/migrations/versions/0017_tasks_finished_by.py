"""index of the tasks a person finished (已办, the web inbox's "done by me" tab): by who
and when, only for finished tasks (an open task writes no entry)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
WHERE = sa.text("finished_by IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_tasks_finished_by",
        "tasks",
        ["finished_by", "finished_at"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_finished_by", table_name="tasks")
