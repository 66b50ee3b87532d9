"""The words of the review report page (月度/季度复盘, MTR-4), in Chinese and English; merged
into the pages' words (web/texts.py)."""

from __future__ import annotations

from oaflow.domain.text import Text

REVIEW_WORDS: dict[str, Text] = {
    "rv_title": Text("月度/季度复盘", "Monthly and quarterly review"),
    "rv_link": Text("月度/季度复盘", "Monthly/quarterly review"),
    "rv_period": Text("期间", "Period"),
    "rv_months": Text("按月", "Months"),
    "rv_quarters": Text("按季度", "Quarters"),
    "rv_range": Text("日期范围", "Range of days"),
    "rv_show": Text("查看", "Show"),
    "rv_span": Text("{first} 至 {last}", "{first} to {last}"),
    "rv_excel": Text("下载 Excel（含图表）", "Download as Excel (with charts)"),
    "rv_none": Text("{period} 没有你可查看的流程实例。", "No instances you may see in {period}."),
    "rv_kpi_cycle": Text("平均周期（工作日）", "Average cycle time (working days)"),
    "rv_kpi_first_pass": Text("一次通过率", "First-pass rate"),
    "rv_kpi_exception": Text("异常率", "Exception rate"),
    "rv_kpi_on_time": Text("按时完成率", "On-time rate"),
    "rv_kpi_satisfaction": Text("满意度", "Satisfaction"),
    "rv_kpi_completed": Text(
        "完成 {done} / 发起 {started}", "{done} completed / {started} started"
    ),
    "rv_kpi_answered": Text("{n} 份问卷", "{n} answers"),
    "rv_no_value": Text("—", "—"),
    "rv_processes": Text("各流程", "Per process"),
    "rv_process": Text("流程", "Process"),
    "rv_done_started": Text("完成/发起", "Done/started"),
    "rv_avg": Text("平均", "Average"),
    "rv_median": Text("中位数", "Median"),
    "rv_days_note": Text(
        "周期按工作日计（1 个工作日 = {h} 工时）；定义见 docs/metrics.md。",
        "Cycle times in working days (a working day is {h} working hours); "
        "see docs/metrics.md for the definitions.",
    ),
    "rv_trend": Text("六个月趋势", "Six-month trend"),
    "rv_trend_completed": Text("完成数", "Completed"),
    "rv_trend_cycle": Text("平均周期（工作日）", "Average cycle time (working days)"),
    "rv_trend_first_pass": Text("一次通过率", "First-pass rate"),
    "rv_trend_on_time": Text("按时完成率", "On-time rate"),
    "rv_causes": Text("异常原因（帕累托）", "Exception causes (Pareto)"),
    "rv_causes_none": Text("本期没有异常记录。", "No exceptions in this period."),
    "rv_heat": Text("节点耗时热力图", "Node duration heat map"),
    "rv_heat_about": Text(
        "每个节点按本期任务耗时的中位数占其时限的比例着色，框内写明中位数、占比与时限。",
        "Each node is coloured by its tasks' median duration in the period as a share of "
        "its time limit; the box says the median, the share and the limit (working hours; "
        "calendar hours for a calendar-time limit).",
    ),
    "rv_heat_quick": Text("< 50% 时限", "< 50 % of the limit"),
    "rv_heat_fair": Text("50–80%", "50–80 %"),
    "rv_heat_tight": Text("80–100%", "80–100 %"),
    "rv_heat_late": Text("100–150%（超时）", "100–150 % (late)"),
    "rv_heat_very_late": Text("> 150%（严重超时）", "> 150 % (very late)"),
    "rv_heat_no_limit": Text("无时限", "No limit"),
    "rv_heat_no_data": Text("本期无数据", "No data"),
    "rv_heat_col": Text("热度", "Heat"),
    "rv_nodes_table": Text("节点明细", "Nodes in figures"),
    "rv_node": Text("节点", "Node"),
    "rv_tasks": Text("任务", "Tasks"),
    "rv_median_h": Text("中位（小时）", "Median (h)"),
    "rv_limit_h": Text("时限（小时）", "Limit (h)"),
    "rv_of_limit": Text("占时限", "Of limit"),
    "rv_late": Text("超时", "Late"),
    "rv_bottlenecks": Text("瓶颈", "Bottlenecks"),
    "rv_no_bottleneck": Text("本期没有超时的节点。", "No node finished late in this period."),
    "rv_forecasts": Text("预计延误的实例", "Forecast to be late"),
    "rv_forecasts_now": Text(
        "按现在的预测，不限于所选期间", "forecast as of now, whatever the period"
    ),
    "rv_fc_instance": Text("实例", "Instance"),
    "rv_fc_at": Text("当前节点", "Now at"),
    "rv_fc_deadline": Text("期限", "Deadline"),
    "rv_fc_expected": Text("预计完成（中位）", "Expected (median)"),
    "rv_fc_state": Text("状态", "State"),
    "rv_fc_none": Text("目前没有预计延误的实例。", "No running instance is forecast to be late."),
    "rv_fc_more": Text(
        "另有 {n} 个未列出（共 {total} 个，上表是最紧急的）。",
        "{n} more not listed ({total} in all; the most urgent are above).",
    ),
    "rv_departments": Text("部门工作量", "Department workload"),
    "rv_department": Text("部门", "Department"),
    "rv_received": Text("收到", "Received"),
    "rv_done": Text("完成", "Done"),
    "rv_open": Text("未完成", "Open"),
    "rv_on_time": Text("按时", "On time"),
    "rv_satisfaction": Text("满意度", "Satisfaction"),
    "rv_first_pass": Text("一次通过", "First pass"),
    "rv_exceptions": Text("异常", "Exceptions"),
}
