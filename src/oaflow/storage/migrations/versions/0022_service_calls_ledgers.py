"""service calls to other systems with their incidents (INT-2), and ledgers (ARC-2)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
TIME = oaflow.storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "service_endpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("changed_at", TIME, nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_endpoints")),
        sa.UniqueConstraint("service", name=op.f("uq_service_endpoints_service")),
    )
    _service_calls()
    _ledger_entries()


def _service_calls() -> None:
    op.create_table(
        "service_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_at", TIME, nullable=True),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("reference", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("incident_at", TIME, nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_service_calls_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_calls")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_service_calls_idempotency_key")),
    )
    op.create_index(
        op.f("ix_service_calls_instance_id_state"), "service_calls", ["instance_id", "state"]
    )
    op.create_index(op.f("ix_service_calls_state"), "service_calls", ["state"])
    where = sa.text("next_at IS NOT NULL")
    op.create_index(
        "ix_service_calls_next_at",
        "service_calls",
        ["next_at"],
        sqlite_where=where,
        postgresql_where=where,
    )


def _ledger_entries() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("process_key", sa.String(length=64), nullable=False),
        sa.Column("ledger", sa.String(length=64), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("business_key", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_ledger_entries_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint(
            "process_key",
            "ledger",
            "department",
            "period",
            name=op.f("uq_ledger_entries_process_key_ledger_department_period"),
        ),
    )
    op.create_index(op.f("ix_ledger_entries_ledger_period"), "ledger_entries", ["ledger", "period"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_entries_ledger_period"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index("ix_service_calls_next_at", table_name="service_calls")
    op.drop_index(op.f("ix_service_calls_state"), table_name="service_calls")
    op.drop_index(op.f("ix_service_calls_instance_id_state"), table_name="service_calls")
    op.drop_table("service_calls")
    op.drop_table("service_endpoints")
