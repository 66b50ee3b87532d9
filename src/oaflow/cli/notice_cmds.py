"""`oaflow outbox list` and `oaflow exception list`."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import print_json, print_table, run_command, zh
from oaflow.services import exceptions, queries
from oaflow.services.app import App

outbox_group = typer.Typer(
    help="Outgoing messages: reminders, warnings, escalations.", no_args_is_help=True
)
exception_group = typer.Typer(
    help="Exception records (异常处理记录, Template 4).", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


@outbox_group.command("list")
def outbox_list(
    to: Annotated[str | None, typer.Option("--to", help="Only messages to this login.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="pending, sent or dead.")] = None,
    json_: JsonOpt = False,
) -> None:
    """The messages written to the outbox (delivery comes with the notification channels)."""

    def body(app: App) -> None:
        rows = queries.outbox(app, recipient=to, status=status)
        if json_:
            print_json(rows)
            return
        print_table(
            zh("发件箱", "Outbox"),
            [
                zh("时间", "time"),
                zh("事件", "event"),
                zh("业务编号", "key"),
                zh("节点", "node"),
                zh("收件人", "to"),
                zh("状态", "status"),
            ],
            [
                [
                    r["created_at"],
                    r["event_label"],
                    r["business_key"],
                    r["node"],
                    "、".join(r["recipient_names"]),
                    r["status"],
                ]
                for r in rows
            ],
        )

    run_command(body)


@exception_group.command("list")
def exception_list(json_: JsonOpt = False) -> None:
    """Exception records, newest first: ID (ABN…), instance, node, description, reporter."""

    def body(app: App) -> None:
        rows = queries.exceptions(app)
        if json_:
            print_json(rows)
            return
        print_table(
            zh("异常处理记录", "Exceptions"),
            [
                zh("异常编号", "ID"),
                zh("业务编号", "key"),
                zh("节点", "node"),
                zh("描述", "description"),
                zh("上报人", "reporter"),
                zh("上报时间", "reported"),
                zh("状态", "state"),
            ],
            [
                [
                    r["code"],
                    r["business_key"],
                    r["node"],
                    r["description"],
                    r["reporter_name"],
                    r["reported_at"],
                    r["state"],
                ]
                for r in rows
            ],
        )

    run_command(body)


@exception_group.command("open")
def exception_open(
    business_key: Annotated[str, typer.Argument(help="e.g. PROJ20240301")],
    node: Annotated[str, typer.Option("--node", help="The node's id, e.g. n003.")],
    as_: Annotated[str, typer.Option("--as", help="Your login.")],
    description: Annotated[str, typer.Option("--description", help="What went wrong.")],
) -> None:
    """Report an exception by hand (异常上报); prints its ID, e.g. ABN20240301."""

    def body(app: App) -> None:
        print(exceptions.open_exception(app, business_key, node, as_, description))

    run_command(body)
