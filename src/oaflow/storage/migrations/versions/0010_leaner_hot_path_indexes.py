"""leaner hot-path indexes: no history.task_id and tasks (department, state) indexes
(no query uses them; each cost its pages at every completion's commit),
the outbox indexed by instance (its list) instead of task, the inbox without its unique
(message_id, login) constraint (a copy is written only with a new message)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 13:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_department_state"))
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_history_task_id"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_task_id"))
        batch_op.create_index(batch_op.f("ix_outbox_instance_id"), ["instance_id"], unique=False)
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_inbox_message_id_login"), type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_inbox_message_id_login"), ["message_id", "login"]
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_instance_id"))
        batch_op.create_index(batch_op.f("ix_outbox_task_id"), ["task_id"], unique=False)
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_history_task_id"), ["task_id"], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tasks_department_state"), ["department", "state"], unique=False
        )
