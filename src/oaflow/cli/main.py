"""The `oaflow` command (SPEC §18)."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.bootstrap import database_location
from oaflow.cli import (
    access_cmds,
    audit_cmds,
    calendar_cmds,
    common,
    demo_cmd,
    deputy_cmds,
    exception_analysis_cmds,  # noqa: F401 (adds to `exception`)
    exception_cmds,  # noqa: F401 (adds to `exception`)
    inbox_cmds,
    instance_cmds,
    keys_cmds,
    meeting_cmds,
    notice_cmds,
    notify_cmds,
    org_cmds,
    process_cmds,
    run_cmds,
    serve_cmd,
    token_cmds,
    worker_cmds,
)
from oaflow.cli.common import OPTIONS, run_command, zh
from oaflow.cli.demo_data import create_with_history
from oaflow.services import setup
from oaflow.services.app import App

cli = typer.Typer(
    name="oaflow",
    help="OA-Flow: cross-department process automation (多部门协同作业流程自动化).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
cli.add_typer(process_cmds.group, name="process")
cli.add_typer(org_cmds.group, name="org")
cli.add_typer(calendar_cmds.group, name="calendar")
cli.add_typer(deputy_cmds.group, name="deputy")
cli.add_typer(run_cmds.task_group, name="task")
cli.add_typer(instance_cmds.group, name="instance")
cli.add_typer(notice_cmds.outbox_group, name="outbox")
cli.add_typer(inbox_cmds.group, name="inbox")
cli.add_typer(notice_cmds.exception_group, name="exception")
cli.add_typer(notify_cmds.group, name="notify")
cli.add_typer(notify_cmds.link_group, name="link")
cli.add_typer(access_cmds.access_group, name="access")
cli.add_typer(access_cmds.policy_group, name="policy")
cli.add_typer(keys_cmds.group, name="keys")
cli.add_typer(audit_cmds.group, name="audit")
cli.add_typer(meeting_cmds.meeting_group, name="meeting")
cli.add_typer(meeting_cmds.action_group, name="action")
run_cmds.register(cli)
demo_cmd.register(cli)
worker_cmds.register(cli)
serve_cmd.register(cli)
token_cmds.register(cli)


@cli.callback()
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


@cli.command()
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
    cli()
