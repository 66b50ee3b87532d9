"""Opening an exception record by hand (EXC-1, EXC-2: "or by hand").

Overdue tasks open one automatically (engine/checks.py). The handling plan, resolution,
verification and reopening — the closed loop of EXC-3/4 — come with the exceptions work.
"""

from __future__ import annotations

from oaflow.domain.security import Permission, Principal
from oaflow.engine.exceptions import open_by_hand
from oaflow.services.app import App
from oaflow.services.retry import instance_busy, retried
from oaflow.services.runtime import find_visible, world_now
from oaflow.storage import runtime_reads as repo
from oaflow.storage.runtime_store import RuntimeStore


def open_exception(
    app: App, who: Principal, business_key: str, node_id: str, description: str
) -> str:
    """Open an exception on ``node_id`` of an instance ``who`` may see; returns its code
    (ABN…). When the instance moved meanwhile, it is looked at again."""
    return retried(
        lambda: _open_once(app, who, business_key, node_id, description),
        instance_busy(business_key),
    )


def _open_once(app: App, who: Principal, business_key: str, node_id: str, description: str) -> str:
    with app.db.write() as conn:
        instance = find_visible(app, conn, who, business_key, Permission.VIEW)
        org = app.org(conn)
        actor = who.login
        store = RuntimeStore.on(conn, app.sensitive)
        world = world_now(app, store, app.definition(conn, instance.definition_id), org)
        tasks = repo.instance_tasks(conn, app.sensitive, instance.id or 0)
        decision = open_by_hand(world, instance, tasks, node_id, actor, description)
        store.write(decision)
        return decision.exceptions[0].code
