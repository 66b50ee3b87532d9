"""weekly cross-department meetings (MTG-1/2): schedules per initiating department, the
meetings with their prepared report, and the resolutions as action items on the SLA clock

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
TIME = oaflow.storage.tables.UTCDateTime(timezone=True)


def _pending(table: str, column: str) -> None:
    """The worker's scan: a partial index on the rows that have a next check."""
    where = sa.text(f"{column} IS NOT NULL")
    op.create_index(
        f"ix_{table}_{column}", table, [column], sqlite_where=where, postgresql_where=where
    )


def upgrade() -> None:
    op.create_table(
        "meeting_schedules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("prepare_hours", sa.Float(), server_default="2", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("next_at", TIME, nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_schedules")),
    )
    op.create_index(
        op.f("ix_meeting_schedules_department"), "meeting_schedules", ["department"], unique=False
    )
    _pending("meeting_schedules", "next_at")
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("held_at", TIME, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("prepared_at", TIME, nullable=False),
        sa.Column("prepared_by", sa.String(length=64), nullable=False),
        sa.Column("minutes_at", TIME, nullable=True),
        sa.Column("check_at", TIME, nullable=True),
        sa.Column("reminded", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["meeting_schedules.id"],
            name=op.f("fk_meetings_schedule_id_meeting_schedules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("code", name=op.f("uq_meetings_code")),
    )
    op.create_index(
        op.f("ix_meetings_department_held_at"), "meetings", ["department", "held_at"], unique=False
    )
    _pending("meetings", "check_at")
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done_at", TIME, nullable=True),
        sa.Column("done_note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("check_at", TIME, nullable=True),
        sa.Column("sla_fired", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_action_items_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    op.create_index(op.f("ix_action_items_meeting_id"), "action_items", ["meeting_id"])
    op.create_index(op.f("ix_action_items_owner_state"), "action_items", ["owner", "state"])
    _pending("action_items", "check_at")


def downgrade() -> None:
    op.drop_table("action_items")
    op.drop_table("meetings")
    op.drop_table("meeting_schedules")
