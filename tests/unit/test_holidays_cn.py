"""China seed data, cross-checked against the State Council's own notices.

Second source, typed here by hand from the notices (not from the library):

* 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12)
* 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04, published by Xinhua, e.g.
  https://politics.gmw.cn/2025-11/04/content_38391083.htm)

Each notice lists holiday spans ("X月X日至X日放假调休，共N天", weekends inside a span
included) and the weekend days that are working days ("X月X日（周日）上班").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from oaflow.domain.errors import InputError
from oaflow.domain.holidays_cn import (
    china_calendar,
    china_schedule,
    default_years,
    library_confirmed_years,
)

Span = tuple[date, date]
SHANGHAI = ZoneInfo("Asia/Shanghai")

OFFICIAL_DAYS_OFF: dict[int, list[Span]] = {
    2025: [
        (date(2025, 1, 1), date(2025, 1, 1)),  # 元旦：1月1日放假1天，不调休
        (date(2025, 1, 28), date(2025, 2, 4)),  # 春节：1月28日至2月4日，共8天
        (date(2025, 4, 4), date(2025, 4, 6)),  # 清明节：4月4日至6日，共3天
        (date(2025, 5, 1), date(2025, 5, 5)),  # 劳动节：5月1日至5日，共5天
        (date(2025, 5, 31), date(2025, 6, 2)),  # 端午节：5月31日至6月2日，共3天
        (date(2025, 10, 1), date(2025, 10, 8)),  # 国庆节、中秋节：10月1日至8日，共8天
    ],
    2026: [
        (date(2026, 1, 1), date(2026, 1, 3)),  # 元旦：1月1日至3日，共3天
        (date(2026, 2, 15), date(2026, 2, 23)),  # 春节：2月15日至23日，共9天
        (date(2026, 4, 4), date(2026, 4, 6)),  # 清明节：4月4日至6日，共3天
        (date(2026, 5, 1), date(2026, 5, 5)),  # 劳动节：5月1日至5日，共5天
        (date(2026, 6, 19), date(2026, 6, 21)),  # 端午节：6月19日至21日，共3天
        (date(2026, 9, 25), date(2026, 9, 27)),  # 中秋节：9月25日至27日，共3天
        (date(2026, 10, 1), date(2026, 10, 7)),  # 国庆节：10月1日至7日，共7天
    ],
}

OFFICIAL_WORKDAYS: dict[int, set[date]] = {
    2025: {
        date(2025, 1, 26),  # 春节：1月26日（周日）上班
        date(2025, 2, 8),  # 春节：2月8日（周六）上班
        date(2025, 4, 27),  # 劳动节：4月27日（周日）上班
        date(2025, 9, 28),  # 国庆节：9月28日（周日）上班
        date(2025, 10, 11),  # 国庆节：10月11日（周六）上班
    },
    2026: {
        date(2026, 1, 4),  # 元旦：1月4日（周日）上班
        date(2026, 2, 14),  # 春节：2月14日（周六）上班
        date(2026, 2, 28),  # 春节：2月28日（周六）上班
        date(2026, 5, 9),  # 劳动节：5月9日（周六）上班
        date(2026, 9, 20),  # 国庆节：9月20日（周日）上班
        date(2026, 10, 10),  # 国庆节：10月10日（周六）上班
    },
}


def datetime_sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def official_days_off(year: int) -> set[date]:
    days: set[date] = set()
    for first, last in OFFICIAL_DAYS_OFF[year]:
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


def official_is_working_day(day: date) -> bool:
    if day in OFFICIAL_WORKDAYS[day.year]:
        return True
    return day not in official_days_off(day.year) and day.weekday() < 5


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def test_official_data_is_self_consistent() -> None:
    # the spans' lengths as the notices state them ("共N天")
    lengths = {y: [(b - a).days + 1 for a, b in spans] for y, spans in OFFICIAL_DAYS_OFF.items()}
    assert lengths == {2025: [1, 8, 3, 5, 3, 8], 2026: [3, 9, 3, 5, 3, 3, 7]}
    # every 调休 working day falls on a weekend
    assert all(day.weekday() >= 5 for days in OFFICIAL_WORKDAYS.values() for day in days)


@pytest.mark.parametrize("year", [2025, 2026])
def test_seeded_workdays_equal_the_official_notice(year: int) -> None:
    assert china_schedule(year).extra_workdays == OFFICIAL_WORKDAYS[year]


@pytest.mark.parametrize("year", [2025, 2026])
def test_seeded_weekday_days_off_equal_the_official_notice(year: int) -> None:
    seeded = {day for day in china_schedule(year).days_off if day.weekday() < 5}
    official = {day for day in official_days_off(year) if day.weekday() < 5}
    assert seeded == official


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_of_the_year_agrees_with_the_official_notice(year: int) -> None:
    calendar = china_calendar(years=[year])
    wrong = [d for d in days_of(year) if calendar.is_working_day(d) != official_is_working_day(d)]
    assert wrong == []
    # 2025: 365 days - 104 weekend days - 18 weekday days off + 5 working weekend days
    # 2026: 365 days - 104 weekend days - 19 weekday days off + 6 working weekend days
    expected = {2025: 248, 2026: 248}[year]
    assert sum(calendar.is_working_day(d) for d in days_of(year)) == expected


def test_confirmed_years_are_those_with_an_official_notice_in_the_library() -> None:
    confirmed = library_confirmed_years()
    assert {2024, 2025, 2026} <= confirmed
    assert 2027 not in confirmed, (
        "the holidays library now carries a 2027 schedule: add the State Council's 2027 "
        "notice to OFFICIAL_DAYS_OFF / OFFICIAL_WORKDAYS above, then update this test"
    )


def test_2027_is_seeded_but_provisional() -> None:
    calendar = china_calendar()
    assert 2027 in default_years()
    assert {2025, 2026} <= calendar.confirmed_years
    assert 2027 not in calendar.confirmed_years
    # the statutory days are known, the 调休 working days are not
    assert not calendar.is_working_day(date(2027, 10, 1))
    assert not calendar.is_working_day(date(2027, 2, 8))  # Spring Festival, day 3
    assert china_schedule(2027).extra_workdays == frozenset()
    assert not china_schedule(2027).confirmed
    deadline = calendar.add_working_hours(datetime_sh(2026, 12, 31, 17), 2)
    assert calendar.is_provisional(datetime_sh(2026, 12, 31, 17), deadline)
    assert not calendar.is_provisional(datetime_sh(2026, 3, 2, 9), datetime_sh(2026, 3, 3, 9))


def test_a_year_outside_the_seed_is_provisional_not_silently_plain() -> None:
    calendar = china_calendar(years=[2025])
    assert calendar.confirmed_years == frozenset({2025})
    assert calendar.is_provisional(datetime_sh(2025, 12, 31, 9), datetime_sh(2026, 1, 2, 9))


def test_holiday_names_are_chinese() -> None:
    names = china_schedule(2025).days_off
    assert names[date(2025, 1, 1)] == "元旦"
    assert "调休" in names[date(2025, 10, 7)]
    assert china_schedule(2025).confirmed


def test_company_overrides_add_to_the_national_schedule() -> None:
    company_off = date(2025, 3, 12)  # a Wednesday: company outing
    works_on_holiday = date(2025, 10, 8)  # the company works on a public holiday
    calendar = china_calendar(
        years=[2025],
        days_off=[company_off],
        extra_workdays=[works_on_holiday],
        tz="Asia/Hong_Kong",
    )
    assert not calendar.is_working_day(company_off)
    assert calendar.is_working_day(works_on_holiday)
    assert not calendar.is_working_day(date(2025, 10, 7))  # the rest stays national
    assert calendar.is_working_day(date(2025, 9, 28))
    assert calendar.tz == "Asia/Hong_Kong"


def test_company_may_rest_on_a_national_working_weekend() -> None:
    calendar = china_calendar(years=[2025], days_off=[date(2025, 9, 28)])
    assert not calendar.is_working_day(date(2025, 9, 28))


def test_confirmed_years_can_be_overridden_once_a_schedule_is_entered_by_hand() -> None:
    calendar = china_calendar(years=[2026, 2027], confirmed_years=[2026, 2027])
    assert calendar.confirmed_years == frozenset({2026, 2027})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: china_calendar(years=[]), "no years"),
        (lambda: china_schedule(1900), "outside the supported range"),
        (
            lambda: china_calendar(
                years=[2025], days_off=[date(2025, 3, 3)], extra_workdays=[date(2025, 3, 3)]
            ),
            "both days off and working days",
        ),
    ],
)
def test_bad_seed_requests_are_rejected(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        call()
    assert caught.value.hint("en")
