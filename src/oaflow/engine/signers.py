"""Several approvers on one step (APR-1): 会签 all, 或签 any, 依次 sequence, 比例 ratio.

When one of them decides, the decisions of the step's round so far are counted, and the
rule of the step's mode says what follows: the step passes, it is rejected, the next
approver in line gets a task (依次), or it waits for the others. Tasks of approvers who
did not decide before the step was settled are cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from oaflow.domain.definition import Node
from oaflow.domain.model import TaskRecord
from oaflow.domain.states import TaskState
from oaflow.engine.assign import Party

if TYPE_CHECKING:
    from oaflow.engine.flow import Flow

#: a share of approvers is compared with this much slack (2/3 of 3 approvers is 2)
_SLACK = 1e-9


class Outcome(Enum):
    PASSED = "passed"
    REJECTED = "rejected"
    NEXT = "next"  # 依次: the next approver in line gets a task
    WAITING = "waiting"


@dataclass(frozen=True)
class Count:
    """The decisions of a step's round so far."""

    signers: int  # approvers who have a task (依次: those whose turn came)
    approved: int
    rejected: int
    queued: int  # 依次: approvers still in line


def all_approve(count: Count, node: Node) -> Outcome:
    """会签: the step passes when every approver approved; one rejection rejects it."""
    if count.rejected:
        return Outcome.REJECTED
    return Outcome.PASSED if count.approved == count.signers else Outcome.WAITING


def any_decides(count: Count, node: Node) -> Outcome:
    """或签: the first decision decides the step, either way."""
    if count.rejected:
        return Outcome.REJECTED
    return Outcome.PASSED if count.approved else Outcome.WAITING


def in_sequence(count: Count, node: Node) -> Outcome:
    """依次: one approver after the other, in order; a rejection stops the step, the last
    approval passes it."""
    if count.rejected:
        return Outcome.REJECTED
    return Outcome.NEXT if count.queued else Outcome.PASSED


def by_ratio(count: Count, node: Node) -> Outcome:
    """比例: the step passes once ``pass_ratio`` of the approvers approved, and is rejected
    once so many rejected that the share cannot be reached any more."""
    needed = node.pass_ratio * count.signers - _SLACK
    if count.approved >= needed:
        return Outcome.PASSED
    if count.signers - count.rejected < needed:
        return Outcome.REJECTED
    return Outcome.WAITING


RULES: dict[str, Callable[[Count, Node], Outcome]] = {
    "all": all_approve,
    "any": any_decides,
    "sequence": in_sequence,
    "ratio": by_ratio,
}


def first_signers(flow: Flow, node: Node, party: Party) -> list[str]:
    """Who gets a task when ``node`` is entered: every approver, or (依次) the first one,
    the others waiting in line in the instance's tokens."""
    logins = [party.assignee] if party.assignee else list(party.candidates)
    if node.mode != "sequence":
        return logins
    flow.tokens.sequence[node.id] = logins[1:]
    return logins[:1]


def after_decision(flow: Flow, node: Node, task: TaskRecord) -> None:
    """One approver of ``node`` decided ``task``: settle the step, or let it wait."""
    round_tasks = flow.decision_round(node.id, task)
    queue = flow.tokens.sequence.get(node.id, [])
    count = Count(
        signers=len(round_tasks),
        approved=sum(t.state is TaskState.APPROVED for t in round_tasks),
        rejected=sum(t.state is TaskState.REJECTED for t in round_tasks),
        queued=len(queue) if node.mode == "sequence" else 0,
    )
    outcome = RULES[node.mode](count, node)
    if outcome is Outcome.NEXT:
        _next_in_line(flow, node, task, queue.pop(0))
        return
    if outcome is Outcome.WAITING:
        return
    flow.cancel_tasks([t for t in round_tasks if t.is_open], reason="node decided")
    _record(flow, node, outcome, count)
    if outcome is Outcome.PASSED:
        flow.leave(node)
    else:
        flow.after_reject(node)


def _record(flow: Flow, node: Node, outcome: Outcome, count: Count) -> None:
    """The step's own history entry (依次 has none: its last decision settles the step)."""
    if node.mode == "sequence":
        return
    if outcome is Outcome.PASSED:
        flow.record("signers_passed", node.id, approved=count.approved, of=count.signers)
    else:
        flow.record("signers_rejected", node.id, rejected=count.rejected, of=count.signers)


def _next_in_line(flow: Flow, node: Node, task: TaskRecord, login: str) -> None:
    """依次: the next approver's task, in the department of the step when they belong to it."""
    same = task.department and login in flow.world.org.members_of(task.department)
    flow.create_task(node, flow.signer(login, Party(task.department if same else None, login)))
