"""`oaflow report rollup`: sum up the days that have ended into the metrics' daily roll-up
(docs/adr/0015) at once, instead of waiting for the worker to do it a day at a time — after
an upgrade over a long history, or with ``--again`` after history was written into the past
(an import). Only derived figures are written: no business data changes, so like `oaflow
tick` it is the operator's command without ``--as``. On the `report` group."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oaflow.cli.common import JsonOpt, console, print_json, run_command, zh
from oaflow.cli.report_cmds import group
from oaflow.services import metric_days
from oaflow.services.app import App


@group.command("rollup")
def rollup(
    again: Annotated[
        bool,
        typer.Option("--again", help="Forget the roll-up and start again from the first day."),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Roll up every day that has ended into the metrics' daily tallies (汇总), which the
    review and the forecasts read; the worker does the same a day at a time."""

    def body(app: App) -> None:
        now = app.now()
        if json_:
            done = metric_days.roll_up_all(app, now, again)
        else:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
            with Progress(
                *columns, TimeElapsedColumn(), console=console, transient=True,
                disable=not console.is_terminal,
            ) as progress:  # fmt: skip
                bar = progress.add_task(zh("按日汇总", "rolling up days"), total=None)

                def step(count: int, total: int) -> None:
                    progress.update(bar, completed=count, total=total)

                done = metric_days.roll_up_all(app, now, again, step)
        kept = metric_days.kept(app)
        if json_:
            print_json({"rolled_up": done, "first": kept[0], "last": kept[1]})
            return
        span = f"{kept[0]} .. {kept[1]}" if kept[0] else zh("无", "none")
        console.print(
            zh(f"已汇总 {done} 天；汇总中的日期：{span}", f"rolled up {done} days; kept: {span}"),
            markup=False,
        )

    run_command(body)
