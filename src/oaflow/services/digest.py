"""The daily to-do digest (NTF-1): one message a day, on working days, at the hour each
subscriber chose, listing their open tasks. Its id names the person and the day, so a worker
that runs twice, or two workers, write it once."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oaflow.domain.model import Message
from oaflow.services import queries
from oaflow.services.app import App
from oaflow.storage import notify_repo
from oaflow.storage.runtime_store import RuntimeStore


def write_digests(app: App, now: datetime) -> int:
    """Write today's digest of every subscriber whose hour has come; how many were new."""
    local = now.astimezone(ZoneInfo(app.calendar.tz))
    if not app.calendar.is_working_day(local.date()):
        return 0
    day = local.date().isoformat()
    with app.db.read() as conn:
        hour_come = [
            p["login"]
            for p in notify_repo.digest_subscribers(conn)
            if p["digest_hour"] <= local.hour
        ]
        keys = {f"digest/{login}/{day}": login for login in hour_come}
        done = notify_repo.existing_messages(conn, list(keys))
    written = 0
    for key, login in keys.items():
        if key in done:
            continue  # today's is written: the worker looks every round, this stays cheap
        items = [_item(app, t) for t in queries.tasks_for(app, login)]
        if not items:
            continue
        message = Message(key, "digest", (login,), None, {"items": items})
        with app.db.write() as conn:
            written += RuntimeStore.on(conn).insert_messages(None, [message], now)
    return written


def _item(app: App, task: dict[str, Any]) -> dict[str, Any]:
    return {
        "task": f"{task['title']} · {task['node']}",
        "business_key": task["business_key"],
        "deadline": task["due_at"] or "",
        "remaining_hours": task["remaining_hours"],  # said in the reader's language when sent
        "link": f"{app.base_url.rstrip('/')}/tasks/{task['id']}",
    }
