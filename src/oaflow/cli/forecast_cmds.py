"""`oaflow report forecast`: the completion forecast of the running instances (issue 15
item 4) — when each is expected to finish (median and 90 %) by the history of its remaining
steps, its deadline and whether it is on track, at risk or late. On the `report` group."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from oaflow.cli.common import AsOpt, JsonOpt, as_json, local, print_rows, run_as, say, zh
from oaflow.cli.common import lang as language
from oaflow.cli.report_cmds import group
from oaflow.domain.security import Principal
from oaflow.present.forecast_words import NO_DEADLINE, state_label
from oaflow.services import forecast
from oaflow.services.app import App


@group.command("forecast")
def forecast_command(
    as_: AsOpt,
    process: Annotated[
        str | None, typer.Option("--process", help="Only this process (its key).")
    ] = None,
    at_risk: Annotated[
        bool, typer.Option("--at-risk", help="Only the instances at risk or late.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """The running instances you may see with their expected completion (预计完成: the
    median, and the time nine in ten such instances finish by), their deadline (完成期限)
    and their state: on track, at risk (the 90 % forecast is after the deadline) or late;
    the most urgent first."""

    def body(app: App, who: Principal) -> None:
        found = forecast.forecasts(app, who, process, not_on_track=at_risk)
        lang = language()
        cells = [
            [
                f.business_key,
                f.title,
                "、".join(say(n.name) for n in f.current) or "—",
                _short(app, f.median),
                _short(app, f.p90),
                _short(app, f.deadline) if f.deadline else NO_DEADLINE.get(lang),
                state_label(f.state, lang),
            ]
            for f in found
        ]
        columns = [
            zh("业务编号", "business key"),
            zh("标题", "title"),
            zh("当前环节", "current step"),
            zh("预计完成", "expected"),
            zh("九成在此前", "90 % by"),
            zh("完成期限", "deadline"),
            zh("状态", "state"),
        ]
        title = zh("完工预测", "Completion forecast")
        print_rows(json_, as_json(app, list(found)), title, columns, cells, whole=1)

    run_as(as_, body)


def _short(app: App, at: datetime) -> str:
    """An instant in local time, without its year when it is this year's: 03-15 09:30."""
    shown = local(app, at) or ""
    return shown[5:] if shown[:4] == (local(app, app.now()) or "")[:4] else shown
