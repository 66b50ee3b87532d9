"""Template 1 (多部门协同任务需求表) as a sheet: an instance's initiation form, or a blank one
with the manual's example row."""

from __future__ import annotations

from oaflow.domain import template1
from oaflow.present.sheets import Sheet
from oaflow.services.templates import Rows

TITLE = {"zh": "多部门协同任务需求表", "en": "Task requirements"}
WIDTHS = (20, 12, 24, 24, 60, 30, 8, 30)


def sheet(rows: Rows, lang: str) -> Sheet:
    return Sheet(TITLE[lang], rows.headers, rows.rows, WIDTHS)


def blank(lang: str) -> list[Sheet]:
    """The headers and the manual's example row (a sample to overwrite)."""
    headers = tuple(c.title(lang) for c in template1.COLUMNS)
    return [Sheet(TITLE[lang], headers, [template1.EXAMPLE], WIDTHS)]
