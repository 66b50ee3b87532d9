"""`oaflow access show|grant` and `oaflow policy list|set`: who may do what on a process
(SEC-2) and the compliance pre-review policies (DEF-7) — administrators' settings."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import AsOpt, JsonOpt, console, print_json, print_table, run_as, zh
from oaflow.domain.security import Principal
from oaflow.services import access
from oaflow.services.access import ProcessGrants
from oaflow.services.app import App

access_group = typer.Typer(
    help="Permissions per process and role (initiate, handle, submit, view).", no_args_is_help=True
)
policy_group = typer.Typer(
    help="Compliance policies (合规性审查前置): which departments approve first.",
    no_args_is_help=True,
)


def _print_grants(found: ProcessGrants, json_: bool) -> None:
    if json_:
        print_json(
            {
                "process": found.process,
                "grants": {p.value: [r.value for r in roles] for p, roles in found.grants.items()},
                "custom": sorted(p.value for p in found.custom),
            }
        )
        return
    print_table(
        zh(f"{found.process} 的权限", f"Permissions on {found.process}"),
        [zh("权限", "permission"), zh("角色", "roles"), zh("来源", "source")],
        [
            [
                p.value,
                ", ".join(r.value for r in roles) or zh("（无人）", "(nobody)"),
                zh("已设置", "set") if p in found.custom else zh("默认", "default"),
            ]
            for p, roles in found.grants.items()
        ],
    )


@access_group.command("show")
def show(
    process: Annotated[str, typer.Argument(help="A process key.")],
    as_: AsOpt,
    json_: JsonOpt = False,
) -> None:
    """The roles that hold each permission on a process."""
    run_as(as_, lambda app, who: _print_grants(access.grants(app, who, process), json_))


@access_group.command("grant")
def grant(
    process: Annotated[str, typer.Argument(help="A process key.")],
    permission: Annotated[str, typer.Argument(help="initiate, handle, submit or view.")],
    as_: AsOpt,
    roles: Annotated[
        str,
        typer.Option(
            "--roles",
            help="Comma-separated roles (member, head, supervising_leader, general_manager, "
            "administrator, auditor); empty: nobody; 'default': the defaults.",
        ),
    ],
) -> None:
    """Give a permission on a process to exactly these roles (administrators)."""

    def body(app: App, who: Principal) -> None:
        _print_grants(access.grant(app, who, process, permission, roles.split(",")), False)

    run_as(as_, body)


def _print_policies(found: dict[str, tuple[str, ...]], json_: bool) -> None:
    if json_:
        print_json({tag: list(codes) for tag, codes in found.items()})
        return
    print_table(
        zh("合规策略", "Compliance policies"),
        [zh("标签", "tag"), zh("须先审批的部门（任一）", "departments (one of them approves)")],
        [[tag, ", ".join(codes)] for tag, codes in sorted(found.items())],
    )


@policy_group.command("list")
def policy_list(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The policies checked when a definition is published."""
    run_as(as_, lambda app, who: _print_policies(dict(access.policies(app, who)), json_))


@policy_group.command("set")
def policy_set(
    tag: Annotated[str, typer.Argument(help="A policy tag, e.g. contract or data-use.")],
    as_: AsOpt,
    departments: Annotated[
        str, typer.Option("--departments", help="Comma-separated codes, e.g. leg,cmp; empty: drop.")
    ],
) -> None:
    """Set which departments must approve first for processes with TAG (administrators)."""

    def body(app: App, who: Principal) -> None:
        found = access.set_policy(app, who, tag, departments.split(","))
        console.print(zh("已保存", "saved"), markup=False)
        _print_policies(dict(found), False)

    run_as(as_, body)
