"""The dates of weekly meetings and of their action items (MTG-1/2), on the Chinese
business calendar of 2024, with fixed instants."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.errors import InputError
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.meetings import (
    ItemEvent,
    ItemInput,
    check_items,
    due_events,
    item_schedule,
    next_check,
    next_meeting,
    parse_at,
    parse_weekday,
    prepare_at,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR: WorkingCalendar = china_calendar()
TEN = time(10)


def at(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("after", "held"),
    [
        ("2024-03-01T09:00", "2024-03-04T10:00"),  # Friday: the coming Monday
        ("2024-03-04T09:59", "2024-03-04T10:00"),  # the same morning
        ("2024-03-04T10:00", "2024-03-11T10:00"),  # at the meeting: the next week's
        ("2024-06-07T12:00", "2024-06-11T10:00"),  # Monday 6-10 is 端午节: Tuesday
        ("2024-02-08T12:00", "2024-02-18T10:00"),  # 春节 to 2-17; Sunday 2-18 is 调休 work
        ("2024-09-30T12:00", "2024-10-08T10:00"),  # 国庆: 10-07 off, Tuesday 10-08
        ("2024-10-08T10:00", "2024-10-14T10:00"),  # and the week after is a Monday again
    ],
)
def test_monday_ten_oclock_on_the_business_calendar(after: str, held: str) -> None:
    assert next_meeting(CALENDAR, 0, TEN, at(after)) == at(held)


def test_the_report_is_prepared_hours_before() -> None:
    assert prepare_at(at("2024-03-04T10:00"), 2) == at("2024-03-04T08:00")


@pytest.mark.parametrize(
    ("text", "day"), [("mon", 0), ("Monday", 0), ("4", 4), ("周五", 4), ("星期日", 6), ("周天", 6)]
)
def test_weekdays_are_read_in_both_languages(text: str, day: int) -> None:
    assert parse_weekday(text) == day


@pytest.mark.parametrize("text", ["funday", "7", "-1", "", "周八", "mond"])
def test_a_bad_weekday_is_refused(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_weekday(text)
    assert raised.value.code == "meeting.bad_weekday"


@pytest.mark.parametrize("text", ["25:00", "10", "10:60", "9:00", "10:00:00", "ten"])
def test_a_bad_time_is_refused(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_at(text)
    assert raised.value.code == "meeting.bad_time"
    assert parse_at(" 09:30 ") == time(9, 30)


def test_an_items_clock_reminds_at_75_percent_then_warns_and_escalates() -> None:
    # Tuesday 10:30 to Thursday 18:00: 6 + 7.5 + 7.5 = 21 working hours
    schedule = item_schedule(CALENDAR, at("2024-03-05T10:30"), at("2024-03-07T18:00"))
    assert schedule == (
        (ItemEvent.REMINDER, at("2024-03-07T11:15")),  # 15.75 working hours in
        (ItemEvent.OVERDUE, at("2024-03-07T18:00")),
        (ItemEvent.ESCALATION, at("2024-03-13T10:30")),  # 24 working hours after
    )
    assert next_check(schedule, []) == at("2024-03-07T11:15")
    assert due_events(schedule, [], at("2024-03-08T09:00")) == [
        ItemEvent.REMINDER,
        ItemEvent.OVERDUE,
    ]
    assert due_events(schedule, ["reminder"], at("2024-03-08T09:00")) == [ItemEvent.OVERDUE]
    assert next_check(schedule, ["reminder", "overdue", "escalation"]) is None


def test_an_item_due_outside_working_time_is_reminded_by_the_calendar() -> None:
    schedule = item_schedule(CALENDAR, at("2024-03-09T10:00"), at("2024-03-09T18:00"))
    assert schedule[0] == (ItemEvent.REMINDER, at("2024-03-09T16:00"))


NOW = at("2024-03-04T11:00")
LATER = at("2024-03-08T18:00")


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "action.no_items"),
        ([ItemInput(" ", "a", LATER)], "action.no_title"),
        ([ItemInput("x" * 201, "a", LATER)], "action.title_too_long"),
        ([ItemInput("t", "a", LATER), ItemInput("t", "", LATER)], "action.no_owner"),
        ([ItemInput("t", "a", None)], "action.no_due"),
        ([ItemInput("t", "a", NOW)], "action.due_past"),
        ([ItemInput("t", "a", at("2099-01-01T18:00"))], "action.due_too_far"),
        ([ItemInput("t", "a", LATER)] * 51, "action.too_many"),
    ],
)
def test_bad_items_are_refused_with_their_number(items: list[ItemInput], code: str) -> None:
    with pytest.raises(InputError) as raised:
        check_items(items, NOW)
    assert raised.value.code == code
    assert "{" not in raised.value.text("zh") and "{" not in raised.value.text("en")
