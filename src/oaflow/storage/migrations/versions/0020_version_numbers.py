"""process versions: major/minor numbers, change logs and change notices (VER-1..4)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 17:00:00

Each published version keeps the ``V{major}.{minor}`` of its label and the publisher's
change note. Versions published before had labels ``V{version}.0-…``: their major is their
version number and their minor 0.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("definitions") as batch:
        batch.add_column(sa.Column("major", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("minor", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
    op.execute("UPDATE definitions SET major = version, minor = 0")


def downgrade() -> None:
    # not a batch: SQLite would copy the table and drop it, which the instances' foreign key
    # to their definition forbids; plain ALTER TABLE … DROP COLUMN (SQLite 3.35+) does not
    for column in ("note", "minor", "major"):
        op.drop_column("definitions", column)
