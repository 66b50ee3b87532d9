"""`oaflow meeting schedule add|list|remove`, `oaflow meeting prepare|list|show|resolve` and
`oaflow action list|done`: weekly cross-department meetings and their action items
(MTG-1/2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oaflow.cli.common import (
    MAX_ID,
    AsOpt,
    JsonOpt,
    as_json,
    console,
    lang,
    local,
    print_json,
    print_rows,
    print_table,
    run_as,
    say,
    write_file,
    zh,
)
from oaflow.domain.clock import parse_instant
from oaflow.domain.errors import InputError
from oaflow.domain.meetings import ItemInput
from oaflow.domain.security import Principal
from oaflow.present.words import state_label
from oaflow.services import meeting_actions, meetings
from oaflow.services.app import App
from oaflow.services.meeting_views import ActionItemView, MeetingView, ProgressLine

meeting_group = typer.Typer(
    help="Weekly cross-department meetings (周例会): schedules, reports, resolutions.",
    no_args_is_help=True,
)
schedule_group = typer.Typer(help="A department's weekly meeting schedule.", no_args_is_help=True)
meeting_group.add_typer(schedule_group, name="schedule")
action_group = typer.Typer(
    help="Action items (行动项): the resolutions of meetings, with owners and deadlines.",
    no_args_is_help=True,
)
DeptOpt = Annotated[str, typer.Option("--department", help="The department's code, e.g. csd.")]


@schedule_group.command("add")
def schedule_add(
    as_: AsOpt,
    department: DeptOpt,
    weekday: Annotated[str, typer.Option("--weekday", help="mon…sun, 0…6 or 周一…周日.")],
    at: Annotated[str, typer.Option("--at", help="Local time HH:MM, e.g. 10:00.")],
    participants: Annotated[
        list[str] | None,
        typer.Option("--participant", help="A login invited besides the heads (repeatable)."),
    ] = None,
    prepare_hours: Annotated[
        float, typer.Option("--prepare-hours", help="Hours before the meeting the report is made.")
    ] = 2.0,
) -> None:
    """Hold a department's meeting every week (department heads and administrators); a
    meeting on a day off moves to the next working day."""

    def body(app: App, who: Principal) -> None:
        s = meetings.add_schedule(
            app, who, department, weekday, at, participants or [], prepare_hours
        )
        console.print(
            zh(
                f"已安排 {say(s.department.name)} 每{say(s.weekday_name)} {s.at} 例会"
                f"（编号 {s.id}），"
                f"下次 {local(app, s.next_meeting)}，报告于 {local(app, s.next_report)} 准备",
                f"{say(s.department.name)} meets every {say(s.weekday_name)} at {s.at} "
                f"(schedule {s.id}); next {local(app, s.next_meeting)}, report at "
                f"{local(app, s.next_report)}",
            ),
            markup=False,
        )

    run_as(as_, body)


@schedule_group.command("list")
def schedule_list(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The meeting schedules of your departments (all for those who see everything)."""

    def body(app: App, who: Principal) -> None:
        rows = meetings.schedules(app, who)
        print_rows(
            json_,
            as_json(app, rows),
            zh("例会安排", "Meeting schedules"),
            [
                "ID",
                zh("部门", "department"),
                zh("时间", "when"),
                zh("下次会议", "next"),
                zh("报告准备", "report"),
                zh("另邀", "also invited"),
            ],
            [
                [
                    s.id,
                    say(s.department.name),
                    f"{say(s.weekday_name)} {s.at}",
                    local(app, s.next_meeting),
                    local(app, s.next_report),
                    "、".join(say(p.name) for p in s.participants),
                ]
                for s in rows
            ],
        )

    run_as(as_, body)


@schedule_group.command("remove")
def schedule_remove(
    schedule_id: Annotated[int, typer.Argument(help="The schedule's ID.", min=1, max=MAX_ID)],
    as_: AsOpt,
) -> None:
    """Stop a schedule: no more meetings are prepared from it."""

    def body(app: App, who: Principal) -> None:
        meetings.remove_schedule(app, who, schedule_id)
        print(zh(f"已取消例会安排 {schedule_id}", f"schedule {schedule_id} removed"))

    run_as(as_, body)


@meeting_group.command("prepare")
def prepare(as_: AsOpt, department: DeptOpt) -> None:
    """Prepare the report of the department's next meeting now and send it to the
    participants; prints the meeting's code (MTG…)."""

    def body(app: App, who: Principal) -> None:
        print(meetings.prepare_now(app, who, department).code)

    run_as(as_, body)


@meeting_group.command("list")
def meeting_list(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The meetings you may see, newest first."""

    def body(app: App, who: Principal) -> None:
        rows = meetings.meetings(app, who)
        print_rows(
            json_,
            as_json(app, rows),
            zh("会议", "Meetings"),
            [
                zh("会议", "meeting"),
                zh("部门", "department"),
                zh("时间", "held"),
                zh("状态", "state"),
                zh("行动项", "items"),
                zh("未完成", "open"),
            ],
            [
                [
                    m.code,
                    say(m.department.name),
                    local(app, m.held_at),
                    say(m.state_label),
                    m.items,
                    m.open_items,
                ]
                for m in rows
            ],
        )

    run_as(as_, body)


@meeting_group.command("show")
def show(
    code: Annotated[str, typer.Argument(help="The meeting's code, e.g. MTG20240301.")],
    as_: AsOpt,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write the report to this Excel file.")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """A meeting's report (progress, exceptions, resources, steps at risk, action items)."""

    def body(app: App, who: Principal) -> None:
        view = meetings.meeting(app, who, code)
        if xlsx is not None:
            from oaflow.present.meeting_xlsx import workbook  # openpyxl: only when asked

            write_file(xlsx, workbook(view, lang(), app.calendar.tz))
        if json_:
            print_json(as_json(app, view))
            return
        _print_meeting(app, view)
        if xlsx is not None:
            print(zh(f"已写入 {xlsx}", f"written to {xlsx}"))

    run_as(as_, body)


def _print_meeting(app: App, view: MeetingView) -> None:
    report = view.report
    console.print(
        f"{view.code} · {say(view.department.name)} · {local(app, view.held_at)} · "
        f"{say(view.state_label)}",
        markup=False,
    )
    console.print(
        zh("参会人：", "Participants: ") + "、".join(say(p.name) for p in view.participants),
        markup=False,
    )
    _progress_table(app, zh("进度", "Progress"), report.progress)
    _table(
        zh("未关闭的异常", "Open exceptions"),
        [
            zh("异常编号", "ID"),
            zh("业务编号", "key"),
            zh("节点", "step"),
            zh("描述", "description"),
            zh("状态", "state"),
            zh("所需资源", "resources"),
        ],
        [
            [
                e.code,
                e.business_key,
                say(e.node.name),
                e.description,
                say(e.state_label),
                e.resources,
            ]
            for e in report.exceptions
        ],
    )
    _progress_table(app, zh("风险事项", "Steps at risk"), report.at_risk)
    _items_table(
        app, zh("以往会议未完成的行动项", "Open items of earlier meetings"), report.earlier_actions
    )
    _items_table(app, zh("本次会议决议", "Resolutions"), view.actions)


def _table(title: str, columns: list[str], rows: list[list[object]]) -> None:
    """A part of the report: its table, or one line saying it is empty."""
    if rows:
        print_table(title, columns, rows)
    else:
        console.print(f"{title}{zh('：无', ': none')}", markup=False)


def _progress_table(app: App, title: str, lines: tuple[ProgressLine, ...]) -> None:
    _table(
        title,
        [
            zh("业务编号", "key"),
            zh("事项", "title"),
            zh("当前环节", "step"),
            zh("负责人", "owner"),
            zh("截止", "due"),
            zh("时限", "deadline"),
        ],
        [
            [
                p.business_key,
                p.title,
                say(p.node.name) if p.node else "",
                say(p.owner.name) if p.owner else "",
                local(app, p.due_at),
                state_label(p.sla, lang()),
            ]
            for p in lines
        ],
    )


def _items_table(
    app: App, title: str, items: tuple[ActionItemView, ...] | list[ActionItemView]
) -> None:
    _table(
        title,
        [
            "ID",
            zh("会议", "meeting"),
            zh("行动项", "item"),
            zh("负责人", "owner"),
            zh("截止", "due"),
            zh("状态", "state"),
            zh("时限", "deadline"),
        ],
        [
            [
                a.id,
                a.meeting,
                a.title,
                say(a.owner.name),
                local(app, a.due_at),
                say(a.state_label),
                state_label(a.sla, lang()),
            ]
            for a in items
        ],
    )


@meeting_group.command("resolve")
def resolve(
    code: Annotated[str, typer.Argument(help="The meeting's code, e.g. MTG20240301.")],
    as_: AsOpt,
    items: Annotated[
        list[str] | None,
        typer.Option(
            "--item", help="TITLE|OWNER|DEADLINE, e.g. 补充产能数据|prd.head|2024-03-07T18:00."
        ),
    ] = None,
    none: Annotated[bool, typer.Option("--none", help="The meeting decided nothing.")] = False,
) -> None:
    """Enter the meeting's resolutions as action items (all of them or none), or --none."""

    def body(app: App, who: Principal) -> None:
        if none:
            meeting_actions.no_resolutions(app, who, code)
            print(zh(f"{code} 已标记为无决议", f"{code} marked 'no resolutions'"))
            return
        parsed = [_item(text, app.calendar.tz) for text in items or []]
        entered = meeting_actions.resolve(app, who, code, parsed)
        _items_table(app, zh(f"{code} 的行动项", f"Action items of {code}"), entered)

    run_as(as_, body)


def _item(text: str, tz: str) -> ItemInput:
    parts = text.rsplit("|", 2)
    if len(parts) != 3:
        raise InputError("action.bad_item", text=text)
    title, owner, due = (p.strip() for p in parts)
    return ItemInput(title, owner, parse_instant(due, tz) if due else None)


@action_group.command("list")
def action_list(
    as_: AsOpt,
    mine: Annotated[bool, typer.Option("--mine", help="Only the items you own.")] = False,
    open_: Annotated[bool, typer.Option("--open", help="Only the open ones.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Action items of your departments' meetings (with --mine: yours), open first, by
    deadline, with their deadline state."""

    def body(app: App, who: Principal) -> None:
        rows = meeting_actions.action_items(app, who, mine, open_)
        if json_:
            print_json(as_json(app, rows))
            return
        _items_table(app, zh("行动项", "Action items"), rows)

    run_as(as_, body)


@action_group.command("done")
def action_done(
    item_id: Annotated[int, typer.Argument(help="The item's ID.", min=1, max=MAX_ID)],
    as_: AsOpt,
    note: Annotated[str, typer.Option("--note", help="What was done.")] = "",
) -> None:
    """Mark your action item done; its reminders stop."""

    def body(app: App, who: Principal) -> None:
        item = meeting_actions.mark_done(app, who, item_id, note)
        print(zh(f"行动项 {item.id} 已完成", f"action item {item.id} done"))

    run_as(as_, body)
