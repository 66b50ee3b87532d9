"""indexes of the scope condition (SEC-2) and the instance list: instances by initiator and
by start, tasks by department (with their instance)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instances_initiator"), ["initiator"], unique=False)
        batch_op.create_index(batch_op.f("ix_instances_started_at"), ["started_at"], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tasks_department_instance_id"),
            ["department", "instance_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_department_instance_id"))
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instances_started_at"))
        batch_op.drop_index(batch_op.f("ix_instances_initiator"))
