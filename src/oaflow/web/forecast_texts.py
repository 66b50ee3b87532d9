"""The pages' words of the completion forecast on the Gantt chart (issue 15 item 4)."""

from __future__ import annotations

from oaflow.domain.text import Text

FORECAST_WORDS: dict[str, Text] = {
    "forecast_row": Text("预计完成", "Forecast"),
    "forecast_status": Text("预计 {median}", "expected {median}"),
    "forecast_sub": Text("{state} · 九成 {p90} 前", "{state} · p90 {p90}"),
    "legend_forecast": Text("预计完成（中位数）", "expected completion (median)"),
    "legend_forecast_p90": Text("九成把握完成（90%）", "9 in 10 finish by (90 %)"),
    "legend_deadline": Text("完成期限", "deadline"),
}
