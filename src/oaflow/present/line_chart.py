"""A small line chart laid out for drawing as SVG (the review's six-month trend, MTR-4): the
months along the bottom, a value axis on the left (counts, days or a share 0-100 %), one
line per series in its own colour, a month without a value leaving a gap. Pure: the page
draws it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from oaflow.present.pareto import count_axis

WIDTH = 420  # small: on a phone the drawing is scaled to the screen, its words with it
LEFT, RIGHT, TOP = 44, 12, 14
PLOT_H = 150
LABEL_H = 26  # under the axis: the months
HEIGHT = TOP + PLOT_H + LABEL_H
#: the series' colours (distinct for people with the common colour blindness too)
COLOURS = ("#1f5fbf", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#0e7490", "#be185d")


@dataclass(frozen=True)
class Series:
    """One line: its name and a value per month (None: nothing to show that month)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    value: str  # as shown (the point's tooltip)
    month: str


@dataclass(frozen=True)
class Line:
    name: str
    colour: str
    paths: tuple[str, ...]  # "x,y x,y …" per run of months with values
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    ticks: tuple[tuple[int, str], ...]  # (y, label) on the value axis
    months: tuple[tuple[int, str], ...]  # (x, label) under the axis
    lines: tuple[Line, ...]


def chart(months: Sequence[str], series: Sequence[Series], unit: str) -> Chart:
    """``series`` over ``months``; ``unit``: "count" (whole numbers), "days" (one decimal)
    or "share" (a fraction drawn 0-100 %)."""
    right, bottom = WIDTH - RIGHT, TOP + PLOT_H
    values = [v for s in series for v in s.values if v is not None]
    top_value, ticks = _axis(max(values, default=0.0), unit)
    slot = (right - LEFT) / max(len(months), 1)

    def x_of(i: int) -> int:
        return round(LEFT + slot * (i + 0.5))

    def y_of(value: float) -> int:
        return round(bottom - value / top_value * PLOT_H)

    lines = []
    for n, s in enumerate(series):
        points = tuple(
            Point(x_of(i), y_of(v), shown(v, unit), months[i])
            for i, v in enumerate(s.values)
            if v is not None
        )
        lines.append(Line(s.name, COLOURS[n % len(COLOURS)], _runs(s.values, x_of, y_of), points))
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        right,
        TOP,
        bottom,
        tuple((y_of(t), shown(t, unit, axis=True)) for t in ticks),
        tuple((x_of(i), m) for i, m in enumerate(months)),
        tuple(lines),
    )


def _runs(
    values: Sequence[float | None], x_of: Callable[[int], int], y_of: Callable[[float], int]
) -> tuple[str, ...]:
    """The polyline points of each run of months that have values."""
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{x_of(i)},{y_of(v)}")
    return tuple(" ".join(r) for r in runs if r)


def _axis(largest: float, unit: str) -> tuple[float, list[float]]:
    """The top of the value axis and its ticks."""
    if unit == "share":
        return 1.0, [0, 0.25, 0.5, 0.75, 1.0]
    if unit == "count":
        top, step = count_axis(math.ceil(largest))
        return float(top), [float(t) for t in range(0, top + 1, step)]
    tenths, step = count_axis(math.ceil(largest * 10))  # days: in tenths
    return tenths / 10, [t / 10 for t in range(0, tenths + 1, step)]


def shown(value: float, unit: str, axis: bool = False) -> str:
    """``value`` as the chart says it."""
    if unit == "share":
        return f"{value:.0%}" if axis else f"{value:.1%}"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:g}" if axis else f"{value:.2f}"
