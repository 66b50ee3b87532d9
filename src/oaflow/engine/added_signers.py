"""Adding a signer before or after oneself (前加签 / 后加签, APR-2) on an approval step.

The added signers of a step live in the instance's tokens: ``{node: [{login, kind, for}]}``.
Before: the signer gets a task now and the approver's own task waits until they approve.
After: the signer gets a task once the approver has approved; the step passes when they do.
A rejection by an added signer rejects the step (its ``on_reject``)."""

from __future__ import annotations

from typing import Any

from oaflow.domain.definition import Node
from oaflow.domain.errors import ForbiddenError, InputError
from oaflow.domain.model import TaskRecord
from oaflow.domain.states import TaskState
from oaflow.engine.assign import Party
from oaflow.engine.flow import Flow

KINDS = ("before", "after")


def entries(flow: Flow, node_id: str) -> list[dict[str, Any]]:
    added: dict[str, list[dict[str, Any]]] = flow.instance.tokens.setdefault("added_signers", {})
    return added.setdefault(node_id, [])


def add_signer(flow: Flow, node: Node, task: TaskRecord, actor: str, login: str, kind: str) -> None:
    if not node.is_decision or node.mode:
        raise InputError(
            f"'{node.name.zh}' is not a single-approver approval step",
            "add signers on approval or confirm steps without a `mode`",
        )
    if not task.may_act(actor) or not task.is_open:
        raise ForbiddenError(
            f"task {task.id} is not yours to add signers to", "only its approver may"
        )
    user = flow.world.org.users.get(login)
    if user is None or not user.active:
        raise InputError(f"cannot add '{login}': no such active user", "see `oaflow org users`")
    if login == actor or any(e["login"] == login for e in entries(flow, node.id)):
        raise InputError(f"{login} already signs this step", "add someone who does not sign it yet")
    if kind not in KINDS:
        raise InputError(f"unknown position '{kind}'", "use --before or --after")
    entries(flow, node.id).append({"login": login, "kind": kind, "for": task.id})
    flow.record("signer_added", node.id, task, actor, signer=login, position=kind)
    if kind == "before":
        flow.create_task(node, Party(user.departments[0] if user.departments else None, login))


def after_decision(flow: Flow, node: Node, task: TaskRecord) -> bool:
    """Continue the step after ``task`` was decided, when added signers are involved;
    False when they are not (the caller continues as usual)."""
    mine = [
        e for e in entries(flow, node.id) if e["login"] == task.finished_by and e["for"] != task.id
    ]
    pending_after = [
        e for e in entries(flow, node.id) if e["kind"] == "after" and e["for"] == task.id
    ]
    if mine:
        return _signer_decided(flow, node, task, mine[0])
    if pending_after and task.state is TaskState.APPROVED:
        _next_after(flow, node, pending_after[0])
        return True
    return False


def _signer_decided(flow: Flow, node: Node, task: TaskRecord, entry: dict[str, Any]) -> bool:
    entries(flow, node.id).remove(entry)
    if task.state is TaskState.REJECTED:
        flow.cancel_tasks(
            [t for t in flow.open_tasks if t.node_id == node.id], reason="signer rejected"
        )
        return False  # the caller applies on_reject
    if entry["kind"] == "before":
        flow.record("signer_done", node.id, task, task.finished_by, waiting_task=entry["for"])
        return True  # the approver's own task may now be decided
    following = [e for e in entries(flow, node.id) if e["kind"] == "after"]
    if following:
        _next_after(flow, node, following[0])
        return True
    return False  # the last after-signer approved: the step passes


def _next_after(flow: Flow, node: Node, entry: dict[str, Any]) -> None:
    login = entry["login"]
    entry["for"] = -1  # now waiting for this signer's own decision
    user = flow.world.org.users[login]
    flow.create_task(node, Party(user.departments[0] if user.departments else None, login))
