"""A meeting's report as an Excel workbook (MTG-1): an overview sheet, then one sheet per
part — progress, exceptions, resources needed, steps at risk, action items — each with its
header row frozen, in the reader's language (Chinese by default)."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from oaflow.domain.text import Text
from oaflow.present.words import local_time, state_label
from oaflow.services.meeting_views import ActionItemView, MeetingView, ProgressLine

H = Text  # a header, in both languages
PROGRESS = (
    H("业务编号", "Business key"),
    H("事项", "Title"),
    H("流程", "Process"),
    H("当前环节", "Current step"),
    H("责任部门", "Department"),
    H("负责人", "Owner"),
    H("计划完成", "Due"),
    H("时限状态", "Deadline state"),
    H("剩余工时", "Hours left"),
    H("延迟(小时)", "Delay (h)"),
)
EXCEPTIONS = (
    H("异常编号", "Exception"),
    H("业务编号", "Business key"),
    H("节点", "Step"),
    H("责任部门", "Department"),
    H("描述", "Description"),
    H("状态", "State"),
    H("原因分类", "Cause"),
    H("所需资源", "Resources needed"),
    H("上报时间", "Reported"),
)
RESOURCES = (H("异常编号", "Exception"), H("业务编号", "Business key"), H("所需资源", "Resources"))
ACTIONS = (
    H("编号", "No."),
    H("会议", "Meeting"),
    H("行动项", "Action item"),
    H("负责人", "Owner"),
    H("部门", "Department"),
    H("截止时间", "Due"),
    H("状态", "State"),
    H("时限状态", "Deadline state"),
    H("完成说明", "Note"),
)


def workbook(view: MeetingView, lang: str = "zh", tz: str = "Asia/Shanghai") -> bytes:
    """The report of ``view`` as the bytes of an .xlsx file."""
    book = Workbook()
    overview = book.active
    assert overview is not None
    overview.title = _say(H("概览", "Overview"), lang)
    _overview(overview, view, lang, tz)
    report = view.report
    parts: list[tuple[Text, Sequence[Text], list[list[Any]]]] = [
        (H("进度", "Progress"), PROGRESS, [_progress(p, lang, tz) for p in report.progress]),
        (
            H("异常", "Exceptions"),
            EXCEPTIONS,
            [
                [
                    e.code,
                    e.business_key,
                    e.node.name.get(lang),
                    e.department.name.get(lang) if e.department else "",
                    e.description,
                    e.state_label.get(lang),
                    e.cause_category,
                    e.resources,
                    local_time(e.reported_at, tz),
                ]
                for e in report.exceptions
            ],
        ),
        (
            H("资源需求", "Resources"),
            RESOURCES,
            [[e.code, e.business_key, e.resources] for e in report.resources],
        ),
        (H("风险事项", "At risk"), PROGRESS, [_progress(p, lang, tz) for p in report.at_risk]),
        (
            H("行动项", "Action items"),
            ACTIONS,
            [_action(a, lang, tz) for a in (*report.earlier_actions, *view.actions)],
        ),
    ]
    for title, headers, rows in parts:
        _sheet(book.create_sheet(_say(title, lang)), [_say(h, lang) for h in headers], rows)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _say(text: Text, lang: str) -> str:
    return text.get(lang)


def _overview(sheet: Worksheet, view: MeetingView, lang: str, tz: str) -> None:
    report = view.report
    rows = [
        (H("会议", "Meeting"), view.code),
        (H("部门", "Department"), view.department.name.get(lang)),
        (H("会议时间", "Held at"), local_time(view.held_at, tz)),
        (H("报告准备时间", "Report prepared"), local_time(report.prepared_at, tz)),
        (H("参会人", "Participants"), "、".join(p.name.get(lang) for p in view.participants)),
        (H("进行中的流程", "Running processes"), report.running),
        (H("未关闭的异常", "Open exceptions"), len(report.exceptions)),
        (H("资源需求", "Resources needed"), len(report.resources)),
        (H("风险事项", "Steps at risk"), len(report.at_risk)),
        (H("未完成的行动项", "Open action items"), len(report.earlier_actions)),
    ]
    _sheet(
        sheet,
        [_say(H("项目", "Item"), lang), _say(H("内容", "Value"), lang)],
        [[_say(label, lang), value] for label, value in rows],
    )


def _progress(line: ProgressLine, lang: str, tz: str) -> list[Any]:
    return [
        line.business_key,
        line.title,
        line.process_name.get(lang),
        line.node.name.get(lang) if line.node else "",
        line.department.name.get(lang) if line.department else "",
        line.owner.name.get(lang) if line.owner else "",
        local_time(line.due_at, tz),
        state_label(line.sla, lang),
        line.remaining_hours,
        line.delay_hours,
    ]


def _action(item: ActionItemView, lang: str, tz: str) -> list[Any]:
    return [
        item.id,
        item.meeting,
        item.title,
        item.owner.name.get(lang),
        item.department.name.get(lang) if item.department else "",
        local_time(item.due_at, tz),
        item.state_label.get(lang),
        state_label(item.sla, lang),
        item.done_note,
    ]


def _sheet(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header)) * 2, *(len(str(r[index - 1] or "")) for r in rows), 8])
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
