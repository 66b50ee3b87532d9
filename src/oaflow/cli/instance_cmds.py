"""`oaflow instance list|show|withdraw|cancel`."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    console,
    headline,
    lang,
    local,
    print_json,
    print_rows,
    print_table,
    run_as,
    say,
    zh,
)
from oaflow.cli.task_show import value_text
from oaflow.domain.clock import parse_instant
from oaflow.domain.errors import InputError
from oaflow.domain.security import Principal
from oaflow.domain.states import InstanceState
from oaflow.present.words import event_label, state_label, status_text
from oaflow.services import queries, runtime
from oaflow.services.app import App
from oaflow.services.views import InstanceDetail, InstanceFilter

group = typer.Typer(help="Process instances: list, show, withdraw, cancel.", no_args_is_help=True)
KeyArg = Annotated[str, typer.Argument(help="Business key, e.g. PROJ20240301.")]
MAX_PAGE = 500


@group.command("list")
def instance_list(
    as_: AsOpt,
    process: Annotated[str | None, typer.Option("--process", help="A process key.")] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="running, completed, rejected or cancelled.")
    ] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="The initiating department's code.")
    ] = None,
    initiator: Annotated[str | None, typer.Option("--initiator", help="A login.")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only those with a task past its deadline.")
    ] = False,
    started_from: Annotated[
        str | None, typer.Option("--from", help="Started at or after (ISO-8601).")
    ] = None,
    started_until: Annotated[
        str | None, typer.Option("--until", help="Started before (ISO-8601).")
    ] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many.")] = 0,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_PAGE, help="At most this many (≤ 500).")
    ] = 50,
    json_: JsonOpt = False,
) -> None:
    """The instances you may see, newest first, narrowed by the filters, one page."""

    def body(app: App, who: Principal) -> None:
        tz = app.calendar.tz
        wanted = InstanceFilter(
            process=process,
            state=_state(state),
            department=department,
            initiator=initiator,
            overdue=overdue,
            started_from=parse_instant(started_from, tz) if started_from else None,
            started_until=parse_instant(started_until, tz) if started_until else None,
            offset=offset,
            limit=limit,
        )
        page = queries.instances(app, who, wanted)
        shown = f"{page.offset + 1}–{page.offset + len(page.items)}" if page.items else "0"
        print_rows(
            json_,
            as_json(app, page),
            zh(f"流程实例（{shown} / 共 {page.total}）", f"Instances ({shown} of {page.total})"),
            [
                zh("业务编号", "key"),
                zh("流程", "process"),
                zh("标题", "title"),
                zh("状态", "state"),
                zh("当前节点", "current"),
                zh("发起人", "initiator"),
                zh("发起时间", "started"),
            ],
            [
                [
                    i.business_key,
                    say(i.process_name),
                    i.title,
                    state_label(i.state, lang()) + (zh(" ⚠逾期", " ⚠overdue") if i.overdue else ""),
                    "、".join(say(n.name) for n in i.current),
                    say(i.initiator.name),
                    local(app, i.started_at),
                ]
                for i in page.items
            ],
        )

    run_as(as_, body)


def _state(text: str | None) -> InstanceState | None:
    if text is None:
        return None
    try:
        return InstanceState(text)
    except ValueError:
        raise InputError(
            "instance.state_unknown", state=text, known=[s.value for s in InstanceState]
        ) from None


@group.command("show")
def instance_show(business_key: KeyArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """One instance: its form, timeline and progress table (Template 3)."""

    def body(app: App, who: Principal) -> None:
        view = queries.instance_detail(app, who, business_key)
        if json_:
            print_json(as_json(app, view))
        else:
            print_instance(app, view)

    run_as(as_, body)


def print_instance(app: App, view: InstanceDetail) -> None:
    console.print(headline(view.summary), markup=False)
    if view.form:
        print_table(
            zh("表单", "Form"),
            [zh("字段", "field"), zh("内容", "value")],
            [[say(f.label) or f.name, value_text(f)] for f in view.form],
        )
    if view.planned:
        print_table(
            zh("计划节点", "Planned"),
            [zh("节点", "node"), zh("计划开始", "starts"), zh("计划完成", "finished by")],
            [[say(p.node.name), local(app, p.start), local(app, p.finish)] for p in view.planned],
        )
    print_table(
        zh("时间线", "Timeline"),
        ["#", zh("时间", "time"), zh("事件", "event"), zh("节点", "node"), zh("人员", "who")],
        [
            [
                e.seq,
                local(app, e.at),
                event_label(e.kind, lang()),
                say(e.node.name) if e.node else "",
                say(e.actor.name) if e.actor else "",
            ]
            for e in view.timeline
        ],
    )
    print_table(
        zh("执行进度跟踪表", "Progress"),
        [
            zh("节点", "node"),
            zh("负责部门", "department"),
            zh("计划完成", "planned"),
            zh("实际完成", "actual"),
            zh("状态", "status"),
            zh("延迟原因", "reason"),
        ],
        [
            [
                say(r.node.name),
                say(r.department.name) if r.department else "",
                local(app, r.planned),
                local(app, r.actual),
                status_text(r, lang()),
                r.delay_reason,
            ]
            for r in view.progress
        ],
    )


@group.command("withdraw")
def instance_withdraw(business_key: KeyArg, as_: AsOpt) -> None:
    """The initiator withdraws (撤回) an instance nobody else has acted on yet."""

    def body(app: App, who: Principal) -> None:
        instance = runtime.withdraw(app, who, business_key)
        console.print(f"{instance.business_key}: {zh('已撤回', 'withdrawn')}", markup=False)

    run_as(as_, body)


@group.command("cancel")
def instance_cancel(
    business_key: KeyArg,
    as_: AsOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why (goes into the timeline).")],
) -> None:
    """An administrator cancels (作废) a running instance; its open tasks end."""

    def body(app: App, who: Principal) -> None:
        instance = runtime.cancel(app, who, business_key, reason)
        console.print(f"{instance.business_key}: {zh('已作废', 'cancelled')}", markup=False)

    run_as(as_, body)
