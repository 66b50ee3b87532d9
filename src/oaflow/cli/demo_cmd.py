"""`oaflow demo`: replay S1–S4 on a temporary database and print the report."""

from __future__ import annotations

import typer


def register(cli: typer.Typer) -> None:
    @cli.command()
    def demo() -> None:
        """Replay the four built-in processes with the simulated clock and print who did what when."""
        from oaflow.cli.demo_report import run_demo

        run_demo()
