"""the metrics' daily roll-up: a tally per day and node, department or process; covering
indexes for the satisfaction scores

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 02:00:00

A review over a million tasks read every task of the period, and the forecasts every task
of half a year (bench/report.py: 16 s). The worker now sums each day that has ended into
one row per group (docs/adr/0015); a period reads its days' rows. Empty at first: the
worker rolls up the days of the history already there (`oaflow report rollup` does it at
once), and until then a period's days are tallied on the spot, as before.

The scores of a period (surveys of the instances that ended in it) are read live — answers
come days later — now from two indexes alone: the instances' end with their state, process
and id, the surveys' instance with score and department (a month of a million-task history:
0.075 s → 0.025 s on SQLite).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
TIME = oaflow.storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rollup_days",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("instances", sa.Integer(), nullable=False),
        sa.Column("rolled_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_rollup_days")),
    )
    counts = (
        "with_due",
        "late",
        "late_instances",
        "with_exception",
        "visits",
        "first_pass",
        "on_time",
    )
    op.create_table(
        "rollup_tallies",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("process", sa.String(64), nullable=False),
        sa.Column("node", sa.String(64), nullable=False),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("work_sum", sa.BigInteger(), nullable=False),
        sa.Column("work_hist", sa.Text(), nullable=False),
        sa.Column("span_sum", sa.BigInteger(), nullable=False),
        sa.Column("span_hist", sa.Text(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in counts[:2]),
        sa.Column("late_seconds", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in counts[2:]),
        sa.PrimaryKeyConstraint(
            "day", "kind", "process", "node", "department", name=op.f("pk_rollup_tallies")
        ),
    )

    _ended_index(["ended_at", "state", "definition_key", "id"])
    op.create_index(
        "ix_surveys_instance_id_score_department",
        "surveys",
        ["instance_id", "score", "department"],
    )


def _ended_index(columns: list[str]) -> None:
    op.drop_index("ix_instances_ended_at", table_name="instances")
    op.create_index(
        "ix_instances_ended_at",
        "instances",
        columns,
        sqlite_where=sa.text("ended_at IS NOT NULL"),
        postgresql_where=sa.text("ended_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_surveys_instance_id_score_department", table_name="surveys")
    _ended_index(["ended_at"])
    op.drop_table("rollup_tallies")
    op.drop_table("rollup_days")
