"""`oaflow org import|export|users`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    cli_address,
    console,
    print_rows,
    run_as,
    run_command,
    say,
    zh,
)
from oaflow.domain.clock import parse_instant
from oaflow.domain.security import Principal
from oaflow.services import audit, organisation, runtime
from oaflow.services.app import App

group = typer.Typer(help="The organisation: departments, users, roles.", no_args_is_help=True)


@group.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="An organisation file (.yaml, .csv or .xlsx).")],
    as_: AsOpt,
    effective: Annotated[
        str | None, typer.Option("--effective", help="Apply from this instant on (ISO-8601).")
    ] = None,
) -> None:
    """Replace the organisation by the file's, now or from --effective on (tasks created
    after that resolve to the new heads and members); nothing changes if it has problems.
    Administrators import; the first import of an empty database is made by one of the
    administrators the file names."""

    def body(app: App) -> None:
        when = parse_instant(effective, app.calendar.tz) if effective else None
        address = cli_address()
        with audit.denials_recorded(app, as_, address):
            org = organisation.import_org(app, as_, file, when, address)
        console.print(
            zh(
                f"已导入 {len(org.departments)} 个部门、{len(org.users)} 个用户",
                f"imported {len(org.departments)} departments, {len(org.users)} users",
            )
        )

    run_command(body)


@group.command()
def export(
    file: Annotated[Path, typer.Argument(help="Where to write (.yaml, .csv or .xlsx).")],
    as_: AsOpt,
) -> None:
    """Write the organisation to a YAML, CSV or Excel (.xlsx) file (auditors, administrators)."""

    def body(app: App, who: Principal) -> None:
        org = organisation.export_org(app, who, file)
        departments, people = len(org.departments), len(org.users)
        console.print(
            zh(
                f"已导出 {departments} 个部门、{people} 个用户到 {file}",
                f"exported {departments} departments, {people} users to {file}",
            ),
            markup=False,
        )

    run_as(as_, body)


@group.command()
def users(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The users with their departments (name and code) and roles."""

    def body(app: App, who: Principal) -> None:
        rows = organisation.users(app, who)
        print_rows(
            json_,
            as_json(app, rows),
            zh("用户", "Users"),
            [
                zh("登录名", "login"),
                zh("姓名", "name"),
                zh("部门", "departments"),
                zh("角色", "roles"),
            ],
            [
                [
                    r.login,
                    say(r.name),
                    "、".join(f"{say(d.name)} ({d.code})" for d in r.departments),
                    ", ".join(r.roles),
                ]
                for r in rows
            ],
        )

    run_as(as_, body)


@group.command("move-tasks")
def move_tasks(
    from_: Annotated[str, typer.Option("--from", help="Whose open tasks (e.g. someone who left).")],
    to: Annotated[str, typer.Option("--to", help="Who gets them.")],
    as_: AsOpt,
) -> None:
    """Move every open task of one person to another (administrators; ORG-2)."""

    def body(app: App, who: Principal) -> None:
        moved = runtime.move_open_tasks(app, who, from_, to)
        console.print(
            zh(
                f"已将 {len(moved)} 个待办从 {from_} 转给 {to}",
                f"moved {len(moved)} open task(s) from {from_} to {to}",
            )
        )

    run_as(as_, body)
