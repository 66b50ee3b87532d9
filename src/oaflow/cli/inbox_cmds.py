"""`oaflow inbox --as LOGIN` and `oaflow inbox read ID… --as LOGIN`."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import MAX_ID, as_json, console, lang, local, print_rows, run_as, say, zh
from oaflow.domain.security import Principal
from oaflow.present.words import message_label
from oaflow.services import messages
from oaflow.services.app import App

group = typer.Typer(
    help="Your notifications (站内消息): list and mark read.", invoke_without_command=True
)


@group.callback()
def show(
    ctx: typer.Context,
    as_: Annotated[str | None, typer.Option("--as", envvar="OAFLOW_AS", help="Your login.")] = None,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread ones.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Your notifications, newest first, with the unread count."""
    if ctx.invoked_subcommand is not None:
        return
    if as_ is None:
        raise typer.BadParameter("give --as LOGIN", param_hint="--as")

    def body(app: App, who: Principal) -> None:
        view = messages.notifications(app, who, unread)
        print_rows(
            json_,
            as_json(app, view),
            zh(
                f"{who.login} 的消息（未读 {view.unread}）",
                f"Notifications of {who.login} ({view.unread} unread)",
            ),
            [
                "ID",
                zh("时间", "time"),
                zh("事件", "event"),
                zh("业务编号", "key"),
                zh("节点", "node"),
                "",
            ],
            [
                [
                    i.id,
                    local(app, i.at),
                    message_label(i.event, lang()),
                    i.business_key,
                    say(i.node),
                    "" if i.read else zh("未读", "unread"),
                ]
                for i in view.items
            ],
        )

    run_as(as_, body)


@group.command("read")
def read(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Notification IDs.", min=1, max=MAX_ID)
    ] = None,
    as_: Annotated[str, typer.Option("--as", envvar="OAFLOW_AS", help="Your login.")] = "",
    all_: Annotated[bool, typer.Option("--all", help="Every unread notification.")] = False,
) -> None:
    """Mark notifications as read."""
    if not as_:
        raise typer.BadParameter("give --as LOGIN", param_hint="--as")

    def body(app: App, who: Principal) -> None:
        changed = messages.mark_read(app, who, None if all_ else list(ids or []))
        console.print(zh(f"已读 {changed} 条", f"{changed} marked read"))

    run_as(as_, body)
