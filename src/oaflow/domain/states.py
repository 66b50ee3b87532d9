"""Task and instance states and the one table of allowed transitions (RUN-3)."""

from __future__ import annotations

from enum import StrEnum

from oaflow.domain.errors import InvalidTransitionError
from oaflow.domain.text import Text


class TaskState(StrEnum):
    WAITING = "waiting"  # 待启动: reached, but its node starts by hand or at a planned date
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
    START = "start"  # 启动: the owner starts a node triggered by hand (trigger: manual)
    DISPATCH = "dispatch"  # the planned date of a node triggered by date has come
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
    REASSIGN = "reassign"  # 改派: an administrator's move, an escalation's reassignment
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
    {
        TaskState.WAITING,
        TaskState.PENDING,
        TaskState.ACKNOWLEDGED,
        TaskState.IN_PROGRESS,
        TaskState.SUSPENDED,
    }
)
#: a task a person worked to its end (a cancelled task was not)
FINISHED_TASK_STATES = frozenset(
    {TaskState.DONE, TaskState.APPROVED, TaskState.REJECTED, TaskState.RETURNED}
)
#: what sends the work back: the node did not pass the first time (MTR-1)
SENT_BACK_STATES = frozenset({TaskState.REJECTED, TaskState.RETURNED})
_WORKING = (TaskState.PENDING, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS)

# (state, action) -> new state. RESUME's target is decided from the task's history
# (see ``resume_state``); it is listed here with a placeholder so the table says it is allowed.
TRANSITIONS: dict[tuple[TaskState, Action], TaskState] = {
    # started by its owner, it is theirs at once; started by its date, it is dispatched
    (TaskState.WAITING, Action.START): TaskState.ACKNOWLEDGED,
    (TaskState.WAITING, Action.DISPATCH): TaskState.PENDING,
    (TaskState.WAITING, Action.REASSIGN): TaskState.WAITING,
    (TaskState.PENDING, Action.ACK): TaskState.ACKNOWLEDGED,
    **{(s, Action.PROGRESS): TaskState.IN_PROGRESS for s in _WORKING[1:]},
    **{(s, Action.COMPLETE): TaskState.DONE for s in _WORKING},
    **{(s, Action.APPROVE): TaskState.APPROVED for s in _WORKING},
    **{(s, Action.REJECT): TaskState.REJECTED for s in _WORKING},
    **{(s, Action.RETURN): TaskState.RETURNED for s in _WORKING},
    **{(s, Action.SUSPEND): TaskState.SUSPENDED for s in _WORKING},
    (TaskState.SUSPENDED, Action.RESUME): TaskState.PENDING,
    **{(s, Action.TRANSFER): TaskState.PENDING for s in _WORKING},
    # it waits for its new assignee's acknowledgement; a suspended task stays suspended
    **{(s, Action.REASSIGN): TaskState.PENDING for s in _WORKING},
    (TaskState.SUSPENDED, Action.REASSIGN): TaskState.SUSPENDED,
    **{(s, Action.CANCEL): TaskState.CANCELLED for s in OPEN_TASK_STATES},
}

#: what ends an instance: (running, action) -> its final state
INSTANCE_TRANSITIONS: dict[tuple[InstanceState, Action], InstanceState] = {
    (InstanceState.RUNNING, Action.COMPLETE): InstanceState.COMPLETED,
    (InstanceState.RUNNING, Action.REJECT): InstanceState.REJECTED,
    (InstanceState.RUNNING, Action.CANCEL): InstanceState.CANCELLED,
}


#: what the actions are called in messages
ACTION_WORDS: dict[Action, Text] = {
    Action.START: Text("启动", "start"),
    Action.DISPATCH: Text("按计划启动", "start as planned"),
    Action.ACK: Text("接收", "ack"),
    Action.PROGRESS: Text("更新进度", "progress"),
    Action.COMPLETE: Text("完成", "complete"),
    Action.APPROVE: Text("通过", "approve"),
    Action.REJECT: Text("驳回", "reject"),
    Action.RETURN: Text("退回", "return"),
    Action.SUSPEND: Text("挂起", "suspend"),
    Action.RESUME: Text("恢复", "resume"),
    Action.CANCEL: Text("取消", "cancel"),
    Action.TRANSFER: Text("转交", "transfer"),
    Action.REASSIGN: Text("改派", "reassign"),
    Action.COMMENT: Text("评论", "comment"),
    Action.URGE: Text("催办", "urge"),
    Action.CC: Text("抄送", "copy"),
    Action.ADD_SIGNER: Text("加签", "add a signer to"),
}


def next_state(state: TaskState, action: Action) -> TaskState:
    """The state after ``action``; raises a clear error if the table does not allow it."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        from oaflow.domain.labels import TASK_STATES  # the labels know the states

        raise InvalidTransitionError(
            _refusal(state, action), action=ACTION_WORDS[action], state=TASK_STATES[state]
        ) from None


def _refusal(state: TaskState, action: Action) -> str:
    """The code that says why ``action`` is not allowed in ``state``."""
    if state not in OPEN_TASK_STATES:
        return "task.closed"
    if state is TaskState.WAITING:
        return "task.waiting"
    return {
        Action.PROGRESS: "task.not_acknowledged",
        Action.ACK: "task.not_pending",
        Action.RESUME: "task.not_suspended",
        Action.START: "task.not_waiting",
    }.get(action, "task.transition_not_allowed")


def next_instance_state(state: InstanceState, action: Action) -> InstanceState:
    """The instance's state after ``action``; raises a clear error if it is not allowed."""
    try:
        return INSTANCE_TRANSITIONS[(state, action)]
    except KeyError:
        from oaflow.domain.labels import INSTANCE_STATES

        raise InvalidTransitionError(
            "instance.transition_not_allowed",
            action=ACTION_WORDS[action],
            state=INSTANCE_STATES[state],
        ) from None


def resume_state(acknowledged: bool, progress: int) -> TaskState:
    if progress > 0:
        return TaskState.IN_PROGRESS
    return TaskState.ACKNOWLEDGED if acknowledged else TaskState.PENDING
