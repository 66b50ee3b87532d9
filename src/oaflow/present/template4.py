"""Template 4 (异常处理记录表) as the manual prints it: one row per exception record, the same
in the CLI's table, the demo's report, the pages and the Excel export."""

from __future__ import annotations

from oaflow.present.words import local_time
from oaflow.services.views import ExceptionView

HEADERS = {
    "zh": (
        "异常编号",
        "关联任务",
        "异常节点",
        "异常描述",
        "上报人",
        "上报时间",
        "处理方案",
        "处理负责人",
        "处理完成时间",
        "结果验证",
    ),
    "en": (
        "ID",
        "linked task",
        "node",
        "description",
        "reported by",
        "reported at",
        "handling plan",
        "handler",
        "completed at",
        "verification",
    ),
}


def template4_row(record: ExceptionView, lang: str, tz: str) -> tuple[str, ...]:
    """The record's row: the reporter as the manual names them, by their department (the
    system when a timer found it and nobody reported it yet); the handler by name and
    department."""
    if record.reporter is None:
        reporter = "系统" if lang == "zh" else "system"
    elif record.reporter_department is not None:
        reporter = record.reporter_department.name.get(lang)
    else:
        reporter = record.reporter.name.get(lang)
    handler = ""
    if record.handler is not None:
        handler = record.handler.name.get(lang)
        if record.handler_department is not None:
            dept = record.handler_department.name.get(lang)
            handler += f"（{dept}）" if lang == "zh" else f" ({dept})"
    return (
        record.code,
        record.business_key,
        record.node.name.get(lang),
        record.description,
        reporter,
        local_time(record.reported_at, tz) or "",
        record.plan or "",
        handler,
        local_time(record.resolved_at, tz) or "",
        record.verification or "",
    )
