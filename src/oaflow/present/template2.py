"""Template 2 (流程节点配置表) as a workbook: the nodes, and a second sheet 流程信息 with the
process's key, names, initiating departments, business-key pattern and version. A CSV holds
the nodes alone."""

from __future__ import annotations

from oaflow.domain.template2_export import Exported
from oaflow.domain.template2_words import COLUMNS, EXAMPLE, NODES_SHEET, PROCESS_SHEET
from oaflow.present.sheets import Sheet

WIDTHS = (10, 20, 16, 28, 28, 12, 28, 10, 40)
ITEM_HEADERS = {"zh": ("项目", "值"), "en": ("item", "value")}
EXAMPLE_PROCESS = (
    ("流程编号", "demand-review"),
    ("流程名称", "需求评审流程"),
    ("发起部门", "市场部"),
)


def _title(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def sheets(exported: Exported, lang: str) -> list[Sheet]:
    nodes = Sheet(_title(NODES_SHEET, lang), exported.headers, exported.rows, WIDTHS)
    process = Sheet(_title(PROCESS_SHEET, lang), ITEM_HEADERS[lang], exported.process, (20, 40))
    return [nodes, process]


def blank(lang: str) -> list[Sheet]:
    """The manual's rows 001-003 and a process sheet to fill in."""
    headers = tuple(c.title(lang) for c in COLUMNS[:7])
    return [
        Sheet(_title(NODES_SHEET, lang), headers, EXAMPLE, WIDTHS),
        Sheet(_title(PROCESS_SHEET, lang), ITEM_HEADERS[lang], EXAMPLE_PROCESS, (20, 40)),
    ]
