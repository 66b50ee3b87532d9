"""The calendar's settings as people write them: working periods (``09:00-12:00,13:30-18:00``),
weekly days off (``sat,sun``) and lists of years. Pure."""

from __future__ import annotations

import re
from datetime import time

from oaflow.domain.calendar import Period, WorkingCalendar
from oaflow.domain.errors import InputError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{f"周{c}": i for i, c in enumerate("一二三四五六日")},
    **{f"星期{c}": i for i, c in enumerate("一二三四五六日")},
    "周天": 6,
    "星期天": 6,
}
_PERIOD = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


def parse_periods(text: str) -> tuple[Period, ...]:
    """``09:00-12:00,13:30-18:00`` -> ((09:00, 12:00), (13:30, 18:00)), checked."""
    periods = tuple(_period(part) for part in text.split(","))
    return WorkingCalendar(periods=periods).periods


def _period(text: str) -> Period:
    found = _PERIOD.fullmatch(text)
    try:
        if found is None:
            raise ValueError(text)
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        return time(h1, m1), time(h2, m2)
    except ValueError:
        raise InputError("calendar.period_malformed", period=text.strip()) from None


def periods_text(periods: tuple[Period, ...]) -> str:
    return ",".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in periods)


def parse_weekend(text: str) -> frozenset[int]:
    """``sat,sun`` (or ``saturday,sunday``, ``周六,周日``) -> {5, 6}; an empty text means no
    weekly day off."""
    names = [part.strip().lower() for part in re.split(r"[,，、]", text) if part.strip()]
    unknown = [name for name in names if name not in _DAY_NAMES]
    if unknown:
        raise InputError("calendar.weekday_unknown", days=unknown)
    weekend = frozenset(_DAY_NAMES[name] for name in names)
    if len(weekend) == len(WEEKDAYS):
        raise InputError("calendar.weekend_everything")
    return weekend


def weekend_text(weekend: frozenset[int]) -> str:
    return ",".join(WEEKDAYS[day] for day in sorted(weekend))


def parse_years(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part.strip())


def years_text(years: frozenset[int]) -> str:
    return ",".join(str(year) for year in sorted(years))
