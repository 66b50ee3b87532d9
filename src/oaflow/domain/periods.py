"""The periods a review covers (MTR-1, MTR-4): a month ``2024-03``, a quarter ``2024-Q1``
or any range of days ``2024-01-15..2024-02-14``, in the business calendar's time zone, as
the instants [start, end) in UTC; and the months of a trend that ends with a period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from oaflow.domain.errors import InputError

_YEAR = r"(19[7-9]\d|20\d\d)"
_MONTH = re.compile(_YEAR + r"-(0[1-9]|1[0-2])")
_QUARTER = re.compile(_YEAR + r"-[Qq]([1-4])")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
#: the longest range of days a review may cover
MAX_DAYS = 3 * 366
#: how many months a trend shows, ending with the period's last month
TREND_MONTHS = 6


@dataclass(frozen=True)
class Period:
    """``label`` as given (normalised); ``first`` and ``last`` its days (inclusive);
    ``start`` and ``end`` the instants [start, end) in UTC; ``kind`` month, quarter or
    range."""

    label: str
    kind: str
    first: date
    last: date
    start: datetime
    end: datetime


def parse_period(text: str, tz: str) -> Period:
    """The period ``text`` names, in the time zone ``tz``; a clear error otherwise."""
    value = text.strip()
    if found := _MONTH.fullmatch(value):
        year, month = int(found[1]), int(found[2])
        return _period(
            f"{year}-{month:02d}", "month", date(year, month, 1), _months(year, month, 1), tz
        )
    if found := _QUARTER.fullmatch(value):
        year, quarter = int(found[1]), int(found[2])
        first = date(year, 3 * quarter - 2, 1)
        return _period(f"{year}-Q{quarter}", "quarter", first, _months(year, first.month, 3), tz)
    if found := _RANGE.fullmatch(value):
        try:
            first, last = date.fromisoformat(found[1]), date.fromisoformat(found[2])
        except ValueError:
            raise InputError("report.bad_period", period=text) from None
        if last < first or (last - first).days >= MAX_DAYS or not 1970 <= first.year <= 2099:
            raise InputError("report.bad_range", period=text, days=MAX_DAYS)
        return _period(value, "range", first, last, tz)
    raise InputError("report.bad_period", period=text)


def days_between(first: datetime, last: datetime, tz: str) -> str:
    """The range of days from ``first`` to ``last`` (local dates), as a period names it."""
    zone = ZoneInfo(tz)
    return f"{first.astimezone(zone).date()}..{last.astimezone(zone).date()}"


def month_period(year: int, month: int, tz: str) -> Period:
    """The month ``year-month``."""
    return parse_period(f"{year}-{month:02d}", tz)


def period_of(at: datetime, kind: str, tz: str) -> Period:
    """The month or quarter (``kind``) that holds the instant ``at``."""
    local = at.astimezone(ZoneInfo(tz))
    if kind == "quarter":
        return parse_period(f"{local.year}-Q{(local.month - 1) // 3 + 1}", tz)
    return month_period(local.year, local.month, tz)


def trend_months(period: Period, tz: str, count: int = TREND_MONTHS) -> list[Period]:
    """The ``count`` months that end with the month of the period's last day, oldest first."""
    year, month = period.last.year, period.last.month
    found = []
    for _ in range(count):
        found.append(month_period(year, month, tz))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def _months(year: int, month: int, count: int) -> date:
    """The last day of the ``count`` months that start with ``year-month``."""
    ahead = month - 1 + count
    return date(year + ahead // 12, ahead % 12 + 1, 1) - timedelta(days=1)


def _period(label: str, kind: str, first: date, last: date, tz: str) -> Period:
    zone = ZoneInfo(tz)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    after = last + timedelta(days=1)
    end = datetime(after.year, after.month, after.day, tzinfo=zone)
    return Period(label, kind, first, last, start.astimezone(UTC), end.astimezone(UTC))
