"""`oaflow token create|list|revoke` (API tokens of other systems) and `oaflow password`
(SEC-1)."""

from __future__ import annotations

from typing import Annotated

import typer

from oaflow.cli.common import (
    MAX_ID,
    AsOpt,
    JsonOpt,
    as_json,
    console,
    local,
    print_json,
    print_rows,
    run_as,
    zh,
)
from oaflow.domain.security import Principal
from oaflow.services import auth
from oaflow.services.app import App

group = typer.Typer(help="API tokens of other systems: create, list, revoke.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(group, name="token")
    cli.command("password")(password)


@group.command("create")
def create(
    as_: AsOpt,
    name: Annotated[str, typer.Option("--name", help="What it is for, e.g. finance-sync.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read and/or write (repeat; default read).")
    ] = None,
    for_: Annotated[
        str | None, typer.Option("--for", help="The login it acts as (default: you).")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=366, help="Valid this long.")] = 90,
    json_: JsonOpt = False,
) -> None:
    """Make a token; its secret is printed once — only its hash is kept."""

    def body(app: App, who: Principal) -> None:
        scopes = scope or ["read"]
        secret, made = auth.create_token(app, who, for_ or who.login, name, scopes, days)
        if json_:
            print_json({**as_json(app, made), "token": secret})
            return
        console.print(secret, markup=False)
        until = local(app, made.expires_at)
        console.print(
            zh(
                f"令牌 {made.id}（{made.login}，{'、'.join(made.scopes)}）有效至 {until}；"
                "请妥善保存，只显示这一次",
                f"token {made.id} ({made.login}, {', '.join(made.scopes)}) valid until {until}; "
                "keep it safe, it is shown only once",
            ),
            markup=False,
        )

    run_as(as_, body)


@group.command("list")
def list_(as_: AsOpt, json_: JsonOpt = False) -> None:
    """Your tokens (everyone's for auditors and administrators); secrets are never shown."""

    def body(app: App, who: Principal) -> None:
        rows = auth.tokens(app, who)
        print_rows(
            json_,
            as_json(app, rows),
            zh("API 令牌", "API tokens"),
            [
                "ID",
                zh("名称", "name"),
                zh("账号", "login"),
                zh("范围", "scopes"),
                zh("到期", "expires"),
                zh("状态", "state"),
            ],
            [
                [
                    t.id,
                    t.name,
                    t.login,
                    ",".join(t.scopes),
                    local(app, t.expires_at),
                    zh("已吊销", "revoked") if t.revoked_at else "",
                ]
                for t in rows
            ],
        )

    run_as(as_, body)


@group.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="Token ID (see list).", min=1, max=MAX_ID)],
    as_: AsOpt,
) -> None:
    """Revoke a token at once."""

    def body(app: App, who: Principal) -> None:
        auth.revoke_token(app, who, token_id)
        console.print(zh(f"令牌 {token_id} 已吊销", f"token {token_id} revoked"), markup=False)

    run_as(as_, body)


def password(
    login: Annotated[str, typer.Argument(help="Whose password (yours, or anyone's as admin).")],
    as_: AsOpt,
    new: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="OAFLOW_NEW_PASSWORD",
            help="The new password (asked for when not given).",
        ),
    ],
) -> None:
    """Set a password (at least 8 characters); the person's sessions end."""

    def body(app: App, who: Principal) -> None:
        auth.set_password(app, who, login, new)
        console.print(zh(f"{login} 的密码已更新", f"password of {login} changed"), markup=False)

    run_as(as_, body)
