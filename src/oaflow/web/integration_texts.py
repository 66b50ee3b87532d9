"""The words of the service-call pages (/admin/services: endpoints and incidents, INT-2)
and of the ledgers (/ledgers, ARC-2), in Chinese and English; merged into the pages'
words (web/texts.py)."""

from __future__ import annotations

from oaflow.domain.text import Text
from oaflow.present.call_words import STATES as CALL_STATES

INTEGRATION_WORDS: dict[str, Text] = {
    "svc_tab": Text("外部系统", "Other systems"),
    "svc_title": Text("外部系统接口与待处理事件", "Service endpoints and incidents"),
    "svc_incidents": Text("待处理事件", "Incidents"),
    "svc_incidents_about": Text(
        "服务节点调用外部系统多次失败后转为待处理事件，流程在该节点等待：检查接口后“重试”，"
        "或填写原因“跳过”（节点通过，历史记录跳过原因）。",
        "A service node's call that kept failing becomes an incident and its process waits "
        "there: check the endpoint and retry it, or skip it with a reason (the node passes; "
        "the history says why).",
    ),
    "svc_endpoints": Text("接口配置", "Endpoints"),
    "svc_service": Text("服务", "Service"),
    "svc_url": Text("接口地址", "URL"),
    "svc_timeout": Text("超时(秒)", "Timeout (s)"),
    "svc_secret": Text("签名密钥", "Signing secret"),
    "svc_secret_set": Text("已设置(加密保存)", "set (kept encrypted)"),
    "svc_secret_keep": Text("留空则保持原密钥", "leave empty to keep it"),
    "svc_changed": Text("修改", "Changed"),
    "svc_save": Text("保存接口", "Save endpoint"),
    "svc_saved": Text("已保存 {service}", "saved {service}"),
    "svc_removed": Text("已删除 {service}", "removed {service}"),
    "svc_remove": Text("删除", "Remove"),
    "svc_instance": Text("流程", "Instance"),
    "svc_node": Text("节点", "Step"),
    "svc_state": Text("状态", "State"),
    "svc_attempts": Text("尝试", "Attempts"),
    "svc_error": Text("最后错误", "Last error"),
    "svc_since": Text("发生于", "Since"),
    "svc_retry": Text("重试", "Retry"),
    "svc_skip": Text("跳过", "Skip"),
    "svc_reason": Text("跳过原因", "Reason to skip"),
    "svc_retried": Text("调用 {call} 将重新尝试", "call {call} will be attempted again"),
    "svc_skipped": Text("已跳过调用 {call}", "skipped call {call}"),
    "svc_resolved": Text("处理", "Resolution"),
    "svc_no_incidents": Text("没有待处理事件", "No incidents"),
    **{f"svc_state_{state}": text for state, text in CALL_STATES.items()},
    "ldg_nav": Text("台账", "Ledgers"),
    "ldg_title": Text("部门台账", "Department ledgers"),
    "ldg_about": Text(
        "由流程在审批通过的同一事务中写入：例如各部门各年度的批准预算。部门负责人看到本部门的行，"
        "领导、财务部与管理员看到全部。",
        "Written by the processes in the same transaction as the step that updates them — e.g. "
        "each department's approved budget per year. A department head sees their "
        "department's rows; leaders, finance and administrators see all.",
    ),
    "ldg_ledger": Text("台账", "Ledger"),
    "ldg_process": Text("流程", "Process"),
    "ldg_rows": Text("行数", "Rows"),
    "ldg_period": Text("期间", "Period"),
    "ldg_department": Text("部门", "Department"),
    "ldg_amount": Text("金额", "Amount"),
    "ldg_total": Text("合计", "Total"),
    "ldg_grand_total": Text("总计", "Grand total"),
    "ldg_updated": Text("更新", "Updated"),
    "ldg_key": Text("流程编号", "Business key"),
    "ldg_export_xlsx": Text("导出 Excel", "Export Excel"),
    "ldg_export_csv": Text("导出 CSV", "Export CSV"),
    "ldg_all_periods": Text("全部期间", "All periods"),
    "ldg_filter": Text("筛选", "Filter"),
    "ldg_none": Text("暂无您可查看的台账", "No ledger rows you may see yet"),
}
