"""A ledger (台账, ARC-2) as a table: by period and department, with a total row per
period, for the CLI, the API and the web page's export (as CSV or Excel through
present/sheets.py: formula-safe, CSV with a BOM)."""

from __future__ import annotations

from oaflow.domain.text import Text
from oaflow.present.sheets import Cell, Sheet, to_csv, to_xlsx
from oaflow.present.words import local_time
from oaflow.services.ledgers import LedgerView

#: the export formats and their media types
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
FORMATS = tuple(MEDIA)
_HEADERS = {
    "zh": ("期间", "部门编码", "部门", "金额", "流程编号", "更新时间"),
    "en": ("Period", "Department code", "Department", "Amount", "Business key", "Updated"),
}
_TOTAL = {"zh": "合计", "en": "Total"}


def headers(view: LedgerView, lang: str) -> list[str]:
    labels = view.field_labels or tuple(Text(n) for n in view.field_names)
    return [*_HEADERS.get(lang, _HEADERS["zh"]), *(label.get(lang) for label in labels)]


def rows(view: LedgerView, lang: str, tz: str) -> list[list[Cell]]:
    """One row per department and period, then each period's total."""

    out: list[list[Cell]] = []
    for period in view.totals:
        for row in (r for r in view.rows if r.period == period.period):
            extra = [_cell(row.fields.get(name)) for name in view.field_names]
            out.append(
                [
                    row.period,
                    row.department,
                    row.department_name.get(lang),
                    row.amount,
                    row.business_key,
                    local_time(row.updated_at, tz),
                    *extra,
                ]
            )
        blank: list[Cell] = [None] * (len(view.field_names) + 2)
        out.append([period.period, None, _TOTAL.get(lang, "合计"), period.total, *blank])
    return out


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def ledger_file(view: LedgerView, lang: str, tz: str, fmt: str) -> bytes:
    """The ledger as an Excel workbook or a CSV file."""
    if fmt == "csv":
        return to_csv(headers(view, lang), rows(view, lang, tz))
    title = view.title.get(lang)
    return to_xlsx([Sheet(title, headers(view, lang), rows(view, lang, tz))])
