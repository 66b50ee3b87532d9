"""`oaflow deputy set|list|clear`: out-of-office delegation (ORG-3, 代理)."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import console, print_rows, run_command, zh
from oaflow.domain.clock import parse_instant
from oaflow.services import deputies
from oaflow.services.app import App

group = typer.Typer(
    help="Deputies (代理): who takes a person's new tasks while they are away.",
    no_args_is_help=True,
)

AsOpt = Annotated[str, typer.Option("--as", help="The person who is away (login).")]


@group.command("set")
def set_(
    as_: AsOpt,
    deputy: Annotated[str, typer.Option("--deputy", help="Who takes the new tasks (login).")],
    from_: Annotated[str, typer.Option("--from", help="Start, ISO-8601 (local time).")],
    until: Annotated[str, typer.Option("--until", help="End, ISO-8601 (local time).")],
) -> None:
    """Name a deputy for a period: tasks created in it go to the deputy; both see them."""

    def body(app: App) -> None:
        tz = app.calendar.tz
        d = deputies.set_deputy(
            app, as_, deputy, parse_instant(from_, tz), parse_instant(until, tz)
        )
        console.print(
            zh(f"{d.deputy} 代理 {d.user}", f"{d.deputy} is deputy for {d.user}")
            + f": {from_} → {until}",
            markup=False,
        )

    run_command(body)


@group.command("list")
def list_(
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Every delegation, earliest first."""

    def body(app: App) -> None:
        rows = deputies.list_deputies(app)
        print_rows(
            json_,
            rows,
            zh("代理", "Deputies"),
            [zh("用户", "user"), zh("代理人", "deputy"), zh("开始", "from"), zh("结束", "until")],
            [
                [
                    f"{r['user_name']} ({r['user']})",
                    f"{r['deputy_name']} ({r['deputy']})",
                    r["from"],
                    r["until"],
                ]
                for r in rows
            ],
        )

    run_command(body)


@group.command()
def clear(as_: AsOpt) -> None:
    """Remove a person's deputies (tasks already with a deputy stay there)."""

    def body(app: App) -> None:
        removed = deputies.clear_deputy(app, as_)
        console.print(
            zh(f"已清除 {as_} 的 {removed} 条代理", f"cleared {removed} deputies of {as_}"),
            markup=False,
        )

    run_command(body)
