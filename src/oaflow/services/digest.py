"""The daily to-do digest (NTF-1): one message a day, on working days, at the hour each
subscriber chose, listing their open tasks. Its id names the person and the day, so a worker
that runs twice, or two workers, write it once."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oaflow.domain.model import Message
from oaflow.domain.security import Principal, principal_of
from oaflow.services import queries
from oaflow.services.app import App
from oaflow.services.views import TaskSummary
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
        items = [_item(app, t) for t in queries.tasks_for(app, _reader(app, login))]
        if not items:
            continue
        message = Message(key, "digest", (login,), None, {"items": items})
        with app.db.write() as conn:
            written += RuntimeStore.on(conn, app.sensitive).insert_messages(None, [message], now)
    return written


def _reader(app: App, login: str) -> Principal:
    with app.db.read() as conn:
        return principal_of(app.org(conn), login)


def _item(app: App, task: TaskSummary) -> dict[str, Any]:
    """One open task; its texts are said in the reader's language when it is sent."""
    return {
        "title": task.title,
        "node_zh": task.node.name.zh,
        "node_en": task.node.name.en,
        "business_key": task.business_key,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "remaining_hours": task.remaining_hours,
        "link": f"{app.base_url.rstrip('/')}/tasks/{task.id}",
    }
