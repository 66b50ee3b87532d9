"""`oaflow exception causes` (the cause list, EXC-1) and `oaflow exception pareto` (the
monthly cause analysis, EXC-5), on the `exception` group of notice_cmds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    console,
    print_json,
    print_table,
    run_as,
    write_file,
    zh,
)
from oaflow.cli.notice_cmds import exception_group
from oaflow.cli.pareto_print import print_pareto
from oaflow.domain.security import Principal
from oaflow.services import exception_analysis, exception_causes
from oaflow.services.app import App


@exception_group.command("causes")
def causes(
    as_: AsOpt,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Replace the list with these names (administrators)."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """The cause categories (原因分类) an exception is explained with; --set 名称 … (once per
    name, in order) replaces them."""

    def body(app: App, who: Principal) -> None:
        if set_ is not None:
            found = exception_causes.set_causes(app, who, set_)
        else:
            found = exception_causes.cause_list(app, who)
        if json_:
            print_json(as_json(app, found))
            return
        title = zh("原因分类", "Cause categories")
        if not found.customised:
            title += zh("（默认）", " (default)")
        rows = [[n, c.name, c.label.en] for n, c in enumerate(found.causes, start=1)]
        print_table(title, ["#", zh("名称", "name"), zh("英文", "in English")], rows)

    run_as(as_, body)


@exception_group.command("pareto")
def pareto(
    as_: AsOpt,
    month: Annotated[str, typer.Option("--month", help="The month, e.g. 2024-03.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Group by process, node or department.")
    ] = None,
    process: Annotated[
        str | None, typer.Option("--process", help="Only this process (its key).")
    ] = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write an Excel file with the charts.")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """The causes of the exceptions found in a month (in the business calendar's time zone)
    ranked by count, with share and cumulative share (Pareto, 原因分析); ★ marks the vital few
    that make up 80 %."""

    def body(app: App, who: Principal) -> None:
        view = exception_analysis.pareto(app, who, month, by, process)
        if xlsx is not None:
            from oaflow.present.pareto_xlsx import pareto_workbook  # openpyxl: when used

            write_file(xlsx, pareto_workbook(view, zh("zh", "en")))
        if json_:
            print_json(as_json(app, view))
            return
        print_pareto(view)
        if xlsx is not None:
            console.print(zh(f"已写入 {xlsx}", f"written to {xlsx}"), markup=False)

    run_as(as_, body)
