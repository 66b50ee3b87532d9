"""Words shown to people, in Chinese and English."""

from __future__ import annotations

from oaflow.domain.states import InstanceState, TaskState
from oaflow.domain.text import Text

TASK_STATES: dict[TaskState, Text] = {
    TaskState.WAITING: Text("待启动", "waiting to start"),
    TaskState.PENDING: Text("待接收", "pending"),
    TaskState.ACKNOWLEDGED: Text("已接收", "acknowledged"),
    TaskState.IN_PROGRESS: Text("处理中", "in progress"),
    TaskState.DONE: Text("已完成", "done"),
    TaskState.APPROVED: Text("已通过", "approved"),
    TaskState.REJECTED: Text("已驳回", "rejected"),
    TaskState.RETURNED: Text("已退回", "returned"),
    TaskState.SUSPENDED: Text("已挂起", "suspended"),
    TaskState.CANCELLED: Text("已取消", "cancelled"),
}

INSTANCE_STATES: dict[InstanceState, Text] = {
    InstanceState.RUNNING: Text("进行中", "running"),
    InstanceState.COMPLETED: Text("已完成", "completed"),
    InstanceState.REJECTED: Text("已驳回", "rejected"),
    InstanceState.CANCELLED: Text("已取消", "cancelled"),
}

SLA_STATES: dict[str, Text] = {
    "on_track": Text("正常", "on track"),
    "at_risk": Text("临近截止", "at risk"),
    "overdue": Text("已逾期", "overdue"),
    "exception": Text("异常", "exception"),
    "none": Text("无时限", "no limit"),
}

EVENTS: dict[str, Text] = {
    "instance_started": Text("发起流程", "started the process"),
    "initiated": Text("提交发起", "submitted the initiation form"),
    "task_created": Text("派发任务", "task dispatched"),
    "task_started": Text("启动任务", "started"),
    "task_dispatched": Text("按计划启动", "started as planned"),
    "task_acknowledged": Text("确认接收", "acknowledged"),
    "task_progress": Text("更新进度", "reported progress"),
    "task_done": Text("完成任务", "completed"),
    "task_approved": Text("审批通过", "approved"),
    "task_rejected": Text("驳回", "rejected"),
    "task_cancelled": Text("任务取消", "task cancelled"),
    "task_suspended": Text("挂起", "suspended"),
    "task_resumed": Text("恢复", "resumed"),
    "routed": Text("规则分流", "routed"),
    "forked": Text("并行分支", "split into branches"),
    "joined": Text("分支汇聚", "branches joined"),
    "returned_to": Text("退回", "returned"),
    "service_call_opened": Text("调用外部系统", "calling another system"),
    "service_called": Text("外部系统已受理", "accepted by the other system"),
    "service_incident": Text("外部系统调用失败(待管理员处理)", "service call failed (incident)"),
    "service_skipped": Text("外部系统调用已跳过", "service call skipped"),
    "ledger_updated": Text("更新台账", "ledger updated"),
    "copied": Text("抄送", "copied"),
    "archived": Text("汇总归档", "archived"),
    "node_skipped": Text("节点跳过", "node skipped"),
    "instance_completed": Text("流程完成", "process completed"),
    "instance_rejected": Text("流程驳回结束", "process ended by rejection"),
    "instance_cancelled": Text("流程取消", "process cancelled"),
    "sla_ack_reminder": Text("提醒确认接收", "reminded to acknowledge"),
    "sla_ack_escalation": Text("未确认接收，升级", "escalated: not acknowledged"),
    "sla_deadline_warning": Text("临近截止提醒", "deadline approaching"),
    "sla_overdue": Text("超时，标记异常", "overdue: marked as exception"),
    "sla_escalation": Text("超时升级", "escalated after the deadline"),
    "task_reassigned": Text("改派", "reassigned"),
    "node_auto_passed": Text("自动通过", "passed automatically"),
    "assigned_to_administrator": Text(
        "无人可分配，转管理员", "nobody to assign: sent to the administrator"
    ),
    "sent_to_initiator_head": Text(
        "发起人审批转其负责人", "initiator's own approval sent to their head"
    ),
    "signers_passed": Text("多人审批通过", "approvers passed the step"),
    "signers_rejected": Text("多人审批未通过", "approvers rejected the step"),
    "task_returned": Text("退回", "returned to an earlier step"),
    "instance_withdrawn": Text("发起人撤回", "withdrawn by the initiator"),
    "instance_called_off": Text("管理员作废", "cancelled by an administrator"),
    "migrated": Text("迁移到另一版本", "moved to another version"),
    "task_transferred": Text("转交", "transferred"),
    "task_commented": Text("评论", "commented"),
    "task_urged": Text("催办", "urged"),
    "task_copied": Text("抄送", "copied"),
    "exception_opened": Text("上报异常", "exception reported"),
    "exception_confirmed": Text("上报异常", "exception reported"),
    "exception_report": Text("提交异常处理说明", "exception report submitted"),
    "exception_coordinate": Text("异常协调决议", "exception coordinated"),
    "exception_resolve": Text("异常处理完成", "exception resolved"),
    "exception_verify": Text("异常验证通过，关闭", "exception verified and closed"),
    "exception_reject": Text("异常验证不通过", "exception verification failed"),
    "exception_reopen": Text("异常重新打开", "exception reopened"),
    "exception_report_reminder": Text("提醒提交异常处理说明", "reminded to report the exception"),
    "exception_report_overdue": Text(
        "异常处理说明超时，升级", "escalated: exception report overdue"
    ),
    "exception_update": Text("异常处理超过计划时间", "exception handling past its plan"),
    "deadline_moved": Text("调整时限", "deadline moved"),
    "sla_paused": Text("等待外部，计时暂停", "waiting on others: clock paused"),
    "sla_resumed": Text("恢复计时", "clock running again"),
}

#: the events of outgoing messages (NTF-1), as people read them in lists and subjects
MESSAGE_EVENTS: dict[str, Text] = {
    "task_assigned": Text("新待办", "new task"),
    "task_returned": Text("退回待办", "task returned to you"),
    "task_rejected": Text("被驳回", "rejected"),
    "ack_reminder": Text("提醒确认接收", "reminder to acknowledge"),
    "ack_escalation": Text("未确认接收，升级", "escalated: not acknowledged"),
    "deadline_warning": Text("临近截止提醒", "deadline approaching"),
    "overdue": Text("已超时", "overdue"),
    "escalation": Text("超时升级", "escalated after the deadline"),
    "exception_opened": Text("异常已登记", "exception opened"),
    "exception_update": Text("异常处理进展", "exception update"),
    "exception_report_reminder": Text("请提交异常处理说明", "exception report due"),
    "exception_report_overdue": Text("异常处理说明超时", "exception report overdue"),
    "instance_completed": Text("流程已完成", "process completed"),
    "instance_rejected": Text("流程被驳回", "process rejected"),
    "definition_changed": Text("流程变更通知", "process change notice"),
    "urge": Text("催办", "urged"),
    "cc": Text("抄送", "copied"),
    "digest": Text("每日待办汇总", "daily to-do digest"),
    "meeting_report": Text("周例会报告", "weekly meeting report"),
    "meeting_minutes_due": Text("待录入会议决议", "meeting resolutions due"),
    "action_item_reminder": Text("行动项临近截止", "action item due soon"),
    "action_item_overdue": Text("行动项已超时", "action item overdue"),
    "action_item_escalation": Text("行动项超时升级", "action item escalated"),
    "service_incident": Text("外部系统调用失败", "service call failed"),
    "survey_requested": Text("满意度调查", "satisfaction survey"),
    "forecast_at_risk": Text("完工预测预警", "completion forecast warning"),
}

DELIVERY_STATES: dict[str, Text] = {
    "pending": Text("待发送", "waiting"),
    "sending": Text("发送中", "sending"),
    "sent": Text("已送达", "sent"),
    "dead": Text("失败（死信）", "dead"),
    "discarded": Text("已放弃", "discarded"),
}
