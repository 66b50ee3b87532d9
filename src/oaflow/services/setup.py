"""Creating or upgrading the schema, and the demo set-up (OPS-1)."""

from __future__ import annotations

from oaflow.domain.security import SYSTEM
from oaflow.processes import builtin_keys, builtin_source, demo_organisation
from oaflow.services import auth, calendar, catalog, service_admin
from oaflow.services.app import App
from oaflow.services.catalog import Published
from oaflow.services.organisation import store
from oaflow.storage import catalog_repo

DEMO_PASSWORD = "demo"


def init(app: App, demo: bool = False) -> list[Published]:
    """Create or upgrade the schema and seed the business calendar (company days are
    kept); with ``demo``, add the demo organisation and the built-in processes (a built-in
    already published unchanged is left as it is)."""
    from oaflow.storage.migrate import upgrade  # Alembic loads slowly; only init needs it

    upgrade(app.db)
    calendar.seed(app)
    if not demo:
        return []
    org = demo_organisation()
    store(app, org)
    auth.seed_passwords(app, org.users, DEMO_PASSWORD)  # the demo is for trying, SPEC §19
    service_admin.configure_demo(app)  # its finance system answers in the process (INT-2)
    return [p for key in builtin_keys() if (p := _publish_builtin(app, key)) is not None]


def _publish_builtin(app: App, key: str) -> Published | None:
    text, file = builtin_source(key)
    with app.db.read() as conn:
        current = catalog_repo.get_definition(conn, key)
    if current is not None and current.source == text:
        return None
    return catalog.publish(app, SYSTEM, text, file)
