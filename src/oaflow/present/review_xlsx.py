"""The review report (月度/季度复盘, MTR-4) as an Excel workbook: 概览 (per process cycle
times in working days and calendar hours, first-pass, exception and on-time rates,
satisfaction), 趋势 (six months, with native line charts), 节点 (durations and rates, the late
ones coloured by a conditional format), 部门 (workload, with a bar chart), 瓶颈 (the
bottleneck sentences), 异常原因 (the Pareto with its bar and line chart) and, when there are
any, 预测 (running instances forecast to miss their deadline). Headers in Chinese, names in
the chosen language, always text (never formulas)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from oaflow.domain.orgfile_xlsx import display_width
from oaflow.present.forecast_words import more_at_risk, state_label
from oaflow.present.metric_words import days_of, hours_of
from oaflow.present.pareto_xlsx import causes_chart, fill_causes, text_cell
from oaflow.services.exception_analysis import ALL, ParetoGroup
from oaflow.services.metrics import ProcessMetric
from oaflow.services.review import Review

PERCENT, DAYS, HOURS = "0.0%", "0.00", "0.0"
BOLD = Font(bold=True)
LATE_FILL = PatternFill("solid", start_color="FDECEA", end_color="FDECEA")
OVERVIEW = (
    "流程", "流程键", "发起", "进行中", "完成",
    "平均周期(工作日)", "中位数(工作日)", "P90(工作日)",
    "平均周期(日历小时)", "中位数(日历小时)", "P90(日历小时)",
    "一次通过率", "异常率", "按时率", "满意度", "已答/已发问卷",
)  # fmt: skip
NODES = (
    "流程", "节点", "节点键", "时限(小时)", "时限口径", "完成任务",
    "平均(工时)", "中位数(工时)", "P90(工时)", "中位数(日历小时)",
    "一次通过率", "按时率", "异常率", "超时任务", "平均超时(工作日)", "热度",
)  # fmt: skip
DEPARTMENTS = (
    "部门", "部门代码", "收到", "完成", "未完成", "平均处理(工时)", "中位数(工时)",
    "P90(工时)", "一次通过率", "按时率", "异常率", "满意度(给出)", "已答问卷",
)  # fmt: skip
BOTTLENECKS = ("名次", "流程", "节点", "超时任务", "涉及实例", "平均超时(工作日)",
               "合计超时(工作日)", "说明")  # fmt: skip
#: the trend's measures: title, number format, the figure of a process in a month
TREND: tuple[tuple[str, str, Callable[[ProcessMetric, float], Any]], ...] = (
    ("完成数", "0", lambda p, day: p.completed),
    ("平均周期(工作日)", DAYS, lambda p, day: days_of(p.work.average, day)),
    ("一次通过率", PERCENT, lambda p, day: p.first_pass_rate),
    ("按时率", PERCENT, lambda p, day: p.on_time_rate),
)
FORECASTS = (
    "业务编号", "标题", "流程", "当前节点", "发起人", "期限",
    "预计完成(中位)", "预计完成(90%)", "剩余工时(中位)", "剩余工时(90%)", "状态",
)  # fmt: skip
WHEN = "yyyy-mm-dd hh:mm"
BASIS = {"working": "工作时间", "calendar": "日历时间"}
HEAT = {
    "quick": "<50%",
    "fair": "50-80%",
    "tight": "80-100%",
    "late": "100-150%",
    "very_late": ">150%",
    "no_limit": "无时限",
    "no_data": "无数据",
}


class Spread(Protocol):
    """Durations in seconds (services/metrics.py)."""

    @property
    def average(self) -> float | None: ...
    @property
    def median(self) -> int | None: ...
    @property
    def p90(self) -> int | None: ...


def review_workbook(view: Review, lang: str, tz: str) -> bytes:
    """``view`` as the bytes of an .xlsx file; names in ``lang`` (headers in Chinese), times
    in the time zone ``tz``."""
    workbook = Workbook()
    first = workbook.active
    assert isinstance(first, Worksheet)
    first.title = "概览"
    _overview(first, view, lang)
    _trend(workbook.create_sheet("趋势"), view, lang)
    _nodes(workbook.create_sheet("节点"), view, lang)
    _departments(workbook.create_sheet("部门"), view, lang)
    _bottlenecks(workbook.create_sheet("瓶颈"), view, lang)
    _causes(workbook.create_sheet("异常原因"), view, lang)
    if view.at_risk:
        _forecasts(workbook.create_sheet("预测"), view, lang, ZoneInfo(tz))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _overview(sheet: Worksheet, view: Review, lang: str) -> None:
    day = view.day_hours
    rows = [
        [
            p.name.get(lang),
            p.key,
            p.started,
            p.running,
            p.completed,
            *_spread(p.work, lambda s: days_of(s, day), DAYS),
            *_spread(p.span, hours_of, HOURS),
            (p.first_pass_rate, PERCENT),
            (p.exception_rate, PERCENT),
            (p.on_time_rate, PERCENT),
            (p.satisfaction, "0.00"),
            f"{p.answered}/{p.asked}",
        ]
        for p in view.metrics.processes
    ]
    _table(sheet, OVERVIEW, rows, texts=(1, 2, 16))
    note = len(rows) + 3
    period = view.period
    sheet.cell(row=note, column=1, value=f"期间 {period.label}").font = BOLD
    text_cell(sheet, note, 2, f"{period.first.isoformat()} 至 {period.last.isoformat()}")
    text_cell(sheet, note + 1, 1, f"1 个工作日 = {day:g} 个工作小时")


def _spread(spread: Spread, unit: Callable[[float | None], float | None], fmt: str) -> list[Any]:
    return [(unit(spread.average), fmt), (unit(spread.median), fmt), (unit(spread.p90), fmt)]


def _trend(sheet: Worksheet, view: Review, lang: str) -> None:
    """A block per measure: a row per month, a column per process, and its line chart."""
    keys = list(dict.fromkeys(p.key for point in view.trend for p in point.processes))
    names = {p.key: p.name.get(lang) for point in view.trend for p in point.processes}
    height = len(view.trend) + 3
    for number, (title, fmt, figure) in enumerate(TREND):
        top = 1 + number * max(height, 18)
        sheet.cell(row=top, column=1, value=title).font = BOLD
        sheet.cell(row=top + 1, column=1, value="月份").font = BOLD
        for column, key in enumerate(keys, start=2):
            text_cell(sheet, top + 1, column, names[key]).font = BOLD
        for row, point in enumerate(view.trend, start=top + 2):
            text_cell(sheet, row, 1, point.month.label)
            found = {p.key: p for p in point.processes}
            for column, key in enumerate(keys, start=2):
                value = figure(found[key], view.day_hours) if key in found else _none(fmt)
                sheet.cell(row=row, column=column, value=value).number_format = fmt
        if keys:
            sheet.add_chart(_line(sheet, title, top, len(view.trend), len(keys), fmt), f"H{top}")
    sheet.column_dimensions["A"].width = 12
    for column, key in enumerate(keys, start=2):
        width = min(30, display_width(names[key]) + 2)
        sheet.column_dimensions[get_column_letter(column)].width = width


def _none(fmt: str) -> int | None:
    """A month without the process: no instances completed, no durations or rates."""
    return 0 if fmt == "0" else None


def _line(sheet: Worksheet, title: str, top: int, months: int, columns: int, fmt: str) -> LineChart:
    chart = LineChart()
    chart.title = title
    data = Reference(
        sheet, min_col=2, max_col=columns + 1, min_row=top + 1, max_row=top + months + 1
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=top + 2, max_row=top + months + 1))
    chart.y_axis.number_format = "0%" if fmt == PERCENT else "0.0" if fmt == DAYS else "0"
    if fmt == PERCENT:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False  # openpyxl hides axes unless told
    chart.width, chart.height = 16, 7.5
    return chart


def _nodes(sheet: Worksheet, view: Review, lang: str) -> None:
    heat = {(h.process, n.node): n.level for h in view.heatmaps for n in h.nodes}
    rows = [
        [
            n.process_name.get(lang),
            n.name.get(lang),
            n.node,
            n.limit_hours,
            BASIS.get(n.basis, n.basis) if n.limit_hours is not None else "",
            n.tasks,
            *_spread(n.work, hours_of, HOURS),
            (hours_of(n.span.median), HOURS),
            (n.first_pass_rate, PERCENT),
            (n.on_time_rate, PERCENT),
            (n.exception_rate, PERCENT),
            n.late,
            (n.late_days if n.late else None, DAYS),
            HEAT.get(heat.get((n.process, n.node), ""), ""),
        ]
        for n in view.metrics.nodes
    ]
    _table(sheet, NODES, rows, texts=(1, 2, 3, 5, 16))
    if rows:  # the rows of late nodes in red, by Excel's own conditional format
        cells = f"A2:{get_column_letter(len(NODES))}{len(rows) + 1}"
        late = get_column_letter(NODES.index("超时任务") + 1)
        sheet.conditional_formatting.add(
            cells,
            FormulaRule(  # type: ignore[no-untyped-call]
                formula=[f"${late}2>0"], fill=LATE_FILL, font=Font(color="B42318")
            ),
        )


def _departments(sheet: Worksheet, view: Review, lang: str) -> None:
    rows = [
        [
            d.name.get(lang),
            d.code,
            d.received,
            d.done,
            d.still_open,
            *_spread(d.work, hours_of, HOURS),
            (d.first_pass_rate, PERCENT),
            (d.on_time_rate, PERCENT),
            (d.exception_rate, PERCENT),
            (d.satisfaction, "0.00"),
            d.answered,
        ]
        for d in view.metrics.departments
    ]
    _table(sheet, DEPARTMENTS, rows, texts=(1, 2))
    if rows:
        chart = BarChart()
        chart.type = "col"
        chart.title = "部门工作量"
        data = Reference(sheet, min_col=3, max_col=5, min_row=1, max_row=len(rows) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
        for axis in (chart.x_axis, chart.y_axis):
            axis.delete = False
        chart.width, chart.height = 18, 8
        sheet.add_chart(chart, f"A{len(rows) + 4}")


def _bottlenecks(sheet: Worksheet, view: Review, lang: str) -> None:
    rows = [
        [
            b.place,
            b.node.process_name.get(lang),
            b.node.name.get(lang),
            b.node.late,
            b.node.late_instances,
            (b.node.late_days, DAYS),
            (b.node.late_total_days, DAYS),
            b.sentence.get(lang),
        ]
        for b in view.metrics.bottlenecks
    ]
    _table(sheet, BOTTLENECKS, rows, texts=(2, 3, 8))
    if not rows:
        text_cell(sheet, 2, 1, "本期没有超时的节点")


def _causes(sheet: Worksheet, view: Review, lang: str) -> None:
    group = view.causes.groups[0] if view.causes.groups else ParetoGroup("", ALL, 0, ())
    fill_causes(sheet, group, lang)
    if group.causes:
        sheet.add_chart(causes_chart(sheet, group, view.causes, lang), "G2")


def _forecasts(sheet: Worksheet, view: Review, lang: str, zone: ZoneInfo) -> None:
    def local(at: datetime | None) -> tuple[datetime | None, str]:
        return (at.astimezone(zone).replace(tzinfo=None) if at else None, WHEN)

    rows = [
        [
            f.business_key,
            f.title,
            f.process_name.get(lang),
            "、".join(n.name.get(lang) for n in f.current),
            f.initiator.name.get(lang),
            local(f.deadline),
            local(f.median),
            local(f.p90),
            (f.remaining_median / 3600, HOURS),
            (f.remaining_p90 / 3600, HOURS),
            state_label(f.state, "zh"),
        ]
        for f in view.at_risk
    ]
    _table(sheet, FORECASTS, rows, texts=(1, 2, 3, 4, 5, 11))
    if (more := more_at_risk(len(view.at_risk), view.at_risk_total)) is not None:
        sheet.cell(row=len(rows) + 3, column=1, value=more.get(lang))
    for column in (6, 7, 8):
        sheet.column_dimensions[get_column_letter(column)].width = 17


def _table(
    sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]], texts: Sequence[int]
) -> None:
    """``rows`` under ``headers``; the columns ``texts`` (1-based) as text; a cell given as
    (value, format) gets the number format."""
    for column, title in enumerate(headers, start=1):
        sheet.cell(row=1, column=column, value=title).font = BOLD
    widths = [display_width(h) + 2 for h in headers]
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            if column in texts:
                text_cell(sheet, row, column, str(value))
                widths[column - 1] = max(widths[column - 1], display_width(str(value)) + 2)
            elif isinstance(value, tuple):
                cell = sheet.cell(row=row, column=column, value=value[0])
                cell.number_format = value[1]
            else:
                sheet.cell(row=row, column=column, value=value)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width, 60)
    sheet.freeze_panes = "A2"
