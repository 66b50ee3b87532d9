"""Printing the demo replay: who did what when, and the progress tables."""

from __future__ import annotations

from rich.rule import Rule

from oaflow.cli.common import (
    OPTIONS,
    archive_files,
    console,
    handled,
    headline,
    print_json,
    say,
    zh,
)
from oaflow.config import Settings
from oaflow.domain.holidays_cn import china_calendar
from oaflow.present.archive_words import state_text
from oaflow.present.json_view import jsonable
from oaflow.present.metric_words import summary_lines
from oaflow.present.template4 import template4_row
from oaflow.present.words import event_label, local_time, message_label, status_text
from oaflow.services.archives import ArchiveView
from oaflow.services.demo import MessageTrace, ReplayedInstance, replay
from oaflow.services.metrics import Metrics
from oaflow.services.views import ExceptionView, ProgressRow, TimelineEntry

QUIET = ("task_created", "instance_started", "initiated")


def run_demo(as_json: bool = False) -> None:
    with handled():
        settings = Settings()
        replayed = replay(china_calendar(tz=settings.timezone), OPTIONS.lang, archive_files)
    tz = settings.timezone
    if as_json:
        print_json(
            [
                {
                    **jsonable(r.detail, OPTIONS.lang, tz),
                    "messages": jsonable(r.messages, OPTIONS.lang, tz),
                    "archives": [archive_line(a, tz) for a in r.archives],
                }
                for r in replayed.instances
            ]
        )
        return
    console.print(
        zh(
            "OA-Flow 演示：四个内置流程按模拟时钟从发起到结束的完整回放",
            "OA-Flow demo: the four built-in processes replayed from start to end",
        )
    )
    for instance in replayed.instances:
        print_instance(instance, tz)
    console.print(Rule())
    console.print(
        zh(
            f"共 {len(replayed.instances)} 个流程实例，全部由真实引擎在临时数据库上执行。",
            f"{len(replayed.instances)} instances, all run by the real engine on a temporary "
            "database.",
        )
    )
    print_review(replayed.review, kept=False)


def print_review(review: Metrics, kept: bool = True) -> None:
    """The short review of what ran (MTR-1..3): a line per process, the bottlenecks; on a
    ``kept`` database, the command of the whole review."""
    period = review.period.label
    console.print(zh(f"复盘（{period}）：", f"Review ({period}):"), markup=False)
    for line in summary_lines(review, OPTIONS.lang):
        console.print("  " + line, markup=False)
    if kept:
        hint = f"oaflow report review --period {review.period.label}"
        console.print(zh(f"  完整复盘报告：{hint}", f"  The whole review: {hint}"), markup=False)


def print_instance(replayed: ReplayedInstance, tz: str) -> None:
    view = replayed.detail
    console.print(Rule(headline(view.summary)))
    for event in view.timeline:
        if event.kind in QUIET:
            continue
        who = say(event.actor.name) if event.actor else zh("系统", "system")
        node = say(event.node.name) if event.node else ""
        console.print(
            f"  {local_time(event.at, tz)}  {who:<8} {event_label(event.kind, OPTIONS.lang)} "
            f"{node}{_detail(event)}",
            markup=False,
        )
    for record in view.exceptions:
        console.print(
            "  "
            + zh("异常记录 (模板4): ", "Exception (Template 4): ")
            + exception_line(record, tz),
            markup=False,
        )
    console.print("  " + zh("执行进度跟踪表 (模板3):", "Progress table (Template 3):"))
    for row in view.progress:
        console.print("    " + progress_line(row, tz), markup=False)
    for archive in replayed.archives:
        console.print("  " + zh("归档: ", "Archive: ") + archive_line(archive, tz), markup=False)
    if replayed.messages:
        console.print("  " + zh("消息去向:", "Where the messages went:"))
    for message in replayed.messages:
        console.print("    " + message_line(message, tz), markup=False)


def archive_line(archive: ArchiveView, tz: str) -> str:
    """``项目归档-2024-新产品A · 已生成 · 8 个文件 · 2024-03-22 17:00 · manifest SHA-256 …``."""
    files = zh(f"{len(archive.files)} 个文件", f"{len(archive.files)} files")
    return " · ".join(
        [
            archive.name,
            state_text(archive.state, OPTIONS.lang),
            files,
            local_time(archive.built_at or archive.created_at, tz) or "",
            f"manifest SHA-256 {archive.manifest_sha256[:16]}…",
        ]
    )


def message_line(message: MessageTrace, tz: str) -> str:
    """``2024-03-01 09:00 新待办 投诉受理确认 → 站内: 马丽娟 · 企业邮箱(马丽娟) · 客服钉钉群``."""
    in_app = "、".join(say(p.name) for p in message.in_app)
    places = [zh("站内: ", "in-app: ") + in_app]
    places += [
        f"{c.endpoint}({say(c.recipient.name)})" if c.recipient else c.endpoint
        for c in message.channels
    ]
    what = " ".join(
        p
        for p in (
            local_time(message.at, tz),
            message_label(message.event, OPTIONS.lang),
            say(message.node),
        )
        if p
    )
    return f"{what} → " + " · ".join(places)


def progress_line(row: ProgressRow, tz: str) -> str:
    """``PROJ20240301 · 研发方案输出(研发部) · 计划 … · 实际 … · 已完成(延迟16小时) · 原因``."""
    parts = [
        row.business_key,
        f"{say(row.node.name)}({say(row.department.name) if row.department else '-'})",
        f"{zh('计划', 'planned')} {local_time(row.planned, tz) or '-'}",
        f"{zh('实际', 'done')} {local_time(row.actual, tz) or '-'}",
        status_text(row, OPTIONS.lang),
    ]
    if row.delay_reason:
        parts.append(row.delay_reason)
    return " · ".join(parts)


def exception_line(record: ExceptionView, tz: str) -> str:
    """Template 4's row: ``ABN20240301 · PROJ20240301 · 研发方案输出 · 未在72小时内提交方案 ·
    市场部 · 2024-03-20 09:00 · 客户需求确认后延迟24小时提交 · … · 方案通过评审 · 已关闭``."""
    cells = template4_row(record, OPTIONS.lang, tz)
    return " · ".join(c or "-" for c in (*cells, say(record.state_name)))


def _detail(event: TimelineEntry) -> str:
    data = event.data
    if event.to:
        return " → " + "、".join(say(p.name) for p in event.to)
    if event.kind == "task_progress":
        return f" {data.get('percent')}% {data.get('note', '')}"
    if event.target is not None:
        return f" → {say(event.target.name)}"
    if event.kind == "archived":
        return f" 《{data.get('name')}》"
    note = data.get("note")
    return f"（{note}）" if note else ""
