"""The `oaflow` command (SPEC §18)."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Annotated

import typer

from oaflow.bootstrap import database_location
from oaflow.cli import common
from oaflow.cli.common import OPTIONS, run_command, zh
from oaflow.services.app import App

#: command groups: name -> (module of oaflow.cli, its Typer, modules that add commands to it)
GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "process": ("process_cmds", "group", ("migrate_cmds",)),
    "org": ("org_cmds", "group", ()),
    "calendar": ("calendar_cmds", "group", ()),
    "deputy": ("deputy_cmds", "group", ()),
    "task": ("run_cmds", "task_group", ()),
    "instance": ("instance_cmds", "group", ()),
    "outbox": ("notice_cmds", "outbox_group", ()),
    "inbox": ("inbox_cmds", "group", ()),
    "exception": ("notice_cmds", "exception_group", ("exception_cmds", "exception_analysis_cmds")),
    "notify": ("notify_cmds", "group", ()),
    "link": ("notify_cmds", "link_group", ()),
    "access": ("access_cmds", "access_group", ()),
    "policy": ("access_cmds", "policy_group", ()),
    "keys": ("keys_cmds", "group", ()),
    "audit": ("audit_cmds", "group", ()),
    "meeting": ("meeting_cmds", "meeting_group", ()),
    "action": ("meeting_cmds", "action_group", ()),
    "archive": ("archive_cmds", "group", ()),
    "bpmn": ("bpmn_cmds", "group", ()),
    "template": ("template_cmds", "group", ()),
    "service": ("service_cmds", "group", ()),
    "incident": ("service_cmds", "incidents", ()),
    "ledger": ("ledger_cmds", "group", ()),
    "survey": ("survey_cmds", "group", ()),
    "report": ("report_cmds", "group", ("review_cmds", "forecast_cmds", "rollup_cmds")),
}
#: top-level commands a module's ``register(cli)`` adds: name -> module
REGISTERED: dict[str, str] = {
    "start": "run_cmds",
    "tasks": "run_cmds",
    "demo": "demo_cmd",
    "worker": "worker_cmds",
    "tick": "worker_cmds",
    "serve": "serve_cmd",
    "token": "token_cmds",
    "password": "token_cmds",
}
#: the global options that take a value (main's callback)
_VALUED = ("--db", "--now", "--lang")


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"oaflow.cli.{name}")


def build(command: str | None) -> typer.Typer:
    """The `oaflow` command with what it needs to run ``command`` (every command when it is None
    or unknown: help, a mistyped name). Each `oaflow` process runs one command; building
    and importing only that one's modules saves a third of a second of every start."""
    if command in GROUPS:
        names = [command]
    elif command in REGISTERED or command == "init":
        names = [n for n, m in REGISTERED.items() if m == REGISTERED.get(command)]
    else:
        names = [*GROUPS, *REGISTERED]
    cli = typer.Typer(
        name="oaflow",
        help="OA-Flow: cross-department process automation (多部门协同作业流程自动化).",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    cli.callback()(main)
    cli.command()(init)
    registered: set[str] = set()
    for name in names:
        if name in GROUPS:
            module, attribute, extras = GROUPS[name]
            for extra in extras:
                _module(extra)  # its commands add themselves to the group
            cli.add_typer(getattr(_module(module), attribute), name=name)
        elif REGISTERED[name] not in registered:
            registered.add(REGISTERED[name])
            _module(REGISTERED[name]).register(cli)
    return cli


def command_of(argv: list[str]) -> str | None:
    """The command word of ``oaflow [global options] COMMAND …``; None when there is none."""
    args = iter(argv)
    for arg in args:
        if arg in _VALUED:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def main(
    db: Annotated[
        str | None,
        typer.Option(
            "--db", envvar="OAFLOW_DATABASE_URL", help="Database URL (default sqlite:///oaflow.db)."
        ),
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="Run as of this ISO-8601 instant (simulated time).")
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", envvar="OAFLOW_LANG", help="zh or en (default zh).")
    ] = "zh",
) -> None:
    if lang not in ("zh", "en"):
        raise typer.BadParameter("use zh or en", param_hint="--lang")
    OPTIONS.db, OPTIONS.now, OPTIONS.lang = db, now, lang


def init(
    demo: Annotated[
        bool, typer.Option("--demo", help="Add the demo organisation and built-in processes.")
    ] = False,
    with_history: Annotated[
        bool,
        typer.Option(
            "--with-history",
            help="With --demo, on a new database: six weeks of simulated work up to now "
            "(or --now), as `serve --demo` makes.",
        ),
    ] = False,
) -> None:
    """Create or upgrade the schema (--demo: demo organisation and built-in processes)."""
    if with_history and not demo:
        raise typer.BadParameter("only with --demo", param_hint="--with-history")

    from oaflow.cli import keys_cmds
    from oaflow.cli.demo_data import create_with_history
    from oaflow.services import setup

    def body(app: App) -> None:
        keys_cmds.print_warnings(app)
        if with_history:
            create_with_history(app)
            common.console.print(
                zh("数据库已就绪", "database ready") + f": {database_location(app)}"
            )
            return
        published = setup.init(app, demo=demo)
        common.console.print(zh("数据库已就绪", "database ready") + f": {database_location(app)}")
        for p in published:
            common.console.print(zh("已发布", "published") + f" {p.key} {p.label}")

    run_command(body, creates=True)


def run() -> None:
    build(command_of(sys.argv[1:]))()
