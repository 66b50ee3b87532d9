"""`oaflow calendar show|set|import` and provisional deadlines, as a real process (TIME-1)."""

from __future__ import annotations

import json
import shlex
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from doc_session import check, steps

if TYPE_CHECKING:  # the fixture's type (tests/acceptance has no package)
    from conftest import Cli

pytestmark = pytest.mark.acceptance

NOTICE_2027_ZH = "2027年的官方节假日安排尚未发布：按该年计算的截止时间为暂定"
NOTICE_2027_EN = (
    "the official 2027 schedule is not published yet: deadlines in 2027 are provisional"
)
COMPLAINT = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}


def test_show_a_confirmed_year(cli: Cli) -> None:
    out = cli("calendar", "show", "--as", "csd.head", "--year", "2026").out
    assert "2026年的官方节假日安排已确认" in out
    assert "时区: Asia/Shanghai" in out
    assert "工作时间: 09:00-12:00,13:30-18:00" in out
    assert "周末: 周六、周日" in out
    assert "│ 2026-10-01 │ 周四 │ 休息 │ 国庆节" in out
    assert "│ 2026-01-04 │ 周日 │ 上班 │ 调休上班（2026-01-02 休息）" in out
    assert "暂定" not in out
    view = cli.json("calendar", "show", "--as", "csd.head", "--year", "2026")
    assert view["confirmed"] is True and view["provisional"] is False and "notice" not in view


def test_show_defaults_to_the_current_year(cli: Cli) -> None:
    assert cli.json("calendar", "show", "--as", "csd.head")["year"] == 2024  # --now is in 2024


def test_an_unpublished_year_is_called_provisional(cli: Cli) -> None:
    assert NOTICE_2027_ZH in cli("calendar", "show", "--as", "csd.head", "--year", "2027").out
    assert (
        NOTICE_2027_EN
        in cli("calendar", "show", "--as", "csd.head", "--year", "2027", lang="en").out
    )
    view = cli.json("calendar", "show", "--as", "csd.head", "--year", "2027")
    assert view["provisional"] is True and view["confirmed"] is False
    assert view["notice"] == NOTICE_2027_ZH
    later = cli.json("calendar", "show", "--as", "csd.head", "--year", "2035")  # not seeded at all
    assert later["provisional"] is True and later["days"] == []


def test_set_days_hours_and_time_zone(cli: Cli) -> None:
    out = cli("calendar", "set", "--as", "admin", "2027-02-01", "--off", "--name", "公司年会").out
    assert "2027-02-01 已设为休息 (公司年会)" in out
    cli("calendar", "set", "--as", "admin", "2027-10-01", "--work")
    days = {
        d["date"]: d
        for d in cli.json("calendar", "show", "--as", "csd.head", "--year", "2027")["days"]
    }
    assert days["2027-02-01"] == {
        "date": "2027-02-01",
        "weekday": "mon",
        "kind": "off",
        "name": "公司年会",
        "source": "company",
    }
    assert days["2027-10-01"]["kind"] == "work" and days["2027-10-01"]["source"] == "company"
    assert (
        "已恢复: 休息 国庆节"
        in cli("calendar", "set", "--as", "admin", "2027-10-01", "--reset").out
    )
    cli("calendar", "set", "--as", "admin", "--hours", "08:30-12:00,13:00-17:30")
    cli("calendar", "set", "--as", "admin", "--timezone", "Asia/Urumqi")
    view = cli.json("calendar", "show", "--as", "csd.head", "--year", "2027")
    assert (view["hours"], view["timezone"]) == ("08:30-12:00,13:00-17:30", "Asia/Urumqi")
    cli("init")  # seeding again keeps what the company set
    days = {
        d["date"]: d
        for d in cli.json("calendar", "show", "--as", "csd.head", "--year", "2027")["days"]
    }
    assert days["2027-02-01"]["source"] == "company"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2027-02-30", "--off"], "“2027-02-30”不是日期"),
        (["--timezone", "Asia/Beijing"], "未知的时区 'Asia/Beijing'"),
        (["--hours", "09:00-12:00,11:30-18:00"], "与前一个时段重叠"),
        (["--hours", "nine to five"], "不是 HH:MM-HH:MM 格式"),
        (["--weekend", "caturday"], "不是星期几"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(cli: Cli, args: list[str], message: str) -> None:
    before = cli.dump()
    result = cli("calendar", "set", "--as", "admin", *args, expect=1)
    assert message in result.err and "提示:" in result.err
    assert cli.dump() == before


def test_only_administrators_change_the_calendar(cli: Cli, tmp_path: Path) -> None:
    before = cli.dump()
    err = cli("calendar", "set", "--as", "csd.head", "2027-02-01", "--off", expect=1).err
    assert "csd.head 没有管理权限" in err
    days = tmp_path / "days.csv"
    days.write_text("date,kind,name\n2027-02-01,off,公司年会\n", encoding="utf-8")
    assert "没有管理权限" in cli("calendar", "import", "--as", "gm", str(days), expect=1).err
    assert cli.dump() == before


def test_wrong_usage_exits_2(cli: Cli) -> None:
    assert "need a DAY" in cli("calendar", "set", "--as", "admin", "--off", expect=2).err
    assert (
        "exactly one of --off, --work, --reset"
        in cli("calendar", "set", "--as", "admin", "2027-02-01", "--off", "--work", expect=2).err
    )
    assert "give one change" in cli("calendar", "set", "--as", "admin", expect=2).err


def test_import_csv_reports_every_bad_row_then_imports_a_good_file(cli: Cli) -> None:
    bad = cli.db.parent / "bad.csv"
    bad.write_text(
        "date,kind,name\n2027-02-01,off,公司年会\nsoon,off,\n2027-02-20,rest,\n",
        encoding="utf-8-sig",
    )
    before = cli.dump()
    err = cli("calendar", "import", "--as", "admin", str(bad), expect=1).err
    assert "bad.csv:3: 'soon' 不是日期" in err
    assert "bad.csv:4: 类型 'rest' 既不是 off 也不是 work" in err
    assert "共 2 个问题" in err
    assert cli.dump() == before
    good = cli.db.parent / "good.csv"
    good.write_text(
        "date,kind,name\r\n2027-02-01,off,公司年会\r\n2027-02-20,work,补班\r\n",
        encoding="utf-8-sig",
    )
    assert "已导入 2 天" in cli("calendar", "import", "--as", "admin", str(good)).out
    days = {
        d["date"]: d
        for d in cli.json("calendar", "show", "--as", "csd.head", "--year", "2027")["days"]
    }
    assert days["2027-02-20"]["kind"] == "work" and days["2027-02-20"]["name"] == "补班"


def test_import_xlsx(cli: Cli) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["日期", "类型", "名称"])
    sheet.append([datetime(2027, 3, 1), "休息", "公司庆典"])
    sheet.append(["2027-03-06", "work", "补班"])
    file = cli.db.parent / "days.xlsx"
    book.save(file)
    assert "imported 2 days" in cli("calendar", "import", "--as", "admin", str(file), lang="en").out
    days = {
        d["date"]: d
        for d in cli.json("calendar", "show", "--as", "csd.head", "--year", "2027")["days"]
    }
    assert days["2027-03-01"]["name"] == "公司庆典" and days["2027-03-06"]["kind"] == "work"


def test_a_deadline_in_2027_is_provisional(cli: Cli) -> None:
    """Registered on 30 December 2026; production's 48 working hours end in January 2027."""
    late = "2026-12-30T09:00"
    cli(
        "start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(COMPLAINT), now=late
    )
    cli("task", "approve", "1", "--as", "csd.head", now=late)
    rows = cli.json("tasks", "--as", "prd.head", now=late)
    assert [(r["due_at"][:4], r["provisional"]) for r in rows] == [("2027", True)]
    assert "(暂定)" in cli("tasks", "--as", "prd.head", now=late).out
    assert "(provisional)" in cli("tasks", "--as", "prd.head", now=late, lang="en").out
    first = cli.json("tasks", "--as", "csd.head", now="2026-12-01T09:00")
    assert all(r["provisional"] is False for r in first)


def test_a_confirmed_year_is_no_longer_provisional(cli: Cli) -> None:
    cli("calendar", "set", "--as", "admin", "--confirm-year", "2027")
    out = cli("calendar", "show", "--as", "csd.head", "--year", "2027").out
    assert "2027年的官方节假日安排已确认" in out and NOTICE_2027_ZH not in out


def test_a_changed_calendar_moves_new_deadlines(cli: Cli) -> None:
    """A company day off on Friday 1 March 2024 moves the complaint's first deadline."""
    cli("calendar", "set", "--as", "admin", "2024-03-01", "--off", "--name", "公司年会")
    cli("start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(COMPLAINT))
    rows = cli.json("tasks", "--as", "csd.head")
    assert rows[0]["due_at"] == "2024-03-04 14:30"  # 4 working hours from Monday 09:00


def test_missing_file(cli: Cli, tmp_path: Path) -> None:
    err = cli("calendar", "import", "--as", "admin", str(tmp_path / "nope.csv"), expect=1).err
    assert "nope.csv 不存在" in err


def test_the_calendar_doc_example_runs_as_written(tmp_path: Path, oaflow_run) -> None:  # type: ignore[no-untyped-def]
    page = "docs/calendar.md"
    doc = (Path(__file__).resolve().parents[2] / page).read_text("utf-8")
    csv_block = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    (tmp_path / "days.csv").write_text(csv_block, encoding="utf-8")
    session = steps(doc, page)
    assert len(session) >= 8
    for step in session:
        result = oaflow_run(shlex.split(step.command)[1:], tmp_path, expect=None, columns=100)
        check(step, result, page)
