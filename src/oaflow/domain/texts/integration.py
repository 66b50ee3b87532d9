"""Texts of the errors of service nodes, their endpoints and incidents (INT-2), and of
ledgers (ARC-2)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

_LIST_HINT = (
    "部门和金额要么都是单个值，要么是等长的列表（例如多实例节点的 outputs）",
    "give one value, or lists of the same length (a multi-instance node's outputs)",
)

TEXTS: dict[str, Entry] = {
    "definition.ledger.bad_name": Entry(
        "{what} 的台账名 “{value}” 不合规",
        "{what}: the ledger name '{value}' is not allowed",
        "用小写字母开头，只含小写字母、数字、_ 和 -，例如 dept_budget",
        "start with a lower-case letter; use a-z, 0-9, _ and -, e.g. dept_budget",
    ),
    "ledger.bad_period": Entry(
        "台账 {ledger} 的期间 `{expression}` 没有得出单个值",
        "ledger {ledger}: the period `{expression}` gives no single value",
        "期间应是一个值，例如 fiscal_year",
        "the period must be one value, e.g. fiscal_year",
    ),
    "ledger.bad_amount": Entry(
        "台账 {ledger} 中 {department} 的金额 {value} 不是数字",
        "ledger {ledger}: the amount {value} of {department} is not a number",
    ),
    "ledger.bad_departments": Entry(
        "台账的部门 `{expression}` 得出 {value}，不是部门编码或编码列表",
        "the ledger's department `{expression}` gives {value}, not a department code or a list",
        *_LIST_HINT,
    ),
    "ledger.lengths_differ": Entry(
        "台账的 `{expression}` 有 {found} 个值，而部门有 {count} 个",
        "the ledger's `{expression}` has {found} values for {count} departments",
        *_LIST_HINT,
    ),
    "ledger.not_found": Entry(
        "没有台账 {ledger}",
        "there is no ledger {ledger}",
        "台账在流程写入第一行时出现",
        "a ledger appears when a process writes its first row",
    ),
    "ledger.bad_format": Entry(
        "无法导出为 {file}：只支持 {formats}",
        "cannot export to {file}: only {formats} files",
        "文件名以 .xlsx 或 .csv 结尾",
        "name a file ending in .xlsx or .csv",
    ),
    "service.not_waiting": Entry(
        "实例 {business_key} 没有在节点 {node} 等待外部系统",
        "instance {business_key} is not waiting at node {node} for another system",
    ),
    "service.bad_name": Entry(
        "服务名 “{service}” 不合规",
        "the service name '{service}' is not allowed",
        "用小写字母、数字、_ 和 -，以点分隔，例如 finance.sync_budget",
        "use a-z, 0-9, _ and - in parts separated by dots, e.g. finance.sync_budget",
    ),
    "service.url_missing": Entry(
        "服务 {service} 还没有接口地址",
        "the service {service} has no URL yet",
        "加上 --url https://…",
        "add --url https://…",
    ),
    "service.bad_url": Entry(
        "“{url}” 不是 http(s) 接口地址",
        "'{url}' is not an http(s) URL",
        "例如 https://finance.example.com/api/budget",
        "e.g. https://finance.example.com/api/budget",
    ),
    "service.bad_timeout": Entry(
        "超时 {timeout} 秒不在 0 到 {most} 秒之间",
        "the timeout of {timeout} s is not between 0 and {most} s",
    ),
    "service.secret_missing": Entry(
        "服务 {service} 需要签名密钥",
        "the service {service} needs a signing secret",
        "加上 --secret（对方系统用它校验签名）",
        "add --secret (the other system checks the signature with it)",
    ),
    "service.not_configured": Entry(
        "服务 {service} 没有配置接口",
        "no endpoint is configured for the service {service}",
        "请管理员配置该服务的接口地址与签名密钥",
        "an administrator configures its URL and signing secret",
    ),
    "service.call_not_found": Entry(
        "没有编号为 {call} 的外部系统调用", "there is no service call {call}"
    ),
    "service.call_not_open": Entry(
        "外部系统调用 {call} 的状态是 {state}，不能这样处理",
        "the service call {call} is {state}: it cannot be handled so",
        "只有失败待处理（incident）的调用可以重试；待处理或重试中的调用可以跳过",
        "only an incident can be retried; an incident or a pending call can be skipped",
    ),
    "service.skip_reason_missing": Entry(
        "跳过外部系统调用 {call} 需要填写原因",
        "skipping the service call {call} needs a reason",
        "加上 --reason “…”",
        "add --reason '…'",
    ),
}
