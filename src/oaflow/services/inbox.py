"""The in-app notification centre (NTF-2): a user's reminders, warnings, escalations, urges
and copies, with read / unread."""

from __future__ import annotations

from typing import Any

from oaflow.domain.errors import InputError, NotFoundError
from oaflow.services.app import App
from oaflow.services.queries import event_label, local_text
from oaflow.storage import inbox_repo


def _known(app: App, login: str) -> None:
    with app.db.read() as conn:
        if login not in app.org(conn).users:
            raise NotFoundError(f"user '{login}' does not exist", "see `oaflow org users`")


def notifications(app: App, login: str, unread_only: bool = False) -> dict[str, Any]:
    _known(app, login)
    with app.db.read() as conn:
        rows = inbox_repo.messages_of(conn, login, unread_only)
        unread = inbox_repo.unread_count(conn, login)
    node_key = "node_en" if app.lang == "en" else "node_zh"
    return {
        "unread": unread,
        "items": [
            {
                "id": r["id"],
                "read": r["read_at"] is not None,
                "event": r["event"],
                "event_label": event_label(r["event"]).get(app.lang),
                "business_key": r["business_key"],
                "task_id": r["task_id"],
                "node": r["data"].get(node_key),
                "note": r["data"].get("note", ""),
                "at": local_text(app, r["created_at"]),
            }
            for r in rows
        ],
    }


def mark_read(app: App, login: str, ids: list[int] | None) -> int:
    """Mark notifications read (all unread ones when ``ids`` is None); how many changed."""
    _known(app, login)
    if ids is not None and not ids:
        raise InputError("no notification given", "give IDs from `oaflow inbox`, or --all")
    with app.db.write() as conn:
        return inbox_repo.mark_read(conn, login, ids, app.now())
