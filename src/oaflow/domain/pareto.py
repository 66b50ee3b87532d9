"""Ranking causes for a Pareto analysis (EXC-5): the causes by count, most first, each with
its share of the whole and the cumulative share up to it (the Pareto line); the "vital few"
are the causes needed to reach 80 % of the records. Pure: counts in, ranking out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from oaflow.domain.errors import InputError

#: the cumulative share the vital few reach, as a fraction (80 %)
VITAL_NUMERATOR, VITAL_DENOMINATOR = 4, 5
#: a month of the years the working calendar knows (1970-2099)
_MONTH = re.compile(r"(19[7-9]\d|20\d\d)-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Ranked:
    """A cause (None: not yet explained) at its place in the ranking."""

    cause: str | None
    count: int
    share: float  # count / total
    cumulative: float  # (counts up to and including this one) / total
    vital: bool  # among the causes needed to reach 80 %


def ranked(
    counts: Iterable[tuple[str | None, int]], order: Sequence[str] = ()
) -> tuple[Ranked, ...]:
    """``counts`` (a cause may come several times: its counts add up) ranked by count, most
    first; ties in the order of ``order`` (the cause list), then other names by name, then
    the records not yet explained. Shares are exact divisions of whole counts."""
    totals: dict[str | None, int] = {}
    for cause, count in counts:
        totals[cause] = totals.get(cause, 0) + count
    place = {name: i for i, name in enumerate(order)}
    causes = sorted(totals, key=lambda c: (-totals[c], *_tie(c, place)))
    total = sum(totals.values())
    result, before = [], 0
    for cause in causes:
        vital = before * VITAL_DENOMINATOR < total * VITAL_NUMERATOR
        before += totals[cause]
        result.append(Ranked(cause, totals[cause], totals[cause] / total, before / total, vital))
    return tuple(result)


def _tie(cause: str | None, place: dict[str, int]) -> tuple[int, int, str]:
    if cause is None:
        return (2, 0, "")
    if cause in place:
        return (0, place[cause], "")
    return (1, 0, cause)


def month_window(month: str, tz: str) -> tuple[datetime, datetime]:
    """The instants [start, end) in UTC of ``month`` (``YYYY-MM``) in the time zone ``tz``."""
    found = _MONTH.fullmatch(month.strip())
    if found is None:
        raise InputError("analysis.bad_month", month=month)
    year, number = int(found[1]), int(found[2])
    zone = ZoneInfo(tz)
    start = datetime(year, number, 1, tzinfo=zone)
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), after.astimezone(UTC)


def month_of(at: datetime, tz: str) -> str:
    """The month (``YYYY-MM``) of the instant ``at`` in the time zone ``tz``."""
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m")
