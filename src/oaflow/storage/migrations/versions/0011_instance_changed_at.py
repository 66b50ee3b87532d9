"""instance changed_at: when the instance's history last grew (a person's command at an
earlier instant is refused, so that history never goes back in time); filled from the
history of existing instances

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("changed_at", oaflow.storage.tables.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE instances SET changed_at = "
        "(SELECT max(history.at) FROM history WHERE history.instance_id = instances.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_column("changed_at")
