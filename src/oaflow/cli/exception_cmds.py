"""`oaflow exception list|open|show|report|coordinate|resolve|verify|reopen`: exception
records and their closed loop (EXC-1..4, Template 4)."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    lang,
    local,
    print_json,
    print_rows,
    run_as,
    say,
    zh,
)
from oaflow.cli.notice_cmds import exception_group
from oaflow.domain.clock import parse_instant
from oaflow.domain.exception_loop import OPEN_STATES, STEP_WORDS, ExceptionState
from oaflow.domain.security import Principal
from oaflow.present.template4 import HEADERS, template4_row
from oaflow.services import exception_views, exceptions
from oaflow.services.app import App

#: the Template 4 columns a terminal's table has room for (`show` and --json have them all):
#: ID, linked task, node, description, reporter, reported at, handler
LISTED = (0, 1, 2, 3, 4, 5, 7)
CodeArg = Annotated[str, typer.Argument(help="The record's ID, e.g. ABN20240301.")]


@exception_group.command("list")
def exception_list(
    as_: AsOpt,
    open_: Annotated[bool, typer.Option("--open", help="Only records not closed yet.")] = False,
    state: Annotated[
        ExceptionState | None,
        typer.Option("--state", help="Only records in this state."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """The exception records of the instances you may see, newest first, with Template 4's
    (异常处理记录表) main columns and their state (`exception show` gives a whole row)."""

    def body(app: App, who: Principal) -> None:
        states = [state] if state else sorted(OPEN_STATES) if open_ else []
        rows = exception_views.exceptions(app, who, states)
        tz = app.calendar.tz
        print_rows(
            json_,
            as_json(app, rows),
            zh("异常处理记录表（模板4）", "Exception records (Template 4)"),
            [*(HEADERS[lang()][i] for i in LISTED), zh("状态", "state")],
            [[*(template4_row(r, lang(), tz)[i] for i in LISTED), say(r.state_name)] for r in rows],
            whole=2,
        )

    run_as(as_, body)


@exception_group.command("open")
def exception_open(
    business_key: Annotated[str, typer.Argument(help="e.g. PROJ20240301")],
    node: Annotated[str, typer.Option("--node", help="The node's id, e.g. n003.")],
    as_: AsOpt,
    description: Annotated[str, typer.Option("--description", help="What went wrong.")],
) -> None:
    """Report an exception by hand (异常上报); prints its ID, e.g. ABN20240301. A record the
    system opened on that task and nobody reported yet becomes yours: one record, not two."""

    def body(app: App, who: Principal) -> None:
        print(exceptions.open_exception(app, who, business_key, node, description))

    run_as(as_, body)


@exception_group.command("show")
def exception_show(code: CodeArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """One record: its Template 4 row, the report, the coordination, the verification, its
    steps so far and what you may do now."""

    def body(app: App, who: Principal) -> None:
        detail = exception_views.exception_detail(app, who, code)
        if json_:
            print_json(as_json(app, detail))
            return
        r, tz = detail.record, app.calendar.tz
        row = template4_row(r, lang(), tz)
        print(zh("模板4: ", "Template 4: ") + " · ".join(c or "-" for c in row))
        for header, value in zip(HEADERS[lang()], row, strict=True):
            if value:
                print(f"{header}: {value}")
        lines: list[tuple[str, str | None]] = [
            (zh("状态", "state"), say(r.state_name)),
            (zh("责任部门", "responsible"), say(r.department.name) if r.department else ""),
            (zh("说明截止", "report due"), local(app, r.report_due_at)),
            (zh("原因分类", "cause category"), r.cause_category),
            (zh("原因", "cause"), r.cause),
            (zh("预计解决", "expected"), local(app, r.expected_at)),
            (zh("需协调资源", "resources"), r.resources),
            (zh("新时限", "new deadline"), local(app, r.planned_at)),
            (zh("处理结果", "resolution"), r.resolution),
            (zh("重开原因", "reopened because"), r.reopen_reason),
        ]
        for label, filled in lines:
            if filled:
                print(f"{label}: {filled}")
        print(zh("经过：", "Steps:"))
        for e in detail.history:
            actor = say(e.actor.name) if e.actor else zh("系统", "system")
            print(f"  {local(app, e.at)}  {actor}  {say(e.label)}  {e.note}".rstrip())
        steps = "、".join(f"{say(STEP_WORDS[s])}（{s.value}）" for s in detail.may) or zh(
            "无", "none"
        )
        print(zh(f"您可以：{steps}", f"You may: {steps}"))

    run_as(as_, body)


@exception_group.command("report")
def exception_report(
    code: CodeArg,
    as_: AsOpt,
    category: Annotated[
        str,
        typer.Option(
            "--category", help="The cause category, e.g. 需求变更 (see `exception causes`)."
        ),
    ],
    cause: Annotated[str, typer.Option("--cause", help="What caused it.")],
    expected: Annotated[
        str, typer.Option("--expected", help="Expected resolution, e.g. 2024-03-21T12:00.")
    ],
    resources: Annotated[
        str, typer.Option("--resources", help="Resources needed from others.")
    ] = "",
) -> None:
    """The responsible department's report (异常处理说明), due within 4 working hours."""

    def body(app: App, who: Principal) -> None:
        at = parse_instant(expected, app.calendar.tz)
        exceptions.report(app, who, code, category, cause, at, resources)
        print(zh(f"{code} 已上报", f"{code} reported"))

    run_as(as_, body)


@exception_group.command("coordinate")
def exception_coordinate(
    code: CodeArg,
    as_: AsOpt,
    plan: Annotated[str, typer.Option("--plan", help="The handling plan (处理方案).")],
    handler: Annotated[str, typer.Option("--handler", help="The handler's login.")],
    deadline: Annotated[
        str, typer.Option("--deadline", help="The new deadline, e.g. 2024-03-21T12:00.")
    ],
) -> None:
    """The coordination's resolution, by the initiating department: plan, handler and new
    deadline; an open linked task takes the deadline and the handler at once."""

    def body(app: App, who: Principal) -> None:
        at = parse_instant(deadline, app.calendar.tz)
        exceptions.coordinate(app, who, code, plan, handler, at)
        print(zh(f"{code} 处理中", f"{code} being handled"))

    run_as(as_, body)


@exception_group.command("resolve")
def exception_resolve(
    code: CodeArg,
    as_: AsOpt,
    note: Annotated[str, typer.Option("--note", help="How it was resolved.")],
) -> None:
    """The handler marks it resolved; it waits for the verification."""

    def body(app: App, who: Principal) -> None:
        exceptions.resolve(app, who, code, note)
        print(zh(f"{code} 待验证", f"{code} to verify"))

    run_as(as_, body)


@exception_group.command("verify")
def exception_verify(
    code: CodeArg,
    as_: AsOpt,
    result: Annotated[str, typer.Option("--result", help="The verification's result.")],
    failed: Annotated[
        bool, typer.Option("--failed", help="Not resolved: back to the handler.")
    ] = False,
) -> None:
    """The initiating department verifies: the record closes (or, --failed, goes back)."""

    def body(app: App, who: Principal) -> None:
        exceptions.verify(app, who, code, not failed, result)
        print(
            zh(f"{code} 已关闭", f"{code} closed")
            if not failed
            else zh(f"{code} 退回处理", f"{code} back to the handler")
        )

    run_as(as_, body)


@exception_group.command("reopen")
def exception_reopen(
    code: CodeArg,
    as_: AsOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened.")],
) -> None:
    """Reopen a closed record, with a reason."""

    def body(app: App, who: Principal) -> None:
        exceptions.reopen(app, who, code, reason)
        print(zh(f"{code} 已重开", f"{code} reopened"))

    run_as(as_, body)
