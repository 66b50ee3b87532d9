"""`oaflow demo`: replay S1–S4 on a temporary database and print the report."""

from __future__ import annotations

from typing import Annotated

import typer


def register(cli: typer.Typer) -> None:
    @cli.command()
    def demo(
        json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    ) -> None:
        """Replay the four built-in processes with the simulated clock: who did what when."""
        from oaflow.cli.demo_report import run_demo

        run_demo(as_json=json_)
