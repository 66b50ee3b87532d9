"""The metrics (MTR-1..3) in words: durations in working days or hours, rates as percent,
and the short review that `oaflow demo` and the demo data end with."""

from __future__ import annotations

from oaflow.domain.text import Text
from oaflow.services.metrics import Metrics, ProcessMetric, Spread

NONE = "—"


def days_of(seconds: float | None, day_hours: float) -> float | None:
    """Seconds of working time in working days of ``day_hours`` hours."""
    return None if seconds is None else seconds / 3600 / day_hours


def hours_of(seconds: float | None) -> float | None:
    """Seconds in hours."""
    return None if seconds is None else seconds / 3600


def percent(value: float | None, digits: int = 1) -> str:
    """``87.5%`` (``88%`` with no digits; ``50%``, not ``50.0%``); a dash when there was
    nothing to count."""
    if value is None:
        return NONE
    return f"{value * 100:.{digits}f}%".replace(".0%", "%") if digits else f"{value:.0%}"


def duration(seconds: float | int | None, day_hours: float, lang: str) -> str:
    """Working time as ``2.5 个工作日`` / ``2.5 working days``, or in hours under a day."""
    if seconds is None:
        return NONE
    hours = seconds / 3600
    if hours < day_hours:
        return f"{hours:.1f} 小时" if lang == "zh" else f"{hours:.1f} h"
    days = hours / day_hours
    return f"{days:.1f} 个工作日" if lang == "zh" else f"{days:.1f} working days"


def spread_text(spread: Spread, day_hours: float, lang: str) -> str:
    """``平均 2.5 个工作日（中位 1.0 个工作日，P90 6.0 个工作日）``."""
    if not spread.count:
        return NONE
    average = duration(spread.average, day_hours, lang)
    median = duration(spread.median, day_hours, lang)
    p90 = duration(spread.p90, day_hours, lang)
    if lang == "zh":
        return f"平均 {average}（中位 {median}，P90 {p90}）"
    return f"average {average} (median {median}, p90 {p90})"


def process_line(row: ProcessMetric, day_hours: float, lang: str) -> str:
    """One process's figures in a sentence."""
    cycle = spread_text(row.work, day_hours, lang)
    score = NONE if row.satisfaction is None else f"{row.satisfaction:.1f}"
    if lang == "zh":
        return (
            f"{row.name.zh}：完成 {row.completed} 个，周期{cycle}，"
            f"一次通过率 {percent(row.first_pass_rate)}，异常率 {percent(row.exception_rate)}，"
            f"准时率 {percent(row.on_time_rate)}，满意度 {score}"
        )
    return (
        f"{row.name.get('en')}: {row.completed} completed, cycle time {cycle}, "
        f"first pass {percent(row.first_pass_rate)}, exceptions "
        f"{percent(row.exception_rate)}, on time {percent(row.on_time_rate)}, "
        f"satisfaction {score}"
    )


REVIEW = Text("复盘", "Review")
NO_BOTTLENECK = Text("没有超时的节点", "no node finished late")


def summary_lines(review: Metrics, lang: str, bottlenecks: int = 3) -> list[str]:
    """The short review: a line per process, then the worst ``bottlenecks`` sentences."""
    lines = [process_line(p, review.day_hours, lang) for p in review.processes if p.completed]
    worst = [b.sentence.get(lang) for b in review.bottlenecks[:bottlenecks]]
    label = "瓶颈：" if lang == "zh" else "Bottlenecks: "
    lines.append(label + ("；".join(worst) if worst else NO_BOTTLENECK.get(lang)))
    return lines
