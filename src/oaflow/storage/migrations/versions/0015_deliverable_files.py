"""uploaded deliverables (SEC-5): one row per stored file

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = oaflow.storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_files_instance_id_instances")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_files_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_files_stored_name")),
    )
    op.create_index(op.f("ix_files_task_id"), "files", ["task_id"], unique=False)
    op.create_index(op.f("ix_files_instance_id"), "files", ["instance_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_files_instance_id"), table_name="files")
    op.drop_index(op.f("ix_files_task_id"), table_name="files")
    op.drop_table("files")
