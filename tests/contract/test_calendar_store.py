"""The business calendar in the database (TIME-1), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import delete

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.calendar_text import WEEKDAYS, periods_text, weekend_text
from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import InputError, ValidationError
from oaflow.domain.holidays_cn import china_calendar, library_confirmed_years
from oaflow.domain.security import SYSTEM
from oaflow.services import calendar, setup
from oaflow.services.app import App
from oaflow.storage import calendar_repo
from oaflow.storage.database import Database
from oaflow.storage.migrate import upgrade
from oaflow.storage.tables import calendar_days

T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)


def stored_app(db_url: str, at: datetime = T0) -> App:
    """An App that reads its calendar from the database (none given)."""
    return App(db=Database(db_url), clock=FixedClock(at))


@pytest.fixture
def seeded(db_url: str) -> Iterator[App]:
    app = stored_app(db_url)
    setup.init(app)
    yield app
    app.db.dispose()


def fresh_calendar(app: App) -> WorkingCalendar:
    other = stored_app(app.db.url)
    try:
        return other.calendar
    finally:
        other.db.dispose()


def all_rows(app: App) -> list[calendar_repo.CalendarDay]:
    with app.db.read() as conn:
        return calendar_repo.days(conn)


def test_the_seeded_calendar_equals_the_library_calendar(seeded: App) -> None:
    loaded = fresh_calendar(seeded)
    assert loaded == china_calendar()
    assert loaded.confirmed_years == library_confirmed_years()
    assert 2027 not in loaded.confirmed_years


def test_seeding_covers_the_current_and_next_year(db_url: str) -> None:
    app = stored_app(db_url, datetime(2030, 6, 1, tzinfo=UTC))
    try:
        setup.init(app)
        days = {r.day for r in all_rows(app)}
        assert date(2031, 10, 1) in days and date(2030, 10, 1) in days
        assert {2030, 2031}.isdisjoint(fresh_calendar(app).confirmed_years)
    finally:
        app.db.dispose()


def test_the_2026_schedule_is_stored_with_names_and_sources(seeded: App) -> None:
    view = calendar.show(seeded, SYSTEM, 2026)
    assert view.confirmed is True
    days = {d.day.isoformat(): d for d in view.days}
    assert days["2026-10-01"].kind == "off" and days["2026-10-01"].name == "国庆节"
    assert days["2026-01-04"].kind == "work"  # Sunday, 调休上班 for 1月2日
    assert "2026-01-02" in days["2026-01-04"].name
    assert {d.source for d in view.days} == {"official"}
    assert view.timezone == "Asia/Shanghai"
    assert periods_text(view.periods) == "09:00-12:00,13:30-18:00"
    assert weekend_text(view.weekend) == "sat,sun"


def test_2027_is_provisional(seeded: App) -> None:
    view = calendar.show(seeded, SYSTEM, 2027)
    assert view.confirmed is False  # provisional
    assert any(d.name == "国庆节" for d in view.days)  # the library's estimate
    loaded = fresh_calendar(seeded)
    start = datetime(2026, 12, 30, 1, tzinfo=UTC)
    assert loaded.is_provisional(start, loaded.add_working_hours(start, 48))
    assert not loaded.is_provisional(start, loaded.add_working_hours(start, 8))


def test_company_days_win_and_survive_reseeding(seeded: App) -> None:
    calendar.set_day(seeded, SYSTEM, date(2026, 10, 8), "off", "公司团建")  # a plain Thursday
    calendar.set_day(seeded, SYSTEM, date(2026, 10, 1), "work", "值班")  # 国庆节
    setup.init(seeded)  # seeds again
    loaded = fresh_calendar(seeded)
    assert not loaded.is_working_day(date(2026, 10, 8))
    assert loaded.is_working_day(date(2026, 10, 1))
    rows = {r.day: r for r in all_rows(seeded)}
    assert rows[date(2026, 10, 1)] == calendar_repo.CalendarDay(
        date(2026, 10, 1), "work", "值班", "company"
    )
    assert loaded == china_calendar(
        days_off=[date(2026, 10, 8)], extra_workdays=[date(2026, 10, 1)]
    )


def test_reset_brings_back_the_official_day(seeded: App) -> None:
    calendar.set_day(seeded, SYSTEM, date(2026, 10, 1), "work", "值班")
    restored = calendar.reset_day(seeded, SYSTEM, date(2026, 10, 1))
    assert restored is not None and restored.source == "official" and restored.kind == "off"
    calendar.set_day(seeded, SYSTEM, date(2026, 3, 3), "off")
    assert calendar.reset_day(seeded, SYSTEM, date(2026, 3, 3)) is None
    assert fresh_calendar(seeded) == china_calendar()


def test_the_app_sees_changes_it_makes(seeded: App) -> None:
    assert seeded.calendar.is_working_day(date(2026, 3, 3))
    calendar.set_day(seeded, SYSTEM, date(2026, 3, 3), "off", "公司年会")
    assert not seeded.calendar.is_working_day(date(2026, 3, 3))


def test_hours_timezone_and_weekend(seeded: App) -> None:
    assert calendar.set_hours(seeded, SYSTEM, " 08:30-12:00, 13:00-17:30 ") == (
        (time(8, 30), time(12)),
        (time(13), time(17, 30)),
    )
    calendar.set_timezone(seeded, SYSTEM, "Asia/Urumqi")
    calendar.set_weekend(seeded, SYSTEM, "sun")
    loaded = fresh_calendar(seeded)
    assert loaded.tz == "Asia/Urumqi"
    assert loaded.day_length.total_seconds() == 8 * 3600
    assert loaded.weekend == frozenset({6})
    setup.init(seeded)  # seeding keeps the settings
    assert fresh_calendar(seeded) == loaded


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda app: calendar.set_hours(app, SYSTEM, "09:00-12:00,11:00-18:00"), "overlaps"),
        (lambda app: calendar.set_hours(app, SYSTEM, "9-12"), "is not HH:MM-HH:MM"),
        (lambda app: calendar.set_hours(app, SYSTEM, "09:00-25:00"), "is not HH:MM-HH:MM"),
        (lambda app: calendar.set_timezone(app, SYSTEM, "Asia/Beijing"), "unknown time zone"),
        (lambda app: calendar.set_weekend(app, SYSTEM, "sat,holiday"), "not a day of the week"),
        (lambda app: calendar.set_weekend(app, SYSTEM, ",".join(WEEKDAYS)), "every day"),
        (lambda app: calendar.set_day(app, SYSTEM, date(2026, 3, 3), "holiday"), "unknown kind"),
        (lambda app: calendar.confirm_year(app, SYSTEM, 1900), "outside"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(seeded: App, change, message) -> None:  # type: ignore[no-untyped-def]
    before = all_rows(seeded), fresh_calendar(seeded)
    with pytest.raises(InputError, match=message):
        change(seeded)
    assert (all_rows(seeded), fresh_calendar(seeded)) == before


def test_import_csv_stores_company_days(seeded: App, tmp_path: Path) -> None:
    file = tmp_path / "days.csv"
    file.write_text(
        "date,kind,name\r\n2027-02-01,off,公司年会\r\n2027/2/20,work,补班\r\n",
        encoding="utf-8-sig",
    )
    rows = calendar.import_days(seeded, SYSTEM, file)
    assert [(r.day, r.kind, r.source) for r in rows] == [
        (date(2027, 2, 1), "off", "company"),
        (date(2027, 2, 20), "work", "company"),
    ]
    loaded = fresh_calendar(seeded)
    assert not loaded.is_working_day(date(2027, 2, 1))
    assert loaded.is_working_day(date(2027, 2, 20))  # a Saturday


def test_import_reports_every_bad_row_and_changes_nothing(seeded: App, tmp_path: Path) -> None:
    file = tmp_path / "days.csv"
    file.write_text(
        "date,kind,name\n"
        "2027-02-01,off,公司年会\n"  # line 2: good
        "2027-02-30,off,没有这天\n"  # line 3: no such date
        "2027-03-01,holiday,\n"  # line 4: unknown kind
        "2027-02-01,work,重复\n",  # line 5: the date again
        encoding="utf-8",
    )
    before = all_rows(seeded)
    with pytest.raises(ValidationError) as caught:
        calendar.import_days(seeded, SYSTEM, file)
    assert [(p.line, p.file) for p in caught.value.problems] == [
        (3, "days.csv"),
        (4, "days.csv"),
        (5, "days.csv"),
    ]
    assert "'2027-02-30' is not a date" in caught.value.problems[0].message
    assert "holiday" in caught.value.problems[1].message
    assert "line 2" in caught.value.problems[2].message
    assert all_rows(seeded) == before


def test_import_gbk_csv_with_chinese_headers(seeded: App, tmp_path: Path) -> None:
    file = tmp_path / "days.csv"
    file.write_bytes("日期,类型,名称\n2027-02-02,休息,年会\n".encode("gbk"))
    assert calendar.import_days(seeded, SYSTEM, file)[0].name == "年会"


def test_import_xlsx(seeded: App, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "kind", "name"])
    sheet.append([datetime(2027, 2, 1), "off", "公司年会"])
    sheet.append(["2027-02-20", "work", None])
    sheet.append(["tomorrow", "off", None])
    file = tmp_path / "days.xlsx"
    book.save(file)
    with pytest.raises(ValidationError) as caught:
        calendar.import_days(seeded, SYSTEM, file)
    assert [p.line for p in caught.value.problems] == [4]
    sheet.delete_rows(4)
    book.save(file)
    assert len(calendar.import_days(seeded, SYSTEM, file)) == 2
    assert not fresh_calendar(seeded).is_working_day(date(2027, 2, 1))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("days.txt", b"date,kind\n", "cannot tell the format"),
        ("days.csv", b"day,type\n2027-01-01,off\n", "the header has no column date, kind"),
        ("days.csv", b"date,kind,name\n", "has no days"),
        ("days.xlsx", b"not a zip", "is not an Excel workbook"),
    ],
)
def test_unusable_files(
    seeded: App, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    file = tmp_path / name
    file.write_bytes(content)
    with pytest.raises(InputError, match=message):
        calendar.import_days(seeded, SYSTEM, file)


def test_confirming_a_year_by_hand_survives_reseeding(seeded: App) -> None:
    calendar.set_day(seeded, SYSTEM, date(2027, 2, 20), "work", "调休上班")
    calendar.confirm_year(seeded, SYSTEM, 2027)
    assert calendar.show(seeded, SYSTEM, 2027).confirmed
    with seeded.db.write() as conn:  # an official row of 2027 the administrator deleted
        conn.execute(delete(calendar_days).where(calendar_days.c.day == date(2027, 10, 1)))
    setup.init(seeded)
    assert calendar.show(seeded, SYSTEM, 2027).confirmed is True
    assert date(2027, 10, 1) not in {r.day for r in all_rows(seeded)}  # 2027 left alone


def test_a_database_without_calendar_rows_falls_back_to_the_library(db_url: str) -> None:
    app = stored_app(db_url)
    try:
        upgrade(app.db)  # schema only, never seeded (a database from before TIME-1)
        assert app.calendar == china_calendar()
    finally:
        app.db.dispose()


def test_an_empty_database_falls_back_to_the_library(db_url: str) -> None:
    app = stored_app(db_url)
    try:
        assert app.calendar == china_calendar()
    finally:
        app.db.dispose()


def test_a_calendar_given_to_the_app_is_kept(seeded: App) -> None:
    given = china_calendar(years=[2024])
    app = App(db=Database(seeded.db.url), clock=FixedClock(T0), calendar=given)
    try:
        calendar.set_day(app, SYSTEM, date(2024, 3, 5), "off")
        assert app.calendar is given
        assert not fresh_calendar(app).is_working_day(date(2024, 3, 5))
    finally:
        app.db.dispose()


def test_a_change_made_through_another_process_is_used_after_the_recheck(seeded: App) -> None:
    """Two API nodes (or a node and a worker) on one database: the second loads the calendar
    again once it sees the revision the first one's change wrote."""
    other = stored_app(seeded.db.url)
    try:
        day = date(2024, 3, 4)  # a Monday
        assert other.calendar.is_working_day(day)
        other.calendar_recheck = 3600.0  # not yet time to look: the calendar it has
        calendar.set_day(seeded, SYSTEM, day, "off", "公司活动")
        assert other.calendar.is_working_day(day)
        other.calendar_recheck = 0.0  # time to look: the new revision, the new calendar
        assert not other.calendar.is_working_day(day)
        before = other.calendar
        assert other.calendar is before  # the same revision: not loaded again
    finally:
        other.db.dispose()


def test_looking_at_the_revision_never_waits_for_the_pool(seeded: App) -> None:
    """Under load every pooled connection may be held by a request that waits for the one
    asking (SQLite's write lock): the look must not need one more from the pool."""
    other = stored_app(seeded.db.url)
    pool = other.db.engine.pool
    try:
        assert other.calendar is not None
        other.calendar_recheck = 0.0
        held = [other.db.engine.connect() for _ in range(pool.size() + pool._max_overflow)]  # type: ignore[attr-defined]
        try:
            pool._timeout = 0.5  # type: ignore[attr-defined]  # waiting would fail fast
            calendar.set_day(seeded, SYSTEM, date(2024, 3, 5), "off", "停电")
            assert not other.calendar.is_working_day(date(2024, 3, 5))
            assert other.cached_definition is not None
        finally:
            for conn in held:
                conn.close()
    finally:
        other.db.dispose()
