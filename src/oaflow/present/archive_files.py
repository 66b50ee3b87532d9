"""The readable files of an archive's bundle (ARC-1), from the instance's view: the history
as CSV and JSON, the progress table as Template 3 (执行进度跟踪表) and the exception records
as Template 4 (异常处理记录表), each as CSV and in one workbook, and the instance (its summary
and form) as JSON. CSV and Excel go through present/sheets.py (formula-safe, BOM).
Sensitive form values are not written (the bundle is read by whoever sees the instance)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from oaflow.present.json_view import jsonable
from oaflow.present.sheets import Sheet, to_csv, to_xlsx
from oaflow.present.template3 import HEADERS as T3_HEADERS
from oaflow.present.template3 import WIDTHS as T3_WIDTHS
from oaflow.present.template3 import template3_rows
from oaflow.present.template4 import HEADERS as T4_HEADERS
from oaflow.present.template4 import template4_row
from oaflow.present.words import event_label, local_time
from oaflow.services.views import InstanceDetail, TimelineEntry

HISTORY_HEADERS = {
    "zh": ("序号", "时间", "事件", "节点", "任务", "操作人", "内容"),
    "en": ("#", "at", "event", "node", "task", "actor", "details"),
}
SHEET_TITLES = {
    "zh": ("执行进度跟踪表", "异常处理记录表", "历史记录"),
    "en": ("Progress (Template 3)", "Exceptions (Template 4)", "History"),
}
MASK = "***"


def archive_files(detail: InstanceDetail, lang: str, tz: str) -> dict[str, bytes]:
    """The files by their path in the bundle."""
    progress = template3_rows(detail.progress, lang, tz)
    exceptions = [template4_row(r, lang, tz) for r in detail.exceptions]
    history = [_history_row(e, lang, tz) for e in detail.timeline]
    titles = SHEET_TITLES[lang]
    book = to_xlsx(
        [
            Sheet(titles[0], T3_HEADERS[lang], progress, T3_WIDTHS),
            Sheet(titles[1], T4_HEADERS[lang], exceptions),
            Sheet(titles[2], HISTORY_HEADERS[lang], history),
        ]
    )
    return {
        "instance.json": _json(_instance(detail, lang, tz)),
        "history.json": _json(jsonable(list(detail.timeline), lang, tz)),
        "history.csv": to_csv(HISTORY_HEADERS[lang], history),
        "progress-template3.csv": to_csv(T3_HEADERS[lang], progress),
        "exceptions-template4.csv": to_csv(T4_HEADERS[lang], exceptions),
        "archive.xlsx": book,
    }


def _instance(detail: InstanceDetail, lang: str, tz: str) -> dict[str, Any]:
    form = [
        dataclasses.replace(f, value=MASK, masked=True) if f.sensitive else f for f in detail.form
    ]
    return {
        "summary": jsonable(detail.summary, lang, tz),
        "form": jsonable(form, lang, tz),
        "planned": jsonable(list(detail.planned), lang, tz),
    }


def _history_row(entry: TimelineEntry, lang: str, tz: str) -> tuple[str | int, ...]:
    details = json.dumps(jsonable(dict(entry.data), lang, tz), ensure_ascii=False)
    return (
        entry.seq,
        local_time(entry.at, tz) or "",
        event_label(entry.kind, lang),
        entry.node.name.get(lang) if entry.node else "",
        entry.task_id or "",
        entry.actor.name.get(lang) if entry.actor else "",
        "" if details == "{}" else details,
    )


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")
