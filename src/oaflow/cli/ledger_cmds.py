"""`oaflow ledger list|show|export`: the department ledgers (台账, ARC-2) the processes
keep — e.g. the approved budget per department and fiscal year — by department and period
with totals, as JSON, a table, or an Excel/CSV file. A department head sees their
department's rows; leaders, the initiating department (finance) and administrators all."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oaflow.cli.common import (
    OPTIONS,
    AsOpt,
    JsonOpt,
    as_json,
    console,
    local,
    print_json,
    print_rows,
    print_table,
    run_as,
    say,
    write_file,
    zh,
)
from oaflow.domain.errors import InputError
from oaflow.domain.security import Principal
from oaflow.present.ledger_sheet import FORMATS, headers, ledger_file, rows
from oaflow.services import ledgers
from oaflow.services.app import App

group = typer.Typer(help="Department ledgers (台账): list, show, export.", no_args_is_help=True)
NameArg = Annotated[str, typer.Argument(help="The ledger's name, e.g. dept_budget.")]
PeriodOpt = Annotated[str | None, typer.Option("--period", help="Only this period, e.g. 2025.")]
DeptOpt = Annotated[str | None, typer.Option("--department", help="Only this department (code).")]


@group.command("list")
def list_(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The ledgers you see rows of, with their totals."""

    def body(app: App, who: Principal) -> None:
        found = ledgers.ledgers(app, who)
        print_rows(
            json_,
            as_json(app, found),
            zh("台账", "Ledgers"),
            [
                zh("台账", "ledger"),
                zh("名称", "title"),
                zh("流程", "process"),
                zh("行数", "rows"),
                zh("合计", "total"),
                zh("更新", "updated"),
            ],
            [
                [
                    s.ledger,
                    say(s.title),
                    s.process,
                    s.rows,
                    f"{s.total:,.2f}",
                    local(app, s.updated_at),
                ]
                for s in found
            ],
            whole=1,
        )

    run_as(as_, body)


@group.command("show")
def show(
    name: NameArg,
    as_: AsOpt,
    json_: JsonOpt = False,
    period: PeriodOpt = None,
    department: DeptOpt = None,
) -> None:
    """A ledger's rows by period and department, each period with its total."""

    def body(app: App, who: Principal) -> None:
        view = ledgers.ledger(app, who, name, period, department)
        if json_:
            print_json(as_json(app, view))
            return
        table = rows(view, OPTIONS.lang, app.calendar.tz)
        cells = [[f"{c:,.2f}" if isinstance(c, float) else c for c in row] for row in table]
        print_table(say(view.title), headers(view, OPTIONS.lang), cells, whole=2)

    run_as(as_, body)


@group.command("export")
def export(
    name: NameArg,
    as_: AsOpt,
    to: Annotated[Path, typer.Option("--to", help="The file to write: .xlsx or .csv.")],
    period: PeriodOpt = None,
    department: DeptOpt = None,
) -> None:
    """Write a ledger as an Excel workbook or a CSV file (UTF-8 with BOM), safe to open."""

    def body(app: App, who: Principal) -> None:
        fmt = to.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise InputError("ledger.bad_format", file=str(to), formats=", ".join(FORMATS))
        view = ledgers.ledger(app, who, name, period, department)
        write_file(to, ledger_file(view, OPTIONS.lang, app.calendar.tz, fmt))
        console.print(
            zh(f"已导出 {len(view.rows)} 行到 {to}", f"exported {len(view.rows)} rows to {to}"),
            markup=False,
        )

    run_as(as_, body)
