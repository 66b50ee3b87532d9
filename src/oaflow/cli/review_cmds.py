"""`oaflow report review`: the review report of a month or a quarter (月度/季度复盘, MTR-4) —
per process the cycle times and rates, the six-month trend, the nodes with their heat
against their limits, the departments' workload, the bottleneck sentences and the exception
causes — as tables, as JSON, and as an Excel workbook with charts. On the `report` group."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    check_writable,
    console,
    lang,
    local,
    print_json,
    print_table,
    run_as,
    say,
    write_file,
    zh,
)
from oaflow.cli.pareto_print import print_pareto
from oaflow.cli.report_cmds import group
from oaflow.domain.security import Principal
from oaflow.present.forecast_words import more_at_risk, state_label
from oaflow.present.metric_words import days_of, hours_of, percent
from oaflow.services import review as reviews
from oaflow.services.app import App
from oaflow.services.review import PARTS, Review

#: what each part of the review is, said while it is made
PART_WORDS = {
    "metrics": ("指标", "metrics"),
    "trend": ("六个月趋势", "six-month trend"),
    "causes": ("异常原因", "exception causes"),
    "heatmap": ("节点热度", "node heat"),
}
#: a heat level as a few words
HEAT_WORDS = {
    "quick": ("快", "quick"),
    "fair": ("正常", "fair"),
    "tight": ("接近时限", "tight"),
    "late": ("超时", "late"),
    "very_late": ("严重超时", "very late"),
    "no_limit": ("无时限", "no limit"),
    "no_data": ("无数据", "no data"),
}


@group.command("review")
def review(
    as_: AsOpt,
    period: Annotated[
        str,
        typer.Option(
            "--period", help="A month 2024-03, a quarter 2024-Q1, or 2024-01-15..2024-02-14."
        ),
    ],
    process: Annotated[
        str | None, typer.Option("--process", help="Only this process (its key).")
    ] = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write an Excel workbook with charts.")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """The review of a month or a quarter (月度/季度复盘): cycle times, first-pass, exception
    and on-time rates, satisfaction, the trend, the nodes' heat, the departments' workload,
    the bottlenecks and the exception causes, over the instances one may see."""

    def body(app: App, who: Principal) -> None:
        if xlsx is not None:
            check_writable(xlsx)
        if json_:
            view = reviews.review(app, who, period, process)
        else:
            with _progress() as step:
                view = reviews.review(app, who, period, process, step)
        if xlsx is not None:
            from oaflow.present.review_xlsx import review_workbook  # openpyxl: when used

            write_file(xlsx, review_workbook(view, zh("zh", "en"), app.calendar.tz))
        if json_:
            print_json(as_json(app, view))
            return
        _print(app, view)
        if xlsx is not None:
            console.print(zh(f"已写入 {xlsx}", f"written to {xlsx}"), markup=False)

    run_as(as_, body)


@contextmanager
def _progress() -> Iterator[reviews.Progress]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(
        *columns, TimeElapsedColumn(), console=console, transient=True,
        disable=not console.is_terminal,
    ) as progress:  # fmt: skip
        bar = progress.add_task(_part(0), total=len(PARTS))

        def step(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total, description=_part(done))

        yield step


def _part(done: int) -> str:
    """What is being made after ``done`` parts."""
    words = PART_WORDS.get(PARTS[done] if done < len(PARTS) else "", ("完成", "done"))
    return zh(f"复盘：{words[0]}", f"review: {words[1]}")


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _days(seconds: float | None, day_hours: float) -> str:
    return number(days_of(seconds, day_hours), 2)


def _hours(seconds: float | None) -> str:
    return number(hours_of(seconds))


def _print(app: App, view: Review) -> None:
    period = view.period
    console.print(
        zh(
            f"{period.label} 复盘（{period.first} 至 {period.last}；1 个工作日 = "
            f"{view.day_hours:g} 工时）",
            f"Review of {period.label} ({period.first} to {period.last}; a working day = "
            f"{view.day_hours:g} working hours)",
        ),
        markup=False,
        style="bold",
    )
    if not view.metrics.processes:
        console.print(zh("本期没有可看的流程实例", "no instances to review in this period"))
        _print_forecasts(app, view)
        return
    _print_processes(view)
    _print_trend(view)
    _print_nodes(view)
    _print_departments(view)
    _print_bottlenecks(view)
    print_pareto(view.causes)
    _print_forecasts(app, view)


def _print_processes(view: Review) -> None:
    day = view.day_hours
    rows = [
        [
            say(p.name),
            f"{p.completed}/{p.started}",
            "/".join(_days(s, day) for s in (p.work.average, p.work.median, p.work.p90)),
            percent(p.first_pass_rate, 0),
            percent(p.exception_rate, 0),
            percent(p.on_time_rate, 0),
            number(p.satisfaction) + (f" ({p.answered}/{p.asked})" if p.answered else ""),
        ]
        for p in view.metrics.processes
    ]
    columns = [
        zh("流程", "process"),
        zh("完成/发起", "done/started"),
        zh("周期 平均/中位/P90", "cycle avg/median/p90"),
        zh("一次通过", "first pass"),
        zh("异常", "exceptions"),
        zh("按时", "on time"),
        zh("满意度", "satisfaction"),
    ]
    title = zh("概览（周期按工作日）", "Overview (cycle times in working days)")
    print_table(title, columns, rows, whole=1)


def _print_trend(view: Review) -> None:
    keys = list(dict.fromkeys(p.key for point in view.trend for p in point.processes))
    if not keys:
        return
    names = {p.key: say(p.name) for point in view.trend for p in point.processes}
    rows = []
    for point in view.trend:
        found = {p.key: p for p in point.processes}
        cells = [point.month.label]
        for key in keys:
            p = found.get(key)
            done = p.completed if p else 0
            cells.append(f"{done} · {_days(p.work.average, view.day_hours)}" if done and p else "0")
        rows.append(cells)
    title = zh("六个月趋势（完成数 · 平均工作日）", "Six months (completed · average days)")
    print_table(title, [zh("月份", "month"), *(names[k] for k in keys)], rows, whole=1)


def _print_nodes(view: Review) -> None:
    """A table per process: its nodes, their median against their limit."""
    columns = [
        zh("节点", "node"),
        zh("任务", "n"),
        zh("中位(小时)", "med. h"),
        zh("时限(小时)", "limit h"),
        zh("占时限", "of limit"),
        zh("一次通过", "1st pass"),
        zh("按时", "on time"),
        zh("超时", "late"),
    ]
    for heatmap in view.heatmaps:
        metrics = {n.node: n for n in view.metrics.nodes if n.process == heatmap.process}
        rows = []
        for heat in heatmap.nodes:
            n = metrics[heat.node]
            level = zh(*HEAT_WORDS.get(heat.level, ("", "")))
            rows.append(
                [
                    say(heat.name),
                    heat.tasks,
                    number(heat.median_hours),
                    "—" if heat.limit_hours is None else f"{heat.limit_hours:g}",
                    f"{percent(heat.ratio, 0)} {level}" if heat.ratio is not None else level,
                    percent(n.first_pass_rate, 0),
                    percent(n.on_time_rate, 0),
                    n.late,
                ]
            )
        print_table(zh("节点 · ", "Nodes · ") + say(heatmap.name), columns, rows)


def _print_departments(view: Review) -> None:
    rows = [
        [
            say(d.name),
            d.received,
            d.done,
            d.still_open,
            _hours(d.work.median),
            percent(d.on_time_rate, 0),
            number(d.satisfaction),
        ]
        for d in view.metrics.departments
    ]
    columns = [
        zh("部门", "department"),
        zh("收到", "received"),
        zh("完成", "done"),
        zh("未完成", "open"),
        zh("中位数(工时)", "median (h)"),
        zh("按时率", "on time"),
        zh("满意度", "satisfaction"),
    ]
    print_table(zh("部门工作量", "Department workload"), columns, rows)


def _print_bottlenecks(view: Review) -> None:
    console.print(zh("瓶颈", "Bottlenecks"), style="bold")
    for b in view.metrics.bottlenecks:
        console.print(f"  {b.place}. {say(b.sentence)}", markup=False)
    if not view.metrics.bottlenecks:
        console.print("  " + zh("本期没有超时的节点", "no node finished late in this period"))


def _print_forecasts(app: App, view: Review) -> None:
    """The running instances forecast to miss their deadline (as of now)."""
    if not view.at_risk:
        console.print(zh("目前没有预计延误的实例", "no running instance is forecast to be late"))
        return
    rows = [
        [
            f.business_key,
            f.title,
            "、".join(say(n.name) for n in f.current),
            local(app, f.deadline) or "—",
            f"{local(app, f.median)} / {local(app, f.p90)}",
            state_label(f.state, lang()),
        ]
        for f in view.at_risk
    ]
    columns = [
        zh("业务编号", "key"),
        zh("标题", "title"),
        zh("当前节点", "at"),
        zh("期限", "deadline"),
        zh("预计完成 中位/90%", "expected median/90 %"),
        zh("状态", "state"),
    ]
    title = zh("预计延误的实例（按现在的预测）", "Forecast to be late (as of now)")
    print_table(title, columns, rows, whole=1)
    if (more := more_at_risk(len(view.at_risk), view.at_risk_total)) is not None:
        console.print(say(more), markup=False)
