"""Adding a signer before or after oneself (前加签 / 后加签, APR-2) on an approval step.

The added signers of a step live in the instance's tokens (``Tokens.added_signers``).
Before: the signer gets a task now and the approver's own task waits until they approve.
After: the signer gets a task once the approver has approved; the step passes when they do.
A rejection by an added signer rejects the step (its ``on_reject``)."""

from __future__ import annotations

from oaflow.domain.definition import Node
from oaflow.domain.errors import ForbiddenError, InputError
from oaflow.domain.model import AddedSigner, SignerPosition, TaskRecord
from oaflow.domain.states import TaskState
from oaflow.engine.assign import Party
from oaflow.engine.flow import Flow


def add_signer(flow: Flow, node: Node, task: TaskRecord, actor: str, login: str, kind: str) -> None:
    if not node.is_decision or node.mode:
        raise InputError("signer.not_single_approver", name=node.name)
    if not task.may_act(actor) or not task.is_open:
        raise ForbiddenError("signer.not_your_task", task=task.id)
    user = flow.world.org.users.get(login)
    if user is None or not user.active:
        raise InputError("signer.no_such_user", login=login)
    added = flow.tokens.signers_of(node.id)
    if login == actor or any(e.login == login for e in added):
        raise InputError("signer.signs_already", login=login)
    if kind not in ("before", "after"):
        raise InputError("signer.unknown_position", position=kind)
    position: SignerPosition = "before" if kind == "before" else "after"
    added.append(AddedSigner(login, position, task.id))
    flow.record("signer_added", node.id, task, actor, signer=login, position=kind)
    if kind == "before":
        flow.create_task(node, Party(user.departments[0] if user.departments else None, login))


def after_decision(flow: Flow, node: Node, task: TaskRecord) -> bool:
    """Continue the step after ``task`` was decided, when added signers are involved;
    False when they are not (the caller continues as usual)."""
    added = flow.tokens.signers_of(node.id)
    mine = [e for e in added if e.login == task.finished_by and e.for_task != task.id]
    pending_after = [e for e in added if e.position == "after" and e.for_task == task.id]
    if mine:
        return _signer_decided(flow, node, task, mine[0])
    if pending_after and task.state is TaskState.APPROVED:
        _next_after(flow, node, pending_after[0])
        return True
    return False


def _signer_decided(flow: Flow, node: Node, task: TaskRecord, entry: AddedSigner) -> bool:
    added = flow.tokens.signers_of(node.id)
    added.remove(entry)
    if task.state is TaskState.REJECTED:
        flow.cancel_tasks(
            [t for t in flow.open_tasks if t.node_id == node.id], reason="signer rejected"
        )
        return False  # the caller applies on_reject
    if entry.position == "before":
        flow.record("signer_done", node.id, task, task.finished_by, waiting_task=entry.for_task)
        return True  # the approver's own task may now be decided
    following = [e for e in added if e.position == "after"]
    if following:
        _next_after(flow, node, following[0])
        return True
    return False  # the last after-signer approved: the step passes


def _next_after(flow: Flow, node: Node, entry: AddedSigner) -> None:
    login = entry.login
    entry.for_task = None  # now waiting for this signer's own decision
    user = flow.world.org.users[login]
    flow.create_task(node, Party(user.departments[0] if user.departments else None, login))
