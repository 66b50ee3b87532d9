"""`oaflow calendar show|set|import`: the business calendar (TIME-1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from oaflow.cli.common import AsOpt, console, print_json, print_table, run_as, zh
from oaflow.domain.calendar_text import WEEKDAYS, periods_text, weekend_text
from oaflow.domain.errors import InputError
from oaflow.domain.security import Principal
from oaflow.services import calendar
from oaflow.services.app import App

group = typer.Typer(
    help="The business calendar: working hours, holidays, 调休 and company days.",
    no_args_is_help=True,
)

WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def provisional_notice(year: int) -> str:
    return zh(
        f"{year}年的官方节假日安排尚未发布：按该年计算的截止时间为暂定",
        f"the official {year} schedule is not published yet: deadlines in {year} are provisional",
    )


@group.command()
def show(
    as_: AsOpt,
    year: Annotated[
        int | None, typer.Option("--year", help="The year (default: this year).")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Days off and 调休 working days of a year, working hours and time zone."""

    def body(app: App, who: Principal) -> None:
        view = _year_view(calendar.show(app, who, year))
        if json_:
            print_json(view)
            return
        _print_year(view)

    run_as(as_, body)


def _year_view(found: calendar.CalendarYear) -> dict[str, Any]:
    """The year as `calendar show --json` prints it."""
    view: dict[str, Any] = {
        "year": found.year,
        "confirmed": found.confirmed,
        "provisional": not found.confirmed,
        "timezone": found.timezone,
        "hours": periods_text(found.periods),
        "weekend": weekend_text(found.weekend),
        "days": [
            {
                "date": d.day.isoformat(),
                "weekday": WEEKDAYS[d.day.weekday()],
                "kind": d.kind,
                "name": d.name,
                "source": d.source,
            }
            for d in found.days
        ],
    }
    if not found.confirmed:
        view["notice"] = provisional_notice(found.year)
    return view


def _print_year(view: dict[str, Any]) -> None:
    year = view["year"]
    console.print(zh(f"{year}年工作日历", f"Business calendar {year}"), markup=False)
    console.print(zh("时区", "time zone") + f": {view['timezone']}", markup=False)
    console.print(zh("工作时间", "working hours") + f": {view['hours']}", markup=False)
    console.print(zh("周末", "weekend") + f": {_weekend(view['weekend'])}", markup=False)
    if view["provisional"]:
        console.print(view["notice"], markup=False)
    else:
        console.print(
            zh(f"{year}年的官方节假日安排已确认", f"the official {year} schedule is confirmed"),
            markup=False,
        )
    print_table(
        zh("休息日与调休上班日", "Days off and working days"),
        [
            zh("日期", "date"),
            zh("星期", "day"),
            zh("类型", "kind"),
            zh("名称", "name"),
            zh("来源", "source"),
        ],
        [
            [d["date"], _weekday(d["date"]), _kind(d["kind"]), d["name"], _source(d["source"])]
            for d in view["days"]
        ],
    )


@group.command("set")
def set_(
    as_: AsOpt,
    day: Annotated[str | None, typer.Argument(help="A date, YYYY-MM-DD.")] = None,
    off: Annotated[bool, typer.Option("--off", help="Make DAY a company day off.")] = False,
    work: Annotated[bool, typer.Option("--work", help="Make DAY a working day.")] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="Drop the company setting of DAY.")
    ] = False,
    name: Annotated[str, typer.Option("--name", help="What the day is, e.g. 公司年会.")] = "",
    hours: Annotated[
        str | None, typer.Option("--hours", help="Working periods, e.g. 09:00-12:00,13:30-18:00.")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="IANA time zone, e.g. Asia/Shanghai.")
    ] = None,
    weekend: Annotated[
        str | None, typer.Option("--weekend", help="Weekly days off, e.g. sat,sun.")
    ] = None,
    confirm_year: Annotated[
        int | None,
        typer.Option("--confirm-year", help="Mark a year's official schedule as entered."),
    ] = None,
) -> None:
    """Change the calendar: one day (--off/--work/--reset), or --hours, --timezone,
    --weekend or --confirm-year. One change per command."""
    settings = [v for v in (hours, timezone, weekend, confirm_year) if v is not None]
    day_actions = sum((off, work, reset))
    if day is None and (day_actions or name):
        raise typer.BadParameter("--off, --work, --reset and --name need a DAY")
    if len(settings) + (day is not None) != 1:
        raise typer.BadParameter(
            "give one change: DAY with --off/--work/--reset, or one of --hours, --timezone, "
            "--weekend, --confirm-year"
        )
    if day is not None and day_actions != 1:
        raise typer.BadParameter("give DAY with exactly one of --off, --work, --reset")

    def body(app: App, who: Principal) -> None:
        if day is not None:
            _set_day(app, who, _parse_day(day), "off" if off else "work" if work else None, name)
        elif hours is not None:
            text = periods_text(calendar.set_hours(app, who, hours))
            console.print(zh("工作时间已设为", "working hours set to") + f" {text}", markup=False)
        elif timezone is not None:
            zone = calendar.set_timezone(app, who, timezone)
            console.print(zh("时区已设为", "time zone set to") + f" {zone}", markup=False)
        elif weekend is not None:
            days = weekend_text(calendar.set_weekend(app, who, weekend))
            console.print(zh("周末已设为", "weekend set to") + f" {_weekend(days)}", markup=False)
        elif confirm_year is not None:
            calendar.confirm_year(app, who, confirm_year)
            console.print(
                zh(
                    f"{confirm_year}年的官方安排已确认", f"the {confirm_year} schedule is confirmed"
                ),
                markup=False,
            )

    run_as(as_, body)


def _set_day(app: App, who: Principal, day: date, kind: str | None, name: str) -> None:
    if kind is None:
        row = calendar.reset_day(app, who, day)
        now = f"{_kind(row.kind)} {row.name}".strip() if row else zh("按常规", "a plain day")
        console.print(zh(f"{day} 已恢复: {now}", f"{day} reset: {now}"), markup=False)
        return
    row = calendar.set_day(app, who, day, kind, name)
    label = f"{_kind(row.kind)}" + (f" ({row.name})" if row.name else "")
    console.print(zh(f"{day} 已设为{label}", f"{day} is now a {label}"), markup=False)


@group.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file: date,kind,name.")],
    as_: AsOpt,
) -> None:
    """Add company days from a file (administrators; nothing changes if any row is bad)."""

    def body(app: App, who: Principal) -> None:
        rows = calendar.import_days(app, who, file)
        console.print(zh(f"已导入 {len(rows)} 天", f"imported {len(rows)} days"), markup=False)

    run_as(as_, body)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("calendar.date_malformed", text=text) from None


def _weekday(iso: str) -> str:
    index = date.fromisoformat(iso).weekday()
    return zh(WEEKDAY_ZH[index], WEEKDAY_EN[index])


def _weekend(text: str) -> str:
    if not text:
        return zh("无", "none")
    indexes = [WEEKDAYS.index(name) for name in text.split(",")]
    return zh("、".join(WEEKDAY_ZH[i] for i in indexes), ", ".join(WEEKDAY_EN[i] for i in indexes))


def _kind(kind: str) -> str:
    return zh("休息", "day off") if kind == "off" else zh("上班", "working day")


def _source(source: str) -> str:
    return zh("官方", "official") if source == "official" else zh("公司", "company")
