"""Weekly meetings and their action items (MTG-1/2), the pure part: when the next meeting
is on the business calendar, when its report is prepared, and the clock of an action item
(TIME rules: a reminder when 75% of its time is used, a warning at its deadline, an
escalation 24 working hours later). No I/O, no clock: every instant is handed in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.errors import InputError

#: ``mon`` … ``sun`` (also 0 … 6 and 周一 … 周日 are understood)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CHINESE_DAYS = "一二三四五六日"
_AT = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
MAX_PREPARE_HOURS = 168.0  # a week: a report prepared earlier would be stale
DEFAULT_PREPARE_HOURS = 2.0
MINUTES_WITHIN = timedelta(hours=24)  # resolutions are due within 24 hours of the meeting
WARN_SHARE = 0.75  # a reminder when this share of an item's time is used
ESCALATE_AFTER_HOURS = 24.0  # working hours after the deadline
TITLE_LENGTH = 200
MAX_ITEMS = 50  # action items entered at once
MAX_AHEAD = timedelta(days=2 * 366)  # a deadline further ahead is a typing mistake
_SEARCH_DAYS = 400  # a meeting weekday always has a working day within this many days


class MeetingState(StrEnum):
    PREPARED = "prepared"  # 已准备: the report is out, no resolutions yet
    MINUTED = "minuted"  # 已录入决议: action items entered
    NO_RESOLUTIONS = "no_resolutions"  # 无决议: marked so by the department


class ItemState(StrEnum):
    OPEN = "open"  # 进行中
    DONE = "done"  # 已完成


class ItemEvent(StrEnum):
    """The checks on an action item's clock, in their order."""

    REMINDER = "reminder"  # 75% of the time used: to the owner
    OVERDUE = "overdue"  # the deadline: to the owner and the head of their department
    ESCALATION = "escalation"  # 24 working hours later: to the department's leader


def parse_weekday(text: str | int) -> int:
    """0 (Monday) … 6 (Sunday) from ``mon``…``sun``, ``monday``, ``0``…``6`` or ``周一``…"""
    value = str(text).strip().lower()
    if value.isdigit() and int(value) < 7:
        return int(value)
    if value[:3] in WEEKDAYS and (len(value) == 3 or _full_name(value)):
        return WEEKDAYS.index(value[:3])
    for prefix in ("周", "星期"):
        day = value.removeprefix(prefix)
        if value.startswith(prefix) and len(day) == 1 and day in _CHINESE_DAYS + "天":
            return _CHINESE_DAYS.index("日" if day == "天" else day)
    raise InputError("meeting.bad_weekday", weekday=str(text))


def _full_name(value: str) -> bool:
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return value in names


def parse_at(text: str) -> time:
    """``HH:MM`` (24-hour clock, local time)."""
    found = _AT.fullmatch(text.strip())
    if found is None:
        raise InputError("meeting.bad_time", at=text)
    return time(int(found.group(1)), int(found.group(2)))


def check_prepare_hours(hours: float) -> float:
    if not 0 <= hours <= MAX_PREPARE_HOURS:
        raise InputError("meeting.bad_prepare_hours", hours=hours, most=MAX_PREPARE_HOURS)
    return float(hours)


def meeting_day(calendar: WorkingCalendar, day: date) -> date:
    """The day a meeting planned on ``day`` takes place: that day if people work, else the
    next working day (a Monday that is a public holiday moves to Tuesday)."""
    for offset in range(_SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if calendar.is_working_day(candidate):
            return candidate
    raise InputError("meeting.no_working_day", day=day)


def next_meeting(calendar: WorkingCalendar, weekday: int, at: time, after: datetime) -> datetime:
    """The first meeting strictly after ``after`` (UTC) of a schedule "every ``weekday`` at
    ``at``" on the business calendar."""
    zone = ZoneInfo(calendar.tz)
    today = after.astimezone(zone).date()
    first = today + timedelta(days=(weekday - today.weekday()) % 7)
    for week in range(_SEARCH_DAYS // 7):
        planned = first + timedelta(weeks=week)
        held = datetime.combine(meeting_day(calendar, planned), at, zone).astimezone(UTC)
        if held > after:
            return held
    raise InputError("meeting.no_working_day", day=first)


def prepare_at(held_at: datetime, prepare_hours: float) -> datetime:
    """When the report of a meeting held at ``held_at`` is prepared (calendar hours before)."""
    return held_at - timedelta(hours=prepare_hours)


def minutes_check_at(held_at: datetime) -> datetime:
    """When a meeting without resolutions gets its reminder."""
    return held_at + MINUTES_WITHIN


@dataclass(frozen=True)
class ItemInput:
    """One resolution as entered: what, who, by when."""

    title: str
    owner: str
    due_at: datetime | None


def check_items(items: Sequence[ItemInput], now: datetime) -> None:
    """Refuse the whole list if one item lacks a title or an owner, or is due in the past
    (the item's number, from 1, is named)."""
    if not items:
        raise InputError("action.no_items")
    if len(items) > MAX_ITEMS:
        raise InputError("action.too_many", count=len(items), most=MAX_ITEMS)
    for number, item in enumerate(items, start=1):
        if not item.title.strip():
            raise InputError("action.no_title", number=number)
        if len(item.title.strip()) > TITLE_LENGTH:
            raise InputError("action.title_too_long", number=number, most=TITLE_LENGTH)
        if not item.owner.strip():
            raise InputError("action.no_owner", number=number, title=item.title.strip())
        if item.due_at is None:
            raise InputError("action.no_due", number=number, title=item.title.strip())
        if item.due_at <= now:
            raise InputError("action.due_past", number=number, due=item.due_at, now=now)
        if item.due_at > now + MAX_AHEAD:
            raise InputError("action.due_too_far", number=number, due=item.due_at)


def item_schedule(
    calendar: WorkingCalendar, created: datetime, due: datetime
) -> tuple[tuple[ItemEvent, datetime], ...]:
    """The instants of an action item's checks: the reminder when 75% of its working time
    is used (of its calendar time when none of it is working time), the deadline, and the
    escalation 24 working hours after it."""
    working = calendar.working_hours_between(created, due)
    if working > 0:
        reminder = calendar.add_working_hours(created, WARN_SHARE * working)
    else:
        reminder = created + (due - created) * WARN_SHARE
    return (
        (ItemEvent.REMINDER, min(reminder, due)),
        (ItemEvent.OVERDUE, due),
        (ItemEvent.ESCALATION, calendar.add_working_hours(due, ESCALATE_AFTER_HOURS)),
    )


def due_events(
    schedule: Iterable[tuple[ItemEvent, datetime]], fired: Iterable[str], now: datetime
) -> list[ItemEvent]:
    """The checks due at ``now`` that were not handled yet, in order (after downtime several
    may be due: each is handled once, none early)."""
    done = set(fired)
    return [event for event, at in schedule if at <= now and event.value not in done]


def next_check(
    schedule: Iterable[tuple[ItemEvent, datetime]], fired: Iterable[str]
) -> datetime | None:
    """The instant of the first check not yet handled (None: all handled)."""
    done = set(fired)
    return min((at for event, at in schedule if event.value not in done), default=None)
