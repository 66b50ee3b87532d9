"""archives of finished instances with their manifests (ARC-1)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
TIME = oaflow.storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "archives",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("build_at", TIME, nullable=True),
        sa.Column("built_at", TIME, nullable=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), server_default="", nullable=False),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_archives_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archives")),
        sa.UniqueConstraint("instance_id", "node_id", name=op.f("uq_archives_instance_id_node_id")),
        sa.UniqueConstraint("name", name=op.f("uq_archives_name")),
    )
    where = sa.text("build_at IS NOT NULL")
    op.create_index(
        "ix_archives_build_at", "archives", ["build_at"], sqlite_where=where, postgresql_where=where
    )


def downgrade() -> None:
    op.drop_index("ix_archives_build_at", table_name="archives")
    op.drop_table("archives")
