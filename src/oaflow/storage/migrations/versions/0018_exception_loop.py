"""the exception records' closed loop (EXC-2..5): discovery, the responsible department's
report (异常处理说明) with its 4-hour clock, coordination, resolution, verification, reopening,
and the cause category of the monthly analysis

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 14:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
TIME = oaflow.storage.tables.UTCDateTime(timezone=True)
PENDING = sa.text("check_at IS NOT NULL")
NEW: list[tuple[str, Any]] = [
    ("found_at", TIME),
    ("department", sa.String(length=64)),
    ("report_due_at", TIME),
    ("cause_category", sa.String(length=40)),
    ("cause", sa.Text()),
    ("expected_at", TIME),
    ("resources", sa.Text()),
    ("explained_by", sa.String(length=64)),
    ("explained_at", TIME),
    ("plan", sa.Text()),
    ("handler", sa.String(length=64)),
    ("planned_at", TIME),
    ("coordinated_by", sa.String(length=64)),
    ("coordinated_at", TIME),
    ("resolution", sa.Text()),
    ("resolved_by", sa.String(length=64)),
    ("resolved_at", TIME),
    ("verification", sa.Text()),
    ("verified_by", sa.String(length=64)),
    ("verified_at", TIME),
    ("reopen_reason", sa.Text()),
]


def upgrade() -> None:
    with op.batch_alter_table("exceptions", schema=None) as batch_op:
        for name, kind in NEW:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.add_column(sa.Column("reopened", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("check_at", TIME, nullable=True))
        batch_op.add_column(sa.Column("sla_fired", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_index(batch_op.f("ix_exceptions_found_at"), ["found_at"], unique=False)
    op.create_index(
        "ix_exceptions_check_at",
        "exceptions",
        ["check_at"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    # the records opened before: found when reported, in the first state of the loop, the
    # responsible department the one their task had
    op.execute("UPDATE exceptions SET found_at = reported_at, state = 'found' WHERE state = 'open'")
    op.execute(
        "UPDATE exceptions SET department = (SELECT department FROM tasks "
        "WHERE tasks.id = exceptions.task_id)"
    )


def downgrade() -> None:
    op.drop_index("ix_exceptions_check_at", table_name="exceptions")
    with op.batch_alter_table("exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exceptions_found_at"))
        for name in (
            "version",
            "sla_fired",
            "check_at",
            "reopened",
            *reversed([n for n, _ in NEW]),
        ):
            batch_op.drop_column(name)
    op.execute("UPDATE exceptions SET state = 'open' WHERE state <> 'closed'")
