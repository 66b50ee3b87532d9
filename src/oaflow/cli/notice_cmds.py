"""`oaflow outbox list|retry|discard`, and the `oaflow exception` group (its commands:
cli/exception_cmds.py, cli/exception_analysis_cmds.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import (
    MAX_ID,
    AsOpt,
    JsonOpt,
    as_json,
    lang,
    local,
    print_rows,
    run_as,
    say,
    zh,
)
from oaflow.domain.security import Principal
from oaflow.present.words import (
    delivery_status_label,
    message_label,
    outbox_status_label,
)
from oaflow.services import delivery, messages
from oaflow.services.app import App
from oaflow.services.messages import Delivery

outbox_group = typer.Typer(
    help="Outgoing messages: reminders, warnings, escalations.", no_args_is_help=True
)
exception_group = typer.Typer(
    help="Exception records (异常处理记录, Template 4).", no_args_is_help=True
)


@outbox_group.command("list")
def outbox_list(
    as_: AsOpt,
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

    def body(app: App, who: Principal) -> None:
        if deliveries or dead:
            _deliveries(app, who, "dead" if dead else None, json_)
            return
        rows = messages.outbox(app, who, recipient=to)
        print_rows(
            json_,
            as_json(app, rows),
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
                    local(app, r.created_at),
                    message_label(r.event, lang()),
                    r.business_key,
                    say(r.node),
                    "、".join(say(p.name) for p in r.recipients),
                    outbox_status_label(r.status, lang()),
                ]
                for r in rows
            ],
        )

    run_as(as_, body)


def _deliveries(app: App, who: Principal, status: str | None, json_: bool) -> None:
    rows = messages.deliveries(app, who, status)
    print_rows(
        json_,
        as_json(app, rows),
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
                r.id,
                message_label(r.event, lang()),
                r.business_key,
                f"{r.endpoint} ({r.kind})",
                _to(r),
                delivery_status_label(r.status, lang()),
                r.attempts,
                local(app, r.sent_at or r.next_attempt_at),
                r.last_error,
            ]
            for r in rows
        ],
    )


def _to(row: Delivery) -> str:
    return say(row.recipient.name) if row.recipient else row.address


@outbox_group.command("retry")
def outbox_retry(
    as_: AsOpt,
    ids: Annotated[
        list[int] | None, typer.Argument(help="Delivery IDs (see --dead).", min=1, max=MAX_ID)
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every dead delivery.")] = False,
) -> None:
    """Send dead deliveries again (re-drive), with their attempts counted anew."""

    def body(app: App, who: Principal) -> None:
        count = delivery.redrive(app, who, None if all_ else list(ids or []))
        print(zh(f"已重新排队 {count} 条", f"{count} queued again"))

    run_as(as_, body)


@outbox_group.command("discard")
def outbox_discard(
    ids: Annotated[list[int], typer.Argument(help="Delivery IDs (see --dead).", min=1, max=MAX_ID)],
    as_: AsOpt,
) -> None:
    """Give up on deliveries: they stay listed as discarded and are never sent."""

    def body(app: App, who: Principal) -> None:
        count = delivery.discard(app, who, ids)
        print(zh(f"已放弃 {count} 条", f"{count} discarded"))

    run_as(as_, body)
