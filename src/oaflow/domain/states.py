"""Task and instance states and the one table of allowed transitions (RUN-3)."""

from __future__ import annotations

from enum import StrEnum

from oaflow.domain.errors import InvalidTransitionError


class TaskState(StrEnum):
    PENDING = "pending"  # 待接收
    ACKNOWLEDGED = "acknowledged"  # 已接收
    IN_PROGRESS = "in_progress"  # 处理中
    DONE = "done"  # 已完成
    APPROVED = "approved"  # 已通过
    REJECTED = "rejected"  # 已驳回
    RETURNED = "returned"  # 已退回
    SUSPENDED = "suspended"  # 已挂起
    CANCELLED = "cancelled"  # 已取消


class Action(StrEnum):
    ACK = "ack"
    PROGRESS = "progress"
    COMPLETE = "complete"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    SUSPEND = "suspend"
    RESUME = "resume"
    CANCEL = "cancel"
    TRANSFER = "transfer"  # 转交
    COMMENT = "comment"  # 评论
    URGE = "urge"  # 催办
    CC = "cc"  # 抄送
    ADD_SIGNER = "add_signer"  # 加签


class InstanceState(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


OPEN_TASK_STATES = frozenset(
    {TaskState.PENDING, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS, TaskState.SUSPENDED}
)
_WORKING = (TaskState.PENDING, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS)

# (state, action) -> new state. RESUME's target is decided from the task's history
# (see ``resume_state``); it is listed here with a placeholder so the table says it is allowed.
TRANSITIONS: dict[tuple[TaskState, Action], TaskState] = {
    (TaskState.PENDING, Action.ACK): TaskState.ACKNOWLEDGED,
    **{(s, Action.PROGRESS): TaskState.IN_PROGRESS for s in _WORKING[1:]},
    **{(s, Action.COMPLETE): TaskState.DONE for s in _WORKING},
    **{(s, Action.APPROVE): TaskState.APPROVED for s in _WORKING},
    **{(s, Action.REJECT): TaskState.REJECTED for s in _WORKING},
    **{(s, Action.RETURN): TaskState.RETURNED for s in _WORKING},
    **{(s, Action.SUSPEND): TaskState.SUSPENDED for s in _WORKING},
    (TaskState.SUSPENDED, Action.RESUME): TaskState.PENDING,
    **{(s, Action.TRANSFER): TaskState.PENDING for s in _WORKING},
    **{(s, Action.CANCEL): TaskState.CANCELLED for s in OPEN_TASK_STATES},
}

_HINTS: dict[Action, str] = {
    Action.PROGRESS: "acknowledge the task first (oaflow task ack ID)",
    Action.ACK: "only a pending task can be acknowledged",
    Action.RESUME: "only a suspended task can be resumed",
}


def next_state(state: TaskState, action: Action) -> TaskState:
    """The state after ``action``; raises a clear error if the table does not allow it."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        if state not in OPEN_TASK_STATES:
            hint = "the task is closed; look at `oaflow tasks` for your open tasks"
        else:
            hint = _HINTS.get(action, "look at the task's state with `oaflow task show ID`")
        raise InvalidTransitionError(
            f"cannot {action.value} a task that is {state.value}", hint
        ) from None


def resume_state(acknowledged: bool, progress: int) -> TaskState:
    if progress > 0:
        return TaskState.IN_PROGRESS
    return TaskState.ACKNOWLEDGED if acknowledged else TaskState.PENDING
