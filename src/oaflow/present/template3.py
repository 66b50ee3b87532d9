"""Template 3 (执行进度跟踪表) as the manual prints it: one row per step of an instance, for the
exports, the archive bundles and the templates page.

The manual's row: ``PROJ20240301 | 研发方案输出 | 研发部 | 2024-03-18 18:00 | 2024-03-19 10:00 |
已完成(延迟16小时) | 客户需求临时变更,需额外确认``. The 负责人 column names the responsible
department as the manual does (the person when a step has no department)."""

from __future__ import annotations

from collections.abc import Iterable

from oaflow.present.sheets import Sheet
from oaflow.present.words import local_time, status_text
from oaflow.services.views import ProgressRow

HEADERS = {
    "zh": (
        "任务ID",
        "当前节点",
        "负责人",
        "计划完成时间",
        "实际完成时间",
        "状态",
        "延迟原因(异常时填写)",
    ),
    "en": (
        "task ID",
        "step",
        "owner",
        "planned",
        "actual",
        "status",
        "delay reason",
    ),
}

#: column widths (characters) for the workbook
WIDTHS = (16, 20, 14, 18, 18, 22, 36)


def owner_text(row: ProgressRow, lang: str) -> str:
    """The 负责人 cell: the responsible department, the owner when there is none."""
    if row.department is not None:
        return row.department.name.get(lang)
    return row.owner.name.get(lang) if row.owner is not None else ""


def template3_row(row: ProgressRow, lang: str, tz: str) -> tuple[str, ...]:
    """The step's row, times in the enterprise's time zone, the status as MON-1 words it."""
    return (
        row.business_key,
        row.node.name.get(lang),
        owner_text(row, lang),
        local_time(row.planned, tz) or "",
        local_time(row.actual, tz) or "",
        status_text(row, lang),
        row.delay_reason,
    )


def template3_rows(rows: Iterable[ProgressRow], lang: str, tz: str) -> list[tuple[str, ...]]:
    return [template3_row(r, lang, tz) for r in rows]


TITLE = {"zh": "执行进度跟踪表", "en": "Progress"}
#: the manual's row (worked example (a)), the sample of a blank sheet
EXAMPLE = (
    "PROJ20240301",
    "研发方案输出",
    "研发部",
    "2024-03-18 18:00",
    "2024-03-19 10:00",
    "已完成(延迟16小时)",
    "客户需求临时变更,需额外确认",
)


def sheet(rows: Iterable[ProgressRow], lang: str, tz: str) -> Sheet:
    return Sheet(TITLE[lang], HEADERS[lang], template3_rows(rows, lang, tz), WIDTHS)


def blank(lang: str) -> list[Sheet]:
    return [Sheet(TITLE[lang], HEADERS[lang], [EXAMPLE], WIDTHS)]
