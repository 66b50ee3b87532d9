"""Texts of the errors of the metrics, the bottlenecks, the forecasts and the review report
(MTR-1..4)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {
    "report.bad_period": Entry(
        "期间“{period}”无效",
        "'{period}' is not a period",
        "按月 2024-03、按季度 2024-Q1，或按日期范围 2024-01-15..2024-02-14 给出",
        "give a month 2024-03, a quarter 2024-Q1 or a range of days 2024-01-15..2024-02-14",
    ),
    "report.bad_range": Entry(
        "日期范围“{period}”无效：结束日不能早于开始日，且最长 {days} 天",
        "the range '{period}' is not valid: it must not end before it starts, and spans at "
        "most {days} days",
        "例如 2024-01-15..2024-02-14",
        "e.g. 2024-01-15..2024-02-14",
    ),
}
