"""`oaflow report …`: the reports over the processes' history (MTR-1..4). The group only;
each report's command adds itself to it from its own module (cli/main.py GROUPS)."""

from __future__ import annotations

import typer

group = typer.Typer(
    help="Reports (报表): the review of a month or quarter, forecasts.", no_args_is_help=True
)
