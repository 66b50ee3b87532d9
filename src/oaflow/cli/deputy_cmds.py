"""`oaflow deputy set|list|clear`: out-of-office delegation (ORG-3, 代理)."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import AsOpt, as_json, console, local, print_rows, run_as, say, zh
from oaflow.domain.clock import parse_instant
from oaflow.domain.security import Principal
from oaflow.services import deputies
from oaflow.services.app import App

group = typer.Typer(
    help="Deputies (代理): who takes a person's new tasks while they are away.",
    no_args_is_help=True,
)

ForOpt = Annotated[
    str | None,
    typer.Option("--for", help="Whose deputies (default: yours; others' for administrators)."),
]


@group.command("set")
def set_(
    as_: AsOpt,
    deputy: Annotated[str, typer.Option("--deputy", help="Who takes the new tasks (login).")],
    from_: Annotated[str, typer.Option("--from", help="Start, ISO-8601 (local time).")],
    until: Annotated[str, typer.Option("--until", help="End, ISO-8601 (local time).")],
    for_: ForOpt = None,
) -> None:
    """Name a deputy for a period: tasks created in it go to the deputy; both see them."""

    def body(app: App, who: Principal) -> None:
        tz = app.calendar.tz
        d = deputies.set_deputy(
            app, who, for_ or who.login, deputy, parse_instant(from_, tz), parse_instant(until, tz)
        )
        console.print(
            zh(f"{d.deputy} 代理 {d.user}", f"{d.deputy} is deputy for {d.user}")
            + f": {local(app, d.starts)} → {local(app, d.ends)}",
            markup=False,
        )

    run_as(as_, body)


@group.command("list")
def list_(
    as_: AsOpt,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """The delegations you take part in (all of them for administrators and auditors),
    earliest first."""

    def body(app: App, who: Principal) -> None:
        rows = deputies.list_deputies(app, who)
        print_rows(
            json_,
            as_json(app, rows),
            zh("代理", "Deputies"),
            [zh("用户", "user"), zh("代理人", "deputy"), zh("开始", "from"), zh("结束", "until")],
            [
                [
                    f"{say(r.user.name)} ({r.user.login})",
                    f"{say(r.deputy.name)} ({r.deputy.login})",
                    local(app, r.starts),
                    local(app, r.ends),
                ]
                for r in rows
            ],
        )

    run_as(as_, body)


@group.command()
def clear(as_: AsOpt, for_: ForOpt = None) -> None:
    """Remove a person's deputies (tasks already with a deputy stay there)."""

    def body(app: App, who: Principal) -> None:
        login = for_ or who.login
        removed = deputies.clear_deputy(app, who, login)
        console.print(
            zh(f"已清除 {login} 的 {removed} 条代理", f"cleared {removed} deputies of {login}"),
            markup=False,
        )

    run_as(as_, body)
