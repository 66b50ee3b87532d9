"""The one source of time. Nothing else calls ``datetime.now()``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from oaflow.domain.errors import InputError


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: simulated time (TIME-8) and tests."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def advance(self, delta: timedelta) -> datetime:
        self._at += delta
        return self._at


def ensure_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise InputError("calendar.time_without_zone", time=value.isoformat())
    return value.astimezone(UTC)


def parse_instant(text: str, default_tz: str = "Asia/Shanghai") -> datetime:
    """Parse an ISO-8601 instant; a time without offset is read in ``default_tz``."""
    from zoneinfo import ZoneInfo

    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError("calendar.bad_time", text=text) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(default_tz))
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise InputError("calendar.bad_time", text=text) from exc
