"""The words of the completion forecast (issue 15 item 4) for the CLI, the pages and the
API: its states, and its sources of a node's duration, in Chinese and English."""

from __future__ import annotations

from oaflow.domain.forecast import ForecastState, Source
from oaflow.domain.text import Text

STATES: dict[ForecastState, Text] = {
    ForecastState.ON_TRACK: Text("正常", "on track"),
    ForecastState.AT_RISK: Text("有延期风险", "at risk"),
    ForecastState.LATE: Text("已超期", "late"),
}
SOURCES: dict[Source, Text] = {
    Source.HISTORY: Text("历史用时", "history"),
    Source.LIMIT: Text("时限（历史不足）", "time limit (too little history)"),
    Source.DEFAULT: Text("默认一个工作日", "default: one working day"),
}
NO_DEADLINE = Text("无期限", "no deadline")


def state_label(state: ForecastState, lang: str) -> str:
    return STATES[state].get(lang)


def working_hours(seconds: float, lang: str) -> str:
    """A working time as hours: ``3.5 工作小时`` / ``3.5 working h``."""
    hours = seconds / 3600
    return f"{hours:.1f} 工作小时" if lang != "en" else f"{hours:.1f} working h"


def more_at_risk(listed: int, total: int) -> Text | None:
    """Below a review's most urgent forecasts: how many more there are and how to list them
    all (the CLI and the workbook; the page says it in its own words); None: all listed."""
    more = total - listed
    if more <= 0:
        return None
    return Text(
        f"另有 {more} 个未列出（共 {total} 个）：oaflow report forecast --at-risk 列出全部",
        f"{more} more not listed ({total} in all): oaflow report forecast --at-risk lists them all",
    )
