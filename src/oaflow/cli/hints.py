"""Hints that name a command of the CLI, by error code: the way out the CLI offers instead
of the catalogue's general hint (``domain/texts``). A hint names the error's parameters
as ``{name}``, like the catalogue's texts."""

from __future__ import annotations

from oaflow.domain.errors import Fault
from oaflow.domain.text import Text, fill

_ORG_IMPORT = Text(
    "完善组织架构（oaflow org import 文件）后重试",
    "complete the organisation (oaflow org import FILE) and try again",
)
_ORG_USERS = Text("查看在职用户：`oaflow org users`", "see `oaflow org users`")

#: the engine's errors (domain/texts/engine.py)
ENGINE_HINTS: dict[str, Text] = {
    "task.closed": Text(
        "任务已经关闭；用 `oaflow tasks --as 您的账号` 查看您的待办",
        "the task is closed; look at `oaflow tasks --as YOU` for your open tasks",
    ),
    "task.not_acknowledged": Text(
        "请先接收任务（oaflow task ack ID）", "acknowledge the task first (oaflow task ack ID)"
    ),
    "task.transition_not_allowed": Text(
        "用 `oaflow task show ID` 查看任务的状态",
        "look at the task's state with `oaflow task show ID`",
    ),
    "task.not_yours": Text(
        "只处理 `oaflow tasks --as 您的账号` 列出的任务",
        "act only on tasks listed by `oaflow tasks --as YOU`",
    ),
    "task.is_completed_not_decided": Text(
        "用 `oaflow task complete {task}` 并填写必需的输出",
        "use `oaflow task complete {task}` with its required outputs",
    ),
    "task.is_decided_not_completed": Text(
        "用 `oaflow task approve {task}` 或 `oaflow task reject {task} --note 原因`",
        "use `oaflow task approve {task}` or `oaflow task reject {task} --note REASON`",
    ),
    "task.progress_out_of_range": Text(
        "例如 --percent 60 --note '研发方案初稿已完成'",
        "pass --percent 60 --note '研发方案初稿已完成'",
    ),
    "task.clock_does_not_pause": Text(
        "去掉 --waiting 再报告进度；节点的 sla 需要设置 pause_when_waiting: true",
        "report progress without --waiting; the node's sla needs pause_when_waiting: true",
    ),
    "task.outputs_missing": Text(
        "补齐它们，例如 --field 名称=值 --deliverable '名称=文件或链接'",
        "supply them, e.g. --field NAME=VALUE --deliverable 'NAME=FILE OR LINK'",
    ),
    "task.changed_meanwhile": Text(
        "用 `oaflow task show {task}` 重新查看；本次操作没有做任何修改",
        "look at it again with `oaflow task show {task}`; nothing was changed",
    ),
    "instance.withdraw_after_others": Text(
        "请该步骤的处理人把它退回给您（oaflow task return）",
        "ask that step to return it to you instead (oaflow task return)",
    ),
    "assign.node_unassignable": _ORG_IMPORT,
    "assign.no_head": _ORG_IMPORT,
    "assign.no_leader": _ORG_IMPORT,
    "assign.no_interface": _ORG_IMPORT,
    "assign.no_members": _ORG_IMPORT,
    "assign.nobody_in_role": _ORG_IMPORT,
    "assign.no_approvers": _ORG_IMPORT,
    "assign.table_without_result": _ORG_IMPORT,
    "assign.not_a_department_or_user": _ORG_IMPORT,
    "signer.no_such_user": _ORG_USERS,
    "signer.unknown_position": Text("用 --before 或 --after", "use --before or --after"),
    "transfer.one_person": Text("用一个 --to 账号 指定一人", "give one --to LOGIN"),
    "transfer.no_such_user": Text(
        "转交给在职的同事（见 `oaflow org users`）",
        "transfer to an active colleague (see `oaflow org users`)",
    ),
    "move.no_such_user": _ORG_USERS,
    "comment.empty": Text("用 --note '...' 填写评论", "pass --note '...'"),
    "cc.nobody": Text(
        "指定已有的用户：--to 账号1 --to 账号2", "name existing users: --to login1 --to login2"
    ),
    "cc.unknown_users": Text(
        "指定已有的用户：--to 账号1 --to 账号2", "name existing users: --to login1 --to login2"
    ),
    "revise.form_invalid": Text(
        "改正这些字段后再提交：--field 名称=值",
        "correct these fields and submit again: --field NAME=VALUE",
    ),
    "exception.no_description": Text(
        "说明出了什么问题：--description …", "say what went wrong: --description …"
    ),
}

HINTS: dict[str, Text] = {**ENGINE_HINTS}


def hint_for(fault: Fault, lang: str) -> str:
    """The CLI's hint for ``fault``: its own when it has one, else the catalogue's."""
    found = HINTS.get(fault.code)
    if found is None:
        return fault.hint(lang)
    return fill(found.get(lang), fault.params, lang)
