"""`oaflow start`, `oaflow tasks`, `oaflow task ...`, `oaflow instance show`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

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
    run_as,
    say,
    zh,
)
from oaflow.cli.task_show import print_task
from oaflow.domain.errors import InputError
from oaflow.domain.security import Principal
from oaflow.domain.states import Action
from oaflow.domain.yaml_lines import BoundedLoader, yaml_fault
from oaflow.engine.runtime import Command
from oaflow.present.words import state_label
from oaflow.services import queries, runtime
from oaflow.services.app import App
from oaflow.services.batch import BatchItem
from oaflow.services.files import read_text
from oaflow.services.views import TaskSummary

task_group = typer.Typer(
    help="Act on one task: show, ack, progress, complete, approve, reject.", no_args_is_help=True
)
NoteOpt = Annotated[str, typer.Option("--note", help="A note or reason (e.g. 客户需求临时变更).")]
TaskArg = Annotated[int, typer.Argument(help="Task ID.", min=1, max=MAX_ID)]


tasks_group = typer.Typer(
    help="Your open tasks (oaflow tasks --as LOGIN), and batch approval.",
    invoke_without_command=True,
)


def register(cli: typer.Typer) -> None:
    cli.command("start")(start)
    cli.add_typer(tasks_group, name="tasks")


def start(
    key: Annotated[str, typer.Argument(help="Process key, e.g. customer-complaint.")],
    as_: AsOpt,
    data: Annotated[str | None, typer.Option("--data", help="The initiation form as JSON.")] = None,
    form: Annotated[
        Path | None, typer.Option("--form", help="The initiation form as a JSON/YAML file.")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Start a process; prints the new business key (e.g. PROJ20240301)."""

    def body(app: App, who: Principal) -> None:
        instance = runtime.start(app, who, key, _form(data, form))
        if json_:
            print_json({"business_key": instance.business_key, "state": instance.state.value})
        else:
            print(instance.business_key)

    run_as(as_, body)


def _form(data: str | None, form: Path | None) -> dict[str, Any]:
    if (data is None) == (form is None):
        raise typer.BadParameter("give exactly one of --data JSON or --form FILE")
    try:
        if data is not None:
            value = json.loads(data)
        else:
            assert form is not None
            value = yaml.load(read_text(form), Loader=BoundedLoader)
    except (json.JSONDecodeError, yaml.YAMLError, RecursionError) as exc:
        detail = yaml_fault(exc) if isinstance(exc, yaml.YAMLError) else str(exc)[:200]
        raise InputError("form.text_invalid", detail=detail) from None
    if not isinstance(value, dict):
        raise InputError("form.not_an_object")
    return value


@tasks_group.callback()
def tasks(
    ctx: typer.Context,
    as_: Annotated[str | None, typer.Option("--as", envvar="OAFLOW_AS", help="Your login.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Your open tasks, soonest deadline first, with their SLA countdown."""
    if ctx.invoked_subcommand is not None:
        return
    if as_ is None:
        raise typer.BadParameter("give --as LOGIN", param_hint="--as")

    def body(app: App, who: Principal) -> None:
        rows = queries.tasks_for(app, who)
        print_rows(
            json_,
            as_json(app, rows),
            zh(f"{who.login} 的待办任务", f"Open tasks of {who.login}"),
            [
                "ID",
                zh("业务编号", "key"),
                zh("节点", "node"),
                zh("状态", "state"),
                zh("截止", "due"),
                zh("剩余(小时)", "left (h)"),
                "SLA",
            ],
            [
                [
                    r.id,
                    r.business_key,
                    say(r.node.name),
                    state_label(r.state, lang()),
                    _due(app, r),
                    r.remaining_hours,
                    state_label(r.sla, lang()),
                ]
                for r in rows
            ],
        )

    run_as(as_, body)


def _due(app: App, task: TaskSummary) -> str | None:
    due = local(app, task.due_at)
    return f"{due} {zh('(暂定)', '(provisional)')}" if due and task.provisional else due


@tasks_group.command("approve-batch")
def approve_batch(
    task_ids: Annotated[list[int], typer.Argument(help="Task IDs.", min=1, max=MAX_ID)],
    as_: AsOpt,
    note: NoteOpt = "",
    json_: JsonOpt = False,
) -> None:
    """Approve several tasks at once (批量审批). The batch is checked first: an unknown or
    foreign id, a closed task or one that is not an approval refuses the whole batch (each
    named) and nothing is approved. Then each item's outcome is listed; an item changed by
    someone else meanwhile fails alone (exit 1)."""
    failed = False

    def body(app: App, who: Principal) -> None:
        nonlocal failed
        results = runtime.approve_batch(app, who, task_ids, note)
        failed = not all(r.ok for r in results)
        if json_:
            print_json([_item(r) for r in results])
            return
        for r in results:
            outcome = zh("已通过", "approved") if r.ok else f"{zh('失败', 'failed')}: {_said(r)}"
            console.print(f"{zh('任务', 'task')} {r.task_id}: {outcome}", markup=False)

    run_as(as_, body)
    if failed:
        raise typer.Exit(1)


def _said(item: BatchItem) -> str:
    return item.error.text(lang()) if item.error else ""


def _item(item: BatchItem) -> dict[str, Any]:
    found: dict[str, Any] = {"task_id": item.task_id, "ok": item.ok}
    if item.state is not None:
        found["state"] = item.state.value
    if item.error is not None:
        found.update(error=_said(item), code=item.error.code)
    return found


@task_group.command("return")
def task_return(
    task_id: TaskArg,
    as_: AsOpt,
    to: Annotated[str, typer.Option("--to", help="The earlier node's id (see task show).")],
    note: NoteOpt = "",
    json_: JsonOpt = False,
) -> None:
    """Return (退回) the process to an earlier step that was reached; work after it is cancelled."""
    _act(task_id, Command(Action.RETURN, as_, note=note, target=to), json_)


@task_group.command("withdraw")
def task_withdraw(task_id: TaskArg, as_: AsOpt) -> None:
    """The initiator withdraws (撤回) the process of this task while nobody else has acted."""

    def body(app: App, who: Principal) -> None:
        key = queries.task_detail(app, who, task_id).task.business_key
        instance = runtime.withdraw(app, who, key)
        console.print(f"{instance.business_key}: {zh('已撤回', 'withdrawn')}", markup=False)

    run_as(as_, body)


@task_group.command("show")
def task_show(task_id: TaskArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """One task: its node, state and deadline, the form and earlier nodes' outputs it works
    from (sensitive fields masked unless you may read them), and what it needs to finish."""

    def body(app: App, who: Principal) -> None:
        view = queries.task_detail(app, who, task_id)
        if json_:
            print_json(as_json(app, view))
        else:
            print_task(app, view)

    run_as(as_, body)


def _act(task_id: int, command: Command, json_: bool = False) -> None:
    def body(app: App, who: Principal) -> None:
        runtime.act(app, who, task_id, command)
        view = queries.task_detail(app, who, task_id)
        if json_:
            print_json(as_json(app, view))
        else:
            task = view.task
            console.print(
                f"{zh('任务', 'task')} {task.id} {say(task.node.name)}: "
                f"{state_label(task.state, lang())}",
                markup=False,
            )

    run_as(command.actor, body)


@task_group.command("start")
def task_start(task_id: TaskArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """Start a task waiting for you (待启动: its node starts by hand); its deadline counts
    from now."""
    _act(task_id, Command(Action.START, as_), json_)


@task_group.command("ack")
def task_ack(task_id: TaskArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """Acknowledge a dispatched task (确认接收)."""
    _act(task_id, Command(Action.ACK, as_), json_)


@task_group.command("progress")
def task_progress(
    task_id: TaskArg,
    as_: AsOpt,
    percent: Annotated[int, typer.Option("--percent", help="0–100.")],
    waiting: Annotated[
        bool, typer.Option("--waiting", help="Waiting on an external party: pause the SLA clock.")
    ] = False,
    note: NoteOpt = "",
    json_: JsonOpt = False,
) -> None:
    """Report progress: a percentage and a note (e.g. 研发方案初稿已完成); --waiting stops the
    SLA clock while an external party is awaited (when the node allows it)."""
    command = Command(Action.PROGRESS, as_, progress=percent, note=note, waiting=waiting)
    _act(task_id, command, json_)


@task_group.command("suspend")
def task_suspend(task_id: TaskArg, as_: AsOpt, note: NoteOpt = "", json_: JsonOpt = False) -> None:
    """Suspend a task (挂起): its SLA clock stops until it is resumed."""
    _act(task_id, Command(Action.SUSPEND, as_, note=note), json_)


@task_group.command("resume")
def task_resume(task_id: TaskArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """Resume a suspended task; its deadline moves by the time it was suspended."""
    _act(task_id, Command(Action.RESUME, as_), json_)


@task_group.command("complete")
def task_complete(
    task_id: TaskArg,
    as_: AsOpt,
    field: Annotated[
        list[str] | None,
        typer.Option("--field", help="An output: NAME=VALUE (JSON values allowed)."),
    ] = None,
    deliverable: Annotated[
        list[str] | None, typer.Option("--deliverable", help="NAME=FILE OR LINK.")
    ] = None,
    note: NoteOpt = "",
    json_: JsonOpt = False,
) -> None:
    """Finish a task with its required outputs and deliverables."""
    outputs = {k: _value(v) for k, v in _pairs(field or [], "--field")}
    files = dict(_pairs(deliverable or [], "--deliverable"))
    _act(
        task_id,
        Command(Action.COMPLETE, as_, note=note, outputs=outputs, deliverables=files),
        json_,
    )


@task_group.command("approve")
def task_approve(task_id: TaskArg, as_: AsOpt, note: NoteOpt = "", json_: JsonOpt = False) -> None:
    """Approve (审批通过); the process moves on by itself."""
    _act(task_id, Command(Action.APPROVE, as_, note=note), json_)


@task_group.command("reject")
def task_reject(task_id: TaskArg, as_: AsOpt, note: NoteOpt = "", json_: JsonOpt = False) -> None:
    """Reject (驳回); the node's rule ends the process or returns it to an earlier step."""
    _act(task_id, Command(Action.REJECT, as_, note=note), json_)


ToOpt = Annotated[list[str], typer.Option("--to", help="A login (repeat for several).")]


def _annotate(task_id: int, action: Action, actor: str, people: list[str], note: str) -> None:
    def body(app: App, who: Principal) -> None:
        runtime.annotate(app, who, task_id, action, tuple(people), note)
        node = queries.task_detail(app, who, task_id).task.node
        done = {
            Action.TRANSFER: zh("已转交", "transferred"),
            Action.COMMENT: zh("已评论", "commented"),
            Action.URGE: zh("已催办", "urged"),
            Action.ADD_SIGNER: zh("已加签", "signer added"),
            Action.CC: zh("已抄送", "copied"),
        }[action]
        console.print(f"{zh('任务', 'task')} {task_id} {say(node.name)}: {done}", markup=False)

    run_as(actor, body)


@task_group.command("transfer")
def task_transfer(task_id: TaskArg, as_: AsOpt, to: ToOpt, note: NoteOpt = "") -> None:
    """Transfer (转交) your task to a colleague; it waits for their acknowledgement."""
    if len(to) != 1:
        raise typer.BadParameter("give exactly one --to LOGIN", param_hint="--to")
    _annotate(task_id, Action.TRANSFER, as_, to, note)


@task_group.command("comment")
def task_comment(
    task_id: TaskArg, as_: AsOpt, note: Annotated[str, typer.Option("--note")]
) -> None:
    """Comment (评论) on a task you take part in (open or closed)."""
    _annotate(task_id, Action.COMMENT, as_, [], note)


@task_group.command("add-signer")
def task_add_signer(
    task_id: TaskArg,
    as_: AsOpt,
    to: Annotated[str, typer.Option("--to", help="The signer's login.")],
    after: Annotated[
        bool,
        typer.Option("--after/--before", help="后加签 after you (default: 前加签 before you)."),
    ] = False,
) -> None:
    """Add a signer before (前加签) or after (后加签) yourself on an approval step."""
    _annotate(task_id, Action.ADD_SIGNER, as_, [to], "after" if after else "before")


@task_group.command("urge")
def task_urge(task_id: TaskArg, as_: AsOpt, note: NoteOpt = "") -> None:
    """Urge (催办): the initiator sends the assignee a reminder now (once an hour at most)."""
    _annotate(task_id, Action.URGE, as_, [], note)


@task_group.command("cc")
def task_cc(task_id: TaskArg, as_: AsOpt, to: ToOpt, note: NoteOpt = "") -> None:
    """Copy (抄送) people in on a task: they are informed, they get no task."""
    _annotate(task_id, Action.CC, as_, to, note)


def _pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"'{item}' is not NAME=VALUE", param_hint=option)
        pairs.append((name.strip(), value))
    return pairs


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
