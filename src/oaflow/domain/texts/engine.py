"""Texts of the engine's errors: task actions, flow, signers, assignment."""

from __future__ import annotations

from oaflow.domain.texts import Entry

_CANNOT = Entry("任务{state}，不能{action}", "cannot {action} a task that is {state}")
_ORG = ("完善组织架构后重试", "complete the organisation and try again")
_BUSY = ("请稍后再试", "try the command again in a moment")
_NOT_TAKING_PART = ("{login} 没有参与任务 {task}", "{login} does not take part in task {task}")
_NOT_RUNNING = ("实例 {business_key} {state}", "instance {business_key} is {state}")
_NOT_REACHED = (
    "不能退回到“{target}”：它不是已经到达过的前序步骤",
    "cannot return to '{target}': it is not an earlier step that was reached",
)

#: a task's state and an action on it (domain/states.py)
_TRANSITIONS = {
    "task.closed": Entry(
        _CANNOT.zh, _CANNOT.en, "任务已经关闭，请处理您的待办任务", "the task is closed"
    ),
    "task.not_acknowledged": Entry(
        _CANNOT.zh, _CANNOT.en, "请先接收任务", "acknowledge the task first"
    ),
    "task.not_pending": Entry(
        _CANNOT.zh,
        _CANNOT.en,
        "只有待接收的任务可以接收",
        "only a pending task can be acknowledged",
    ),
    "task.not_suspended": Entry(
        _CANNOT.zh, _CANNOT.en, "只有已挂起的任务可以恢复", "only a suspended task can be resumed"
    ),
    "task.not_waiting": Entry(
        _CANNOT.zh,
        _CANNOT.en,
        "只有待启动的任务可以启动",
        "only a task waiting to start can be started",
    ),
    "task.waiting": Entry(
        _CANNOT.zh,
        _CANNOT.en,
        "任务尚未启动：由负责人手动启动，或到计划日期自动启动",
        "the task has not started yet: its owner starts it, or its planned date does",
    ),
    "task.transition_not_allowed": Entry(
        _CANNOT.zh, _CANNOT.en, "请先查看任务当前的状态", "look at the task's state first"
    ),
    "instance.transition_not_allowed": Entry(
        "实例{state}，不能{action}", "cannot {action} an instance that is {state}"
    ),
}

#: deciding, completing and reporting on a task (engine/runtime.py)
_TASKS = {
    "task.action_not_available": Entry(
        "暂不支持操作 {action}",
        "the action {action} is not available yet",
        "可用的操作：ack、progress、complete、approve、reject",
        "use ack, progress, complete, approve or reject",
    ),
    "task.instance_not_running": Entry(
        *_NOT_RUNNING, "只能处理进行中实例的任务", "only tasks of running instances can be acted on"
    ),
    "task.waiting_for_signer": Entry(
        "任务 {task} 正在等待您之前加签的 {name}（{login}）审批",
        "task {task} is waiting for {name} ({login}), added before you",
        "待其审批通过后再做决定（前加签）",
        "decide after they have approved (前加签)",
    ),
    "task.not_yours": Entry(
        "任务 {task} 不是您的（它分配给了 {owner}）",
        "task {task} is not yours (it is assigned to {owner})",
        "只能处理分配给您的任务",
        "act only on tasks assigned to you",
    ),
    "task.is_completed_not_decided": Entry(
        "“{name}”是 {type} 类任务，应当完成，不能审批",
        "'{name}' is a {type} task; it is finished with complete",
        "填写必需的输出后完成任务",
        "complete it with its required outputs",
    ),
    "task.is_decided_not_completed": Entry(
        "“{name}”是 {type} 类任务，应当审批（通过或驳回），不能完成",
        "'{name}' is a {type} task; it is decided, not completed",
        "请通过或驳回；驳回需写明原因",
        "approve or reject it; a rejection needs a reason",
    ),
    "task.progress_out_of_range": Entry(
        "进度须为 0 到 100 之间的百分数，实际为 {percent}",
        "progress must be a percentage from 0 to 100, got {percent}",
        "请给出 0 到 100 之间的整数",
        "give a whole number from 0 to 100",
    ),
    "task.clock_does_not_pause": Entry(
        "“{name}”在等待外部时不会暂停计时",
        "'{name}' does not stop its clock while waiting on others",
        "报告进度时不要标为等待外部；节点的 sla 需要设置 pause_when_waiting: true",
        "report progress without waiting; the node's sla needs pause_when_waiting: true",
    ),
    "task.outputs_missing": Entry(
        "任务 {task}（{name}）还不能完成：{problems}",
        "task {task} ({name}) cannot be finished: {problems}",
        "补齐缺少的输出和交付物",
        "supply the missing outputs and deliverables",
    ),
    "task.deliverable_missing": Entry(
        "交付物“{name}”未附上", "deliverable `{name}` is not attached"
    ),
    "task.nothing_to_return_to": Entry(
        *_NOT_REACHED, "此任务没有可退回的前序步骤", "this task has no earlier step"
    ),
    "task.return_target_not_reached": Entry(
        *_NOT_REACHED, "可退回到：{allowed}", "return to one of: {allowed}"
    ),
    "task.changed_meanwhile": Entry(
        "任务 {task} 同时被他人修改了",
        "task {task} was changed by someone else at the same time",
        "请重新查看该任务；本次操作没有做任何修改",
        "look at it again; nothing was changed",
    ),
    "task.before_last_change": Entry(
        "任务 {task} 最后一次变更在 {last}，不能在更早的 {now} 处理它",
        "task {task} was last changed at {last}; it cannot be acted on at {now}, before that",
        "历史不能倒流：请在 {last} 之后操作",
        "history does not go back in time: act at {last} or later",
    ),
    "task.busy": Entry(
        "任务 {task} 所在的流程正忙于其他变更",
        "task {task}'s process was busy with other changes",
        *_BUSY,
    ),
}

#: the instance as a whole: withdrawal, moving through its nodes (engine/runtime.py, flow.py)
_INSTANCES = {
    "instance.withdraw_not_initiator": Entry(
        "只有发起人可以撤回 {business_key}",
        "only the initiator may withdraw {business_key}",
        "请联系发起人",
        "ask the person who started it",
    ),
    "instance.withdraw_not_running": Entry(
        "实例 {business_key} {state}，不能撤回",
        "{business_key} is {state}",
        "只能撤回进行中的实例",
        "only a running instance can be withdrawn",
    ),
    "instance.withdraw_after_others": Entry(
        "{business_key} 不能撤回：{login} 已经处理过它",
        "{business_key} cannot be withdrawn: {login} has already acted on it",
        "请该步骤的处理人把它退回给您",
        "ask that step to return it to you instead",
    ),
    "instance.cancel_not_running": Entry(
        "实例 {business_key} {state}，不能作废",
        "{business_key} is {state} and cannot be cancelled",
        "只能作废进行中的实例",
        "only a running instance can be cancelled",
    ),
    "instance.cancel_reason": Entry(
        "作废 {business_key} 需要写明原因",
        "cancelling {business_key} needs a reason",
        "写明为什么作废，它会记入时间线",
        "say why; the reason goes into the timeline",
    ),
    "instance.before_last_change": Entry(
        "{business_key} 最后一次变更在 {last}，不能在更早的 {now} 处理它",
        "{business_key} was last changed at {last}; it cannot be acted on at {now}, before that",
        "历史不能倒流：请在 {last} 之后操作",
        "history does not go back in time: act at {last} or later",
    ),
    "instance.busy": Entry(
        "{business_key} 正忙于其他变更", "{business_key} was busy with other changes", *_BUSY
    ),
    "flow.endless_loop": Entry(
        "流程在自动节点之间无限循环（在“{node}”处）",
        "the process loops through automatic nodes without end (at '{node}')",
        "检查网关的规则，确保有路径到达任务或结束",
        "check the gateways' rules so that some path reaches a task or the end",
    ),
    "flow.departments_expected": Entry(
        "多实例节点“{node}”需要部门代码的列表，实际为 {value}",
        "multi-instance node '{node}' needs a list of department codes, got {value}",
        "在 `over: {over}` 读取的表单字段中填写部门代码",
        "fill the form field(s) read by `over: {over}` with department codes",
    ),
    "flow.on_reject_not_before": Entry(
        "节点“{node}”驳回后退回到“{target}”，但它不在该节点之前",
        "node '{node}' returns to '{target}', which is not before it",
        "把 on_reject 设为之前的节点，并发布新版本",
        "set on_reject to an earlier node and publish a new version",
    ),
    "flow.no_route": Entry(
        "网关“{node}”没有成立的规则，也没有默认去向",
        "gateway '{node}' has no rule that holds and no default",
        "给网关加上 `default: <节点>`，并发布新版本",
        "add `default: <node>` to the gateway and publish a new version",
    ),
}

#: who gets a task (engine/assign.py, policies.py)
_ASSIGNMENT = {
    "assign.node_unassignable": Entry(
        "节点“{node}”（{name}）无法分配处理人：{reason}",
        "node '{node}' ({name}) cannot be assigned: {reason}",
        *_ORG,
    ),
    "assign.no_head": Entry(
        "部门 {department} 没有负责人", "department {department} has no head", *_ORG
    ),
    "assign.no_leader": Entry(
        "部门 {department} 没有分管领导",
        "department {department} has no supervising leader",
        *_ORG,
    ),
    "assign.no_interface": Entry(
        "部门 {department} 没有接口人", "department {department} has no interface persons", *_ORG
    ),
    "assign.no_members": Entry(
        "部门 {department} 没有成员", "department {department} has no members", *_ORG
    ),
    "assign.nobody_in_role": Entry("没有人担任角色 {role}", "nobody holds role {role}", *_ORG),
    "assign.no_approvers": Entry("审批人名单为空", "the approver list is empty", *_ORG),
    "assign.table_without_result": Entry(
        "决策表 {table} 没有给出结果", "decision table {table} gave no result", *_ORG
    ),
    "assign.not_a_department_or_user": Entry(
        "{source} 的值 {value} 既不是部门代码，也不是用户账号",
        "{source} holds {value}, which is neither a department code nor a login",
        *_ORG,
    ),
    "assign.initiator_without_head": Entry(
        "{login} 要审批自己的申请，但没有负责人或分管领导",
        "{login} approves their own request and has no head or leader",
        "设置 `if_initiator: pass`，或为部门指定负责人",
        "set `if_initiator: pass`, or give the department a head",
    ),
}

#: actions around a task (APR-2): added signers, transfer, move, comment, urge, copy
_AROUND = {
    "signer.not_single_approver": Entry(
        "“{name}”不是单人审批的步骤",
        "'{name}' is not a single-approver approval step",
        "只能在没有 `mode` 的审批或确认步骤上加签",
        "add signers on approval or confirm steps without a `mode`",
    ),
    "signer.not_your_task": Entry(
        "任务 {task} 不是您的，不能加签",
        "task {task} is not yours to add signers to",
        "只有它的审批人可以加签",
        "only its approver may",
    ),
    "signer.no_such_user": Entry(
        "不能加签“{login}”：没有这个在职用户",
        "cannot add '{login}': no such active user",
        "请加签在职的同事",
        "add an active colleague",
    ),
    "signer.signs_already": Entry(
        "{login} 已经在审批此步骤",
        "{login} already signs this step",
        "请加签尚未参与审批的人",
        "add someone who does not sign it yet",
    ),
    "signer.unknown_position": Entry(
        "未知的加签位置“{position}”",
        "unknown position '{position}'",
        "请选择前加签或后加签",
        "add the signer before or after yourself",
    ),
    "transfer.not_your_task": Entry(
        "任务 {task} 不是您的，不能转交",
        "task {task} is not yours to transfer",
        "只有它的处理人可以转交",
        "only its assignee may",
    ),
    "transfer.instance_not_running": Entry(
        *_NOT_RUNNING,
        "只能转交进行中实例的任务",
        "only tasks of running instances can be transferred",
    ),
    "transfer.one_person": Entry(
        "任务只能转交给一个人",
        "a task is transferred to exactly one person",
        "请指定一个人",
        "name one person",
    ),
    "transfer.no_such_user": Entry(
        "不能转交给“{login}”：没有这个在职用户",
        "cannot transfer to '{login}': no such active user",
        "请转交给在职的同事",
        "transfer to an active colleague",
    ),
    "transfer.to_oneself": Entry(
        "任务不能转交给自己",
        "a task cannot be transferred to oneself",
        "请指定其他人",
        "name another person",
    ),
    "move.not_administrator": Entry(
        "{login} 不是管理员",
        "{login} is not an administrator",
        "请联系管理员",
        "ask an administrator",
    ),
    "move.no_such_user": Entry(
        "不能把任务改派给“{login}”：没有这个在职用户",
        "cannot move tasks to '{login}': no such active user",
        "请改派给在职的同事",
        "move them to an active colleague",
    ),
    "comment.empty": Entry(
        "评论不能为空", "a comment needs text", "请填写评论内容", "write what you want to say"
    ),
    "comment.not_taking_part": Entry(
        *_NOT_TAKING_PART,
        "处理人、完成人或发起人可以评论",
        "the assignee, the person who finished it or the initiator may comment",
    ),
    "cc.not_taking_part": Entry(
        *_NOT_TAKING_PART,
        "处理人或发起人可以抄送他人",
        "the assignee or the initiator may copy others in",
    ),
    "cc.nobody": Entry(
        "没有指定抄送给谁", "cannot copy to nobody", "请指定已有的用户", "name existing users"
    ),
    "cc.unknown_users": Entry(
        "不能抄送给 {logins}：没有这些用户",
        "cannot copy to {logins}",
        "请指定已有的用户",
        "name existing users",
    ),
    "urge.not_initiator": Entry(
        "只有 {business_key} 的发起人可以催办",
        "only the initiator of {business_key} may urge",
        "请发起人来催办",
        "ask the initiator to urge the task",
    ),
    "urge.task_closed": Entry(
        "任务 {task} {state}，无需催办",
        "task {task} is {state}; there is nothing to urge",
        "请催办未完成的任务",
        "urge an open task",
    ),
    "urge.too_soon": Entry(
        "任务 {task} 在一小时内已经催办过",
        "task {task} was urged less than an hour ago",
        "请在 {minutes} 分钟后再催办",
        "urge again in {minutes} minutes",
    ),
}

#: the initiator revises the form after a return to the initiate node (engine/revise.py)
_REVISION = {
    "revise.not_form_fields": Entry(
        "{names} 不是表单的字段",
        "{names}: not fields of the form",
        "表单的字段有：{known}",
        "fields of the form: {known}",
    ),
    "revise.department_fixed": Entry(
        "发起部门（{department}）不能在修改时更换",
        "the initiating department ({department}) cannot be changed in a revision",
        "如需换部门，请以新的部门重新发起",
        "to change it, start the process again for the other department",
    ),
    "revise.form_invalid": Entry(
        "修改后的表单不正确（任务 {task}）：{problems}",
        "the revised form is not valid (task {task}): {problems}",
        "改正这些字段后再提交",
        "correct these fields and submit again",
    ),
}

#: exception records opened by hand (engine/exceptions.py)
_EXCEPTIONS = {
    "exception.no_description": Entry(
        "上报异常需要填写说明",
        "an exception needs a description",
        "请说明出了什么问题",
        "say what went wrong",
    ),
    "exception.no_such_node": Entry(
        "{business_key} 没有节点“{node}”",
        "{business_key} has no node '{node}'",
        "节点有：{nodes}",
        "nodes: {nodes}",
    ),
    "exception.node_not_reached": Entry(
        "{business_key} 的节点“{node}”尚未到达",
        "node '{node}' of {business_key} has not been reached yet",
        "请在已有任务的节点上上报异常",
        "report an exception on a node that has a task",
    ),
    "exception.not_concerned": Entry(
        "{login} 既不属于发起部门，也不属于责任部门",
        "{login} is neither in the initiating nor in the responsible department",
        "由发起部门或责任部门上报异常",
        "the initiating or the responsible department reports exceptions",
    ),
    "exception.already_open": Entry(
        "节点“{node}”已有未关闭的异常 {code}",
        "node '{node}' has an exception not closed yet: {code}",
        "请在 {code} 上继续处理",
        "carry on with {code}",
    ),
    "exception.not_found": Entry(
        "没有异常记录 {code}",
        "there is no exception record {code}",
        "异常编号形如 ABN20240301，请查看异常列表",
        "codes look like ABN20240301; see the list of exceptions",
    ),
    "exception.wrong_state": Entry(
        "异常 {code} 当前为“{state}”，不能执行“{step}”",
        "exception {code} is '{state}': cannot '{step}'",
        "此时可以：{allowed}",
        "possible now: {allowed}",
    ),
    "exception.not_responsible": Entry(
        "{login} 不属于异常 {code} 的责任部门（{department}）",
        "{login} is not in the department responsible for {code} ({department})",
        "由责任部门或处理负责人提交说明、完成处理",
        "the responsible department or the handler reports and resolves it",
    ),
    "exception.not_initiating": Entry(
        "{login} 不属于发起部门（{department}），不能“{step}”",
        "{login} is not in the initiating department ({department}): cannot {step}",
        "协调决议、结果验证和重新打开由发起部门办理（验证与重新打开也可由流程指定的人员办理）",
        "the initiating department coordinates, verifies and reopens (the people the process names verify and reopen too)",
    ),
    "exception.unknown_cause": Entry(
        "没有原因分类“{cause}”",
        "there is no cause category '{cause}'",
        "可选：{causes}",
        "choose one of: {causes}",
    ),
    "exception.unknown_handler": Entry(
        "处理负责人 {login} 不是在职用户",
        "the handler {login} is not an active user",
        "请指定组织架构中的在职人员",
        "name an active person of the organisation",
    ),
    "exception.time_past": Entry(
        "时间 {at} 已经过去（现在 {now}）",
        "{at} is already past (now {now})",
        "请填写将来的时间",
        "give a time in the future",
    ),
    "exception.no_cause": Entry(
        "异常处理说明需要填写原因",
        "the report needs a cause",
        "说明异常的原因",
        "say what caused it",
    ),
    "exception.no_plan": Entry(
        "协调决议需要填写处理方案",
        "the coordination needs a handling plan",
        "说明如何处理",
        "say how it is handled",
    ),
    "exception.no_resolution": Entry(
        "请说明处理结果", "say how it was resolved", "填写处理结果", "give the outcome"
    ),
    "exception.no_verification": Entry(
        "请填写验证结果",
        "the verification needs a result",
        "填写结果验证",
        "give the verification's result",
    ),
    "exception.no_reason": Entry(
        "重新打开需要填写原因",
        "reopening needs a reason",
        "说明为什么重新打开",
        "say why it is reopened",
    ),
}

TEXTS: dict[str, Entry] = {
    **_TRANSITIONS,
    **_TASKS,
    **_INSTANCES,
    **_ASSIGNMENT,
    **_AROUND,
    **_EXCEPTIONS,
    **_REVISION,
}
