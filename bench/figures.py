"""What every benchmark part hands to bench/run.py: figures measured in one run, each beside
its reference, and the targets they are judged by.

A part is a function ``measure(args) -> list[Figure]``; run.py prints one table of all the
figures, then the targets (each: the figure, its reference, met or missed) and a last line
``targets met: N of M``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure. ``reference`` is what it is measured against in the same run
    (None: a standing figure, e.g. a latency judged by an absolute bound)."""

    name: str  # e.g. "SQLite engine completions/s"
    value: float
    unit: str  # "/s", "ms", "MiB", "s"
    reference_name: str | None = None
    reference: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.reference in (None, 0):
            return None
        return self.value / self.reference  # type: ignore[operator]


@dataclass(frozen=True)
class Target:
    """A property from issue 16 / QUALITY.md: a figure (by name) is met when ``check`` holds
    for it; ``wording`` says the bound in words (e.g. "≥ 0.7 × replay")."""

    figure: str
    wording: str
    check: Callable[[Figure], bool]


def at_least_ratio(bound: float) -> Callable[[Figure], bool]:
    return lambda f: f.ratio is not None and f.ratio >= bound


def at_most(bound: float) -> Callable[[Figure], bool]:
    return lambda f: f.value <= bound


def below(bound: float) -> Callable[[Figure], bool]:
    """Strictly below ``bound`` ("p99 < 100 ms"; locust's 100 covers 95–105 ms: missed)."""
    return lambda f: f.value < bound


def at_least(bound: float) -> Callable[[Figure], bool]:
    return lambda f: f.value >= bound


def at_most_ratio(bound: float) -> Callable[[Figure], bool]:
    return lambda f: f.ratio is not None and f.ratio <= bound


def label(figure: Figure) -> str:
    """How a target names ``figure``: its name, with `` vs `` its reference when it has one
    (one value may stand beside several references, e.g. the engine beside two peers)."""
    if figure.reference_name is None:
        return figure.name
    return f"{figure.name} vs {figure.reference_name}"


def judged_by(target: Target, figures: list[Figure]) -> Figure | None:
    """The figure ``target`` is about: the first whose label, else whose name, it gives."""
    for figure in figures:
        if target.figure == label(figure):
            return figure
    for figure in figures:
        if target.figure == figure.name:
            return figure
    return None
