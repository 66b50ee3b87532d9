"""A Pareto chart (EXC-5) laid out for drawing as SVG: one bar per cause, most first, its
height the count on the left axis; the cumulative share as a line over the bars on the right
axis (0-100 %), and a dashed line at 80 % — the causes whose bars start below it are the
vital few (drawn darker, and said in words in the table beside the chart). Pure: the page
draws it."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 420  # small: on a phone the drawing is scaled down to the screen, its words with it
LEFT, RIGHT, TOP = 36, 44, 24
PLOT_H = 200
LABEL_H = 40  # under the axis: the causes' names
HEIGHT = TOP + PLOT_H + LABEL_H
NARROW_W, WIDE_W = 7.5, 14.0  # a character's width at the chart's 14 px: Latin, Chinese


@dataclass(frozen=True)
class Column:
    """What one bar shows: the cause's name, its count and the cumulative share up to it."""

    label: str
    count: int
    cumulative: float
    vital: bool


@dataclass(frozen=True)
class Bar:
    label: str  # the whole name (the bar's tooltip)
    short: str  # as much of it as fits under the bar
    count: int
    percent: str  # the cumulative share, e.g. "67%"
    x: int
    y: int
    width: int
    height: int
    center: int
    point_y: int  # where the cumulative line passes over the bar
    vital: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int  # the x of the right axis
    top: int
    bottom: int  # the y of the axis the bars stand on
    count_ticks: tuple[tuple[int, str], ...]  # (y, label) on the left axis
    percent_ticks: tuple[tuple[int, str], ...]  # (y, label) on the right axis
    vital_y: int  # the 80 % line
    line: str  # the cumulative line's points, "x,y x,y …"
    bars: tuple[Bar, ...]


def chart(columns: Sequence[Column]) -> Chart:
    """The bars of ``columns`` (in their order) on one count axis, with the cumulative line."""
    right, bottom = WIDTH - RIGHT, TOP + PLOT_H
    top_count, step = count_axis(max((c.count for c in columns), default=0))
    slot = (right - LEFT) / max(len(columns), 1)
    bar_w = round(min(slot * 0.7, 90))

    def y_of_share(share: float) -> int:
        return round(bottom - share * PLOT_H)

    bars = []
    for i, c in enumerate(columns):
        center = round(LEFT + slot * (i + 0.5))
        height = round(c.count / top_count * PLOT_H)
        bars.append(
            Bar(
                label=c.label,
                short=fitted(c.label, slot - 12),  # a gap between neighbours
                count=c.count,
                percent=f"{round(c.cumulative * 100)}%",
                x=center - bar_w // 2,
                y=bottom - height,
                width=bar_w,
                height=height,
                center=center,
                point_y=y_of_share(c.cumulative),
                vital=c.vital,
            )
        )
    counts = tuple(
        (round(bottom - n / top_count * PLOT_H), str(n)) for n in range(0, top_count + 1, step)
    )
    percents = tuple((y_of_share(p / 100), f"{p}%") for p in (0, 20, 40, 60, 80, 100))
    line = " ".join(f"{b.center},{b.point_y}" for b in bars)
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        right,
        TOP,
        bottom,
        counts,
        percents,
        y_of_share(0.8),
        line,
        tuple(bars),
    )


def count_axis(largest: int) -> tuple[int, int]:
    """The top of the count axis and its step: whole numbers, at most 5 steps, the top a
    multiple of the step at or above ``largest`` (at least 1)."""
    largest = max(largest, 1)
    steps = (n * 10**p for p in range(10) for n in (1, 2, 5))  # rising: 1, 2, 5, 10, 20 …
    step = next(s for s in steps if math.ceil(largest / s) <= 5)
    return math.ceil(largest / step) * step, step


def fitted(label: str, room: float) -> str:
    """As much of ``label`` as fits in ``room`` pixels, with … when cut."""
    if width_of(label) <= room:
        return label
    cut = ""
    for ch in label:
        if width_of(cut + ch + "…") > room:
            break
        cut += ch
    return cut + "…"


def width_of(text: str) -> float:
    """The pixels ``text`` takes at 14 px (about: Latin letters vary)."""
    return sum(WIDE_W if unicodedata.east_asian_width(ch) in "WF" else NARROW_W for ch in text)
