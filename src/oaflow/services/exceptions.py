"""Opening an exception record by hand (EXC-1, EXC-2: "or by hand").

Overdue tasks open one automatically (engine/checks.py). The handling plan, resolution,
verification and reopening — the closed loop of EXC-3/4 — come with the exceptions work.
"""

from __future__ import annotations

from oaflow.domain.errors import NotFoundError
from oaflow.engine.exceptions import open_by_hand
from oaflow.services.app import App
from oaflow.services.retry import instance_busy, retried
from oaflow.services.runtime import world_now
from oaflow.storage import runtime_reads as repo
from oaflow.storage.runtime_store import RuntimeStore


def open_exception(app: App, business_key: str, node_id: str, actor: str, description: str) -> str:
    """Open an exception on ``node_id`` of an instance; returns its code (ABN…). When the
    instance moved meanwhile, it is looked at again."""
    return retried(
        lambda: _open_once(app, business_key, node_id, actor, description),
        instance_busy(business_key),
    )


def _open_once(app: App, business_key: str, node_id: str, actor: str, description: str) -> str:
    with app.db.write() as conn:
        instance = repo.find_instance(conn, business_key)
        if instance is None:
            raise NotFoundError(f"instance {business_key} does not exist", "check the business key")
        org = app.org(conn)
        if actor not in org.users:
            raise NotFoundError(f"user '{actor}' does not exist", "see `oaflow org users`")
        store = RuntimeStore.on(conn)
        world = world_now(app, store, app.definition(conn, instance.definition_id), org)
        tasks = repo.instance_tasks(conn, instance.id or 0)
        decision = open_by_hand(world, instance, tasks, node_id, actor, description)
        store.write(decision)
        return decision.exceptions[0].code
