"""Printing the demo replay: who did what when, and the progress tables."""

from __future__ import annotations

from typing import Any

from rich.rule import Rule

from oaflow.cli.common import OPTIONS, console, handled, headline, print_json, zh
from oaflow.config import Settings
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services.demo import replay


def run_demo(as_json: bool = False) -> None:
    with handled():
        settings = Settings()
        views = replay(china_calendar(tz=settings.timezone), OPTIONS.lang)
    if as_json:
        print_json(views)
        return
    console.print(
        zh(
            "OA-Flow 演示：四个内置流程按模拟时钟从发起到结束的完整回放",
            "OA-Flow demo: the four built-in processes replayed from start to end",
        )
    )
    for view in views:
        print_instance(view)
    console.print(Rule())
    console.print(
        zh(
            f"共 {len(views)} 个流程实例，全部由真实引擎在临时数据库上执行。",
            f"{len(views)} instances, all run by the real engine on a temporary database.",
        )
    )


def print_instance(view: dict[str, Any]) -> None:
    console.print(Rule(headline(view)))
    for event in view["timeline"]:
        if event["kind"] in ("task_created", "instance_started", "initiated"):
            continue
        who = event["actor_name"] or zh("系统", "system")
        console.print(
            f"  {event['at']}  {who:<8} {event['event']} {event['node']}{_detail(event)}",
            markup=False,
        )
    for record in view["exceptions"]:
        console.print(
            "  " + zh("异常记录 (模板4): ", "Exception (Template 4): ") + exception_line(record),
            markup=False,
        )
    console.print("  " + zh("执行进度跟踪表 (模板3):", "Progress table (Template 3):"))
    for row in view["progress"]:
        console.print("    " + progress_line(row), markup=False)
    if view.get("messages"):
        console.print("  " + zh("消息去向:", "Where the messages went:"))
    for message in view.get("messages", []):
        console.print("    " + message_line(message), markup=False)


def message_line(message: dict[str, Any]) -> str:
    """``2024-03-01 09:00 新待办 投诉受理确认 → 站内: 马丽娟 · 企业邮箱(马丽娟) · 客服钉钉群``."""
    places = [zh("站内: ", "in-app: ") + "、".join(message["in_app"]), *message["channels"]]
    what = " ".join(p for p in (message["at"], message["event"], message["node"]) if p)
    return f"{what} → " + " · ".join(places)


def progress_line(row: dict[str, Any]) -> str:
    """``PROJ20240301 · 研发方案输出(研发部) · 计划 … · 实际 … · 已完成(延迟16小时) · 原因``."""
    parts = [
        row["business_key"],
        f"{row['node']}({row['department']})",
        f"{zh('计划', 'planned')} {row['planned'] or '-'}",
        f"{zh('实际', 'done')} {row['actual'] or '-'}",
        row["status"],
    ]
    if row["delay_reason"]:
        parts.append(row["delay_reason"])
    return " · ".join(parts)


def exception_line(record: dict[str, Any]) -> str:
    """``ABN20240301 · PROJ20240301 · 研发方案输出(研发部) · 2024-03-18 18:00 · 系统 · …``."""
    return " · ".join(
        [
            record["code"],
            record["business_key"],
            f"{record['node']}({record['department']})",
            record["reported_at"],
            record["reporter_name"],
            record["description"],
        ]
    )


def _detail(event: dict[str, Any]) -> str:
    data = event["data"]
    if event["to_names"]:
        return " → " + "、".join(event["to_names"])
    if event["kind"] == "task_progress":
        return f" {data.get('percent')}% {data.get('note', '')}"
    if event["kind"] == "routed":
        return f" → {data.get('to')}"
    if event["kind"] == "archived":
        return f" 《{data.get('name')}》"
    note = data.get("note")
    return f"（{note}）" if note else ""
