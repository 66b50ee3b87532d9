"""metrics: measured durations of tasks and instances, their period indexes, and the
satisfaction survey (MTR-1, MTR-2)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 20:00:00

Tasks and instances keep their working-time and calendar-time durations (and a task its
working time past its deadline), measured when they finish (docs/adr/0013). Those that
finished before are measured here on the stored business calendar.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables
from oaflow.domain.measures import measure
from oaflow.storage.calendar_store import load_calendar

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
TIME = oaflow.storage.tables.UTCDateTime(timezone=True)
_BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("work_seconds", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("span_seconds", sa.Integer(), nullable=True))
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("work_seconds", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("span_seconds", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("late_seconds", sa.Integer(), nullable=True))
    for table, column in (("instances", "ended_at"), ("tasks", "finished_at")):
        op.create_index(
            f"ix_{table}_{column}",
            table,
            [column],
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )
    op.create_index(op.f("ix_tasks_created_at"), "tasks", ["created_at"])
    _surveys()
    _measure_finished()


def _surveys() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("asked_at", TIME, nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_surveys_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint(
            "instance_id", "department", name=op.f("uq_surveys_instance_id_department")
        ),
    )
    op.create_index(
        op.f("ix_surveys_department_answered_at"), "surveys", ["department", "answered_at"]
    )


def _measure_finished() -> None:
    """Measure the tasks and instances that finished before this version, in batches."""
    conn = op.get_bind()
    calendar = load_calendar(conn)
    tasks, instances = oaflow.storage.tables.tasks, oaflow.storage.tables.instances
    for table, end, due in (
        (tasks, tasks.c.finished_at, tasks.c.due_at),
        (instances, instances.c.ended_at, None),
    ):
        start = tasks.c.created_at if table is tasks else instances.c.started_at
        last = 0
        while True:
            rows = conn.execute(
                sa.select(table.c.id, start, end, due if due is not None else sa.null())
                .where(end.is_not(None), table.c.id > last)
                .order_by(table.c.id)
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            updates: list[dict[str, int | None]] = []
            for row_id, begun, ended, deadline in rows:
                found = measure(begun, max(begun, ended), deadline, calendar)
                values = {"id_": row_id, "w": found.work_seconds, "s": found.span_seconds}
                if table is tasks:
                    values["l"] = found.late_seconds
                updates.append(values)
            fields: dict[str, sa.BindParameter[int]] = {
                "work_seconds": sa.bindparam("w"),
                "span_seconds": sa.bindparam("s"),
            }
            if table is tasks:
                fields["late_seconds"] = sa.bindparam("l")
            statement = table.update().where(table.c.id == sa.bindparam("id_")).values(fields)
            conn.execute(statement, updates)
            last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("surveys")
    op.drop_index("ix_tasks_created_at", table_name="tasks")
    op.drop_index("ix_tasks_finished_at", table_name="tasks")
    op.drop_index("ix_instances_ended_at", table_name="instances")
    for table, columns in (
        ("tasks", ("late_seconds", "span_seconds", "work_seconds")),
        ("instances", ("span_seconds", "work_seconds")),
    ):
        for column in columns:
            op.drop_column(table, column)
