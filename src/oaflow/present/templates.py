"""The manual's four templates as files: which ones there are, their blank sheets (headers
and the manual's example row), and a table as .xlsx or .csv bytes (present/sheets.py: safe
against formula injection, CSV in UTF-8 with a BOM). A CSV holds a workbook's first sheet."""

from __future__ import annotations

from collections.abc import Sequence

from oaflow.domain.errors import InputError
from oaflow.domain.text import Text
from oaflow.present import sheets, template1, template2, template3
from oaflow.present.sheets import Sheet
from oaflow.present.template4 import HEADERS as TEMPLATE4_HEADERS
from oaflow.present.template4 import template4_row
from oaflow.services.views import ExceptionView

NAMES = {
    1: Text("多部门协同任务需求表", "Task requirements (start form)"),
    2: Text("流程节点配置表", "Node configuration (process definition)"),
    3: Text("执行进度跟踪表", "Progress tracking"),
    4: Text("异常处理记录表", "Exception records"),
}
#: what each template does here
USES = {
    1: Text(
        "导出实例的发起表单；导入后按行发起流程",
        "export an instance's start form; import rows to start instances",
    ),
    2: Text(
        "导出流程定义；导入后发布为新版本（管理员）",
        "export a definition; import to publish a version (administrators)",
    ),
    3: Text("导出一个或多个实例的进度", "export the progress of one or more instances"),
    4: Text("导出异常处理记录", "export exception records"),
}
IMPORTABLE = (1, 2)
TEMPLATE4_TITLE = {"zh": "异常处理记录表", "en": "Exception records"}
TEMPLATE4_EXAMPLE = (
    "ABN20240301",
    "PROJ20240301",
    "研发方案输出",
    "未在72小时内提交方案",
    "市场部",
    "2024-03-20 09:00",
    "客户需求确认后延迟24小时提交",
    "张伟（研发部）",
    "2024-03-21 12:00",
    "方案通过评审",
)
TEMPLATE4_WIDTHS = (14, 14, 16, 28, 12, 18, 30, 18, 18, 20)
FORMATS = ("xlsx", "csv")


def check_number(number: int) -> int:
    if number not in NAMES:
        raise InputError("tpl.template.unknown", number=number)
    return number


def blank(number: int, lang: str) -> list[Sheet]:
    check_number(number)
    if number == 1:
        return template1.blank(lang)
    if number == 2:
        return template2.blank(lang)
    if number == 3:
        return template3.blank(lang)
    return [
        Sheet(TEMPLATE4_TITLE[lang], TEMPLATE4_HEADERS[lang], [TEMPLATE4_EXAMPLE], TEMPLATE4_WIDTHS)
    ]


def template4_sheet(records: Sequence[ExceptionView], lang: str, tz: str) -> Sheet:
    rows = [template4_row(r, lang, tz) for r in records]
    return Sheet(TEMPLATE4_TITLE[lang], TEMPLATE4_HEADERS[lang], rows, TEMPLATE4_WIDTHS)


def file_bytes(pages: Sequence[Sheet], fmt: str) -> bytes:
    """The sheets as a workbook, or the first one as CSV."""
    if fmt == "csv":
        return sheets.to_csv(pages[0].headers, pages[0].rows)
    return sheets.to_xlsx(pages)


def file_name(number: int, what: str, fmt: str) -> str:
    """``template1-PROJ20240301.xlsx`` (ASCII: it travels in a download's header)."""
    safe = "".join(c for c in what if c.isascii() and (c.isalnum() or c in "-_.")) or "blank"
    return f"template{number}-{safe}.{fmt}"


MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
