"""business calendar: dated days off and working days (TIME-1)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 08:19:51.558871

The calendar's settings (time zone, working hours, weekend, confirmed years) are rows of
the existing ``settings`` table; `oaflow init` seeds both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )


def downgrade() -> None:
    op.drop_table("calendar_days")
    op.execute("DELETE FROM settings WHERE name LIKE 'calendar.%'")
