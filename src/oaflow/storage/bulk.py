"""Many copies of one open task, each in its own copy of the task's instance: due SLA checks
in bulk for the timer benchmark and the multi-worker test. The column lists come from
``tables.py``, so the copies follow the schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, text

from oaflow.storage.crypto import is_sealed
from oaflow.storage.database import Database
from oaflow.storage.tables import UTCDateTime, instances, tasks

_INSTANCE_SET = {"business_key": ":prefix || n.i", "started_at": ":created"}
_TASK_SET = {
    "instance_id": "i.id",
    "created_at": ":created",
    "due_at": ":due",
    "check_at": ":check",
}


def _copy_sql() -> tuple[str, str]:
    icols = [c.name for c in instances.columns if c.name != "id"]
    tcols = [c.name for c in tasks.columns if c.name != "id"]
    copy_instances = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
        f"INSERT INTO instances ({', '.join(icols)}) "
        f"SELECT {', '.join(_INSTANCE_SET.get(c, 'instances.' + c) for c in icols)} "
        "FROM instances, n WHERE instances.id = :instance_id"
    )
    copy_tasks = (
        f"INSERT INTO tasks ({', '.join(tcols)}) "
        f"SELECT {', '.join(_TASK_SET.get(c, 't.' + c) for c in tcols)} "
        "FROM instances i, tasks t WHERE t.id = :task_id AND i.business_key LIKE :prefix || '%'"
    )
    return copy_instances, copy_tasks


COPY_INSTANCES, COPY_TASKS = _copy_sql()


def copy_task(
    db: Database, template_id: int, count: int, prefix: str, created: datetime, check: datetime
) -> None:
    """``count`` copies of task ``template_id`` created at ``created`` with their next SLA
    check at ``check`` (business keys ``prefix`` + 1..count)."""
    if count <= 0:
        return
    with db.read() as conn:
        row = conn.execute(select(tasks).where(tasks.c.id == template_id)).one()
        data = conn.execute(select(instances.c.data).where(instances.c.id == row.instance_id))
        if any(is_sealed(v) for v in data.scalar_one().values()):
            # a sealed value opens in its own place only (docs/adr/0008): copies would not
            raise ValueError("bulk copies need a template instance without sealed values")
    times = {"created": created, "due": created + (row.due_at - row.created_at), "check": check}
    typed = [bindparam(name, type_=UTCDateTime) for name in times]
    with db.write() as conn:
        conn.execute(
            text(COPY_INSTANCES).bindparams(typed[0]),
            {"count": count, "prefix": prefix, "created": created, "instance_id": row.instance_id},
        )
        conn.execute(
            text(COPY_TASKS).bindparams(*typed), {**times, "task_id": template_id, "prefix": prefix}
        )
