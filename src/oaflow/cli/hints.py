"""Ways out that name a command of this CLI, by error code. The catalogue's own hints
(domain/texts) name no command, so that the API and the pages can give theirs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oaflow.domain.text import Text, fill

_ORG_IMPORT = Text(
    "完善组织架构（oaflow org import 文件 --as 管理员）后重试",
    "complete the organisation (oaflow org import FILE --as ADMIN) and try again",
)
_ORG_USERS = Text("查看在职用户：oaflow org users --as 你的账号", "see `oaflow org users --as YOU`")

SERVICE_HINTS: dict[str, Text] = {
    "task.waiting": Text(
        "手动启动的节点：oaflow task start ID --as 你的账号",
        "start it: `oaflow task start ID --as YOU`",
    ),
    "database.no_schema": Text(
        "先创建或升级：oaflow --db {url} init", "create or upgrade it: `oaflow --db {url} init`"
    ),
    "database.schema_old": Text(
        "先备份，再升级数据库结构：oaflow --db {url} init，然后启动",
        "back it up, upgrade the schema with `oaflow --db {url} init`, then start again",
    ),
    "task.not_found": Text(
        "查看你的待办：oaflow tasks --as 你的账号", "see `oaflow tasks --as YOU`"
    ),
    "access.unknown_user": Text(
        "查看用户：oaflow org users --as 你的账号；新数据库先导入组织架构："
        "oaflow org import 文件 --as 管理员",
        "see `oaflow org users --as YOU`; a new database needs its organisation first: "
        "`oaflow org import FILE --as ADMIN`",
    ),
    "process.not_published": Text(
        "查看已发布流程：oaflow process list --as 你的账号；"
        "发布：oaflow process publish 文件 --as 管理员",
        "see `oaflow process list --as YOU`, "
        "or publish it with `oaflow process publish FILE --as ADMIN`",
    ),
    "process.version_unknown": Text(
        "查看版本：oaflow process versions {key} --as 你的账号",
        "see `oaflow process versions {key} --as YOU`",
    ),
    "process.version_not_published": Text(
        "查看版本：oaflow process list --as 你的账号", "see `oaflow process list --as YOU`"
    ),
    "department.not_found": Text(
        "查看部门及其代码：oaflow org users --as 你的账号",
        "the departments and their codes: `oaflow org users --as YOU`",
    ),
    "channel.not_found": Text(
        "查看渠道：oaflow notify channel list --as 管理员",
        "see `oaflow notify channel list --as ADMIN`",
    ),
    "channel.test_failed": Text(
        "查看渠道设置：oaflow notify channel list --as 管理员",
        "check its settings with `oaflow notify channel list --as ADMIN`",
    ),
    "delivery.nothing_given": Text(
        "给出 oaflow outbox list --dead --as 管理员 中的编号，或用 --all",
        "give IDs from `oaflow outbox list --dead --as ADMIN`, or --all",
    ),
    "inbox.nothing_given": Text(
        "给出 oaflow inbox --as 你的账号 中的编号，或用 --all",
        "give IDs from `oaflow inbox --as YOU`, or --all",
    ),
    "deputy.overlaps": Text(
        "换一个不重叠的期限，或先清除已有的代理：oaflow deputy clear --as 你的账号",
        "choose a period that does not overlap, or clear the deputies first: "
        "`oaflow deputy clear --as YOU`",
    ),
    # the keys of sensitive fields (SEC-3)
    "crypto.key_unknown": Text(
        "把密钥 {kid} 加入 OAFLOW_KEYS 或密钥文件；在用的密钥见 oaflow keys status --as 管理员",
        "add the key {kid} to OAFLOW_KEYS or the key file; the keys in use: "
        "`oaflow keys status --as ADMIN`",
    ),
    "crypto.key_wrong": Text(
        "配置加密此数据库所用的密钥 {kid}（见 oaflow keys status --as 管理员）；"
        "新密钥另取编号：oaflow keys new --id 编号",
        "configure the key {kid} this database was encrypted with (see `oaflow keys status "
        "--as ADMIN`); a new key gets an id of its own: `oaflow keys new --id ID`",
    ),
    "crypto.rotate_without_key": Text(
        "生成密钥：oaflow keys new --id 编号，放在 OAFLOW_KEYS 或密钥文件的第一位",
        "make one with `oaflow keys new --id ID` and put it first in OAFLOW_KEYS or the key file",
    ),
    "crypto.key_length": Text(
        "生成合格的密钥：oaflow keys new --id {kid}",
        "make a proper key with `oaflow keys new --id {kid}`",
    ),
    "crypto.key_malformed": Text(
        "每项写作“编号:Base64 密钥”，用逗号分开；生成：oaflow keys new --id 编号",
        "write each entry as ID:BASE64, separated by commas; make one with "
        "`oaflow keys new --id ID`",
    ),
    "ledger.not_found": Text(
        "查看台账：oaflow ledger list --as 你的账号", "see `oaflow ledger list --as YOU`"
    ),
    "service.not_configured": Text(
        "配置：oaflow service set {service} --url … --secret … --as 管理员",
        "configure it: `oaflow service set {service} --url … --secret … --as ADMIN`",
    ),
}

#: definitions, organisation, calendar, forms and notifications (the domain's codes)
DOMAIN_HINTS: dict[str, Text] = {
    "form.outputs.invalid": Text(
        "用 --field 名称=值 和 --deliverable '名称=文件或链接' 补上，"
        "例如 oaflow task complete ID --as 你的账号 --field cause=模具磨损",
        "supply them, e.g. --field NAME=VALUE --deliverable 'NAME=FILE OR LINK'",
    ),
    "form.initiation.invalid": Text(
        '用 --data \'{{"title": "..."}}\' 或 --form 文件 给出表单；'
        "流程的字段见 oaflow process show 流程标识 --as 你的账号",
        'give the form with --data \'{{"title": "..."}}\' or --form FILE; '
        "the fields of a process: oaflow process show KEY --as YOU",
    ),
    "definition.builtin.unknown": Text(
        "已发布的流程见 oaflow process list --as 你的账号",
        "the published processes: oaflow process list --as YOU",
    ),
    "definition.org.unknown": Text(
        "查看组织架构：oaflow org users --as 你的账号，"
        "或导出后查看：oaflow org export org.yaml --as 管理员",
        "see the organisation: oaflow org users --as YOU, or oaflow org export org.yaml --as ADMIN",
    ),
    "template.invalid": Text(
        "查看默认模板：oaflow notify template show 事件 --locale zh --as 管理员",
        "see the default template: oaflow notify template show EVENT --locale en --as ADMIN",
    ),
    "calendar.file.no_column": Text(
        "导入文件的格式见 oaflow calendar import --help",
        "the file format: oaflow calendar import --help",
    ),
}
ENGINE_HINTS: dict[str, Text] = {
    "task.closed": Text(
        "任务已经关闭；用 `oaflow tasks --as 您的账号` 查看您的待办",
        "the task is closed; look at `oaflow tasks --as YOU` for your open tasks",
    ),
    "task.not_acknowledged": Text(
        "请先接收任务（oaflow task ack ID --as 你的账号）",
        "acknowledge the task first (oaflow task ack ID --as YOU)",
    ),
    "task.transition_not_allowed": Text(
        "用 `oaflow task show ID --as 你的账号` 查看任务的状态",
        "look at the task's state with `oaflow task show ID --as YOU`",
    ),
    "task.not_yours": Text(
        "只处理 `oaflow tasks --as 您的账号` 列出的任务",
        "act only on tasks listed by `oaflow tasks --as YOU`",
    ),
    "task.is_completed_not_decided": Text(
        "用 `oaflow task complete {task} --as 你的账号` 并填写必需的输出",
        "use `oaflow task complete {task} --as YOU` with its required outputs",
    ),
    "task.is_decided_not_completed": Text(
        "用 `oaflow task approve {task} --as 你的账号` "
        "或 `oaflow task reject {task} --as 你的账号 --note 原因`",
        "use `oaflow task approve {task} --as YOU` "
        "or `oaflow task reject {task} --as YOU --note REASON`",
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
        "用 `oaflow task show {task} --as 你的账号` 重新查看；本次操作没有做任何修改",
        "look at it again with `oaflow task show {task} --as YOU`; nothing was changed",
    ),
    "instance.withdraw_after_others": Text(
        "请该步骤的处理人把它退回给您（oaflow task return ID --as 处理人 --to 节点）",
        "ask that step to return it to you instead (oaflow task return ID --as THEM --to NODE)",
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
        "转交给在职的同事（见 `oaflow org users --as 你的账号`）",
        "transfer to an active colleague (see `oaflow org users --as YOU`)",
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

HINTS: dict[str, Text] = {**DOMAIN_HINTS, **ENGINE_HINTS, **SERVICE_HINTS}


def cli_hint(code: str, params: Mapping[str, Any], lang: str) -> str:
    """The hint of ``code`` with its ``{name}`` places filled (literal braces are doubled)."""
    found = HINTS.get(code)
    return fill(found.get(lang), params, lang) if found else ""
