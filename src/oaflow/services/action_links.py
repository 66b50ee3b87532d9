"""Signed action links (NTF-5): a message that asks for an action carries a link that
acknowledges or approves the task once, for the person it was sent to, until it expires.

Using a link checks the person's rights again (the engine decides as for any other caller)
and records the link's nonce in the same transaction as the action: a second use, or a use
racing the first, changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select

from oaflow.domain.definition import Node
from oaflow.domain.errors import ConflictError, InputError
from oaflow.domain.model import TaskRecord
from oaflow.domain.states import Action, TaskState
from oaflow.engine.runtime import Command
from oaflow.notify import links
from oaflow.services import authz, queries, runtime
from oaflow.services.app import App
from oaflow.services.views import TaskSummary
from oaflow.storage import notify_repo
from oaflow.storage.runtime_store import RuntimeStore
from oaflow.storage.tables import settings

LINK_SECRET = "action_link_secret"
LINK_LIFETIME = timedelta(hours=72)


def link_secret(app: App, conn: Connection) -> str:
    """The key that signs links: OAFLOW_SECRET_KEY, else one made for this database on first
    use and kept in it (never in the repository)."""
    if app.secret_key:
        return app.secret_key
    query = select(settings.c.value).where(settings.c.name == LINK_SECRET)
    found = conn.execute(query).scalar()
    if found is None:
        found = secrets.token_urlsafe(32)
        conn.execute(insert(settings).values(name=LINK_SECRET, value=found))
    return str(found)


def link_for(
    app: App,
    conn: Connection,
    task: TaskRecord,
    node: Node,
    login: str | None,
    now: datetime,
    actionable: bool,
) -> str:
    """A signed action link for ``login`` when the message asks them to act on ``task``
    (at ``node``), else the address of the task's page."""
    base = app.base_url.rstrip("/")
    if not actionable or login is None or task.id is None:
        return f"{base}/tasks/{task.id}"
    action = "approve" if node.is_decision else "ack"
    if action == "ack" and task.state is not TaskState.PENDING:
        return f"{base}/tasks/{task.id}"  # acknowledged already: nothing a link can do
    token = links.make_action_token(
        link_secret(app, conn),
        task_id=task.id,
        login=login,
        action=action,
        nonce=links.new_nonce(),
        issued_at=now,
    )
    return links.action_url(base, token)


@dataclass(frozen=True)
class LinkUse:
    """What using an action link did: ``login`` did ``action`` on task ``task_id``."""

    task_id: int
    action: str
    login: str
    state: TaskState


@dataclass(frozen=True)
class LinkPreview:
    """What a link would do, shown before anything is done (mail scanners open links)."""

    action: str
    login: str
    task: TaskSummary


def preview_link(app: App, token: str) -> LinkPreview:
    """The action a valid, unused link carries and its task, as its person sees it."""
    claim = _claim(app, token)
    who = authz.principal(app, claim.login)
    detail = queries.task_detail(app, who, claim.task_id)
    return LinkPreview(claim.action, claim.login, detail.task)


def _claim(app: App, token: str) -> links.ActionClaim:
    """A valid link's claim, if it was not used yet."""
    with app.db.write() as conn:
        secret = link_secret(app, conn)
    try:
        claim = links.read_action_token(secret, token, app.now(), LINK_LIFETIME)
    except links.LinkError as error:
        raise InputError("link.unusable", reason=error.fault) from error
    with app.db.read() as conn:
        if notify_repo.link_used(conn, claim.nonce):
            raise ConflictError("link.used")
    return claim


def use_link(app: App, token: str) -> LinkUse:
    """Apply the action a link carries, as the person it was made for; once."""
    now = app.now()
    claim = _claim(app, token)
    used = ConflictError("link.used")

    def record_use(store: RuntimeStore) -> None:
        if not store.use_link(claim.nonce, claim.task_id, now):  # a use racing this one
            raise used

    command = Command(Action(claim.action), claim.login, note=_NOTE)
    # the signed link is the proof of who acts; their rights are checked as for anyone
    who = authz.principal(app, claim.login)
    task = runtime.act(app, who, claim.task_id, command, also=record_use)
    return LinkUse(task.id or 0, claim.action, claim.login, task.state)


_NOTE = "通过消息链接 / via message link"
