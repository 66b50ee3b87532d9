"""`oaflow outbox list|retry|discard` and `oaflow exception list`."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import print_rows, run_command, zh
from oaflow.services import delivery, exceptions, queries
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
    deliveries: Annotated[
        bool, typer.Option("--deliveries", help="Each message's deliveries to channels instead.")
    ] = False,
    dead: Annotated[
        bool, typer.Option("--dead", help="Only dead deliveries (the dead-letter list).")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """The messages written to the outbox; with --deliveries or --dead, where each went."""

    def body(app: App) -> None:
        if deliveries or dead:
            _deliveries(app, "dead" if dead else None, json_)
            return
        rows = queries.outbox(app, recipient=to)
        print_rows(
            json_,
            rows,
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


def _deliveries(app: App, status: str | None, json_: bool) -> None:
    rows = queries.deliveries(app, status)
    print_rows(
        json_,
        rows,
        zh("投递记录", "Deliveries") if status is None else zh("死信", "Dead letters"),
        [
            "ID",
            zh("事件", "event"),
            zh("业务编号", "key"),
            zh("渠道", "channel"),
            zh("收件人", "to"),
            zh("状态", "status"),
            zh("次数", "tries"),
            zh("时间", "sent / next"),
            zh("错误", "error"),
        ],
        [
            [
                r["id"],
                r["event_label"],
                r["business_key"],
                f"{r['endpoint']} ({r['kind']})",
                r["to"],
                r["status_label"],
                r["attempts"],
                r["sent_at"] or r["next_attempt_at"],
                r["last_error"],
            ]
            for r in rows
        ],
    )


@outbox_group.command("retry")
def outbox_retry(
    as_: Annotated[str, typer.Option("--as", help="An administrator's login.")],
    ids: Annotated[list[int] | None, typer.Argument(help="Delivery IDs (see --dead).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every dead delivery.")] = False,
) -> None:
    """Send dead deliveries again (re-drive), with their attempts counted anew."""

    def body(app: App) -> None:
        count = delivery.redrive(app, as_, None if all_ else list(ids or []))
        print(zh(f"已重新排队 {count} 条", f"{count} queued again"))

    run_command(body)


@outbox_group.command("discard")
def outbox_discard(
    ids: Annotated[list[int], typer.Argument(help="Delivery IDs (see --dead).")],
    as_: Annotated[str, typer.Option("--as", help="An administrator's login.")],
) -> None:
    """Give up on deliveries: they stay listed as discarded and are never sent."""

    def body(app: App) -> None:
        count = delivery.discard(app, as_, ids)
        print(zh(f"已放弃 {count} 条", f"{count} discarded"))

    run_command(body)


@exception_group.command("list")
def exception_list(json_: JsonOpt = False) -> None:
    """Exception records, newest first: ID (ABN…), instance, node, description, reporter."""

    def body(app: App) -> None:
        rows = queries.exceptions(app)
        print_rows(
            json_,
            rows,
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
