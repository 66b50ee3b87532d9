"""`oaflow keys status|rotate|new`: the keys that encrypt sensitive fields (SEC-3,
docs/adr/0008). Keys are configured with OAFLOW_KEYS or OAFLOW_KEY_FILE, never stored in
the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    console,
    errors,
    handled,
    lang,
    print_json,
    print_table,
    run_as,
    zh,
)
from oaflow.domain.security import Principal
from oaflow.services import keys
from oaflow.services.app import App
from oaflow.services.keys import KeyStatus
from oaflow.services.keys import Progress as Report

group = typer.Typer(
    help="The keys that encrypt sensitive fields (OAFLOW_KEYS or OAFLOW_KEY_FILE).",
    no_args_is_help=True,
)

_CHECKS = {
    "ok": ("匹配", "matches"),
    "wrong": ("不匹配！", "WRONG KEY"),
    "none": ("尚无", "none yet"),
    "unknown": ("未配置", "not configured"),
    "": ("", ""),
}


def print_warnings(app: App) -> None:
    """What the keys' configuration should change (init and serve print it)."""
    for warning in keys.warnings(app):
        hint = warning.hint(lang())
        errors.print(
            f"{zh('警告', 'warning')}: {warning.text(lang())}" + (f" ({hint})" if hint else ""),
            markup=False,
        )


def _print_status(found: KeyStatus, json_: bool) -> None:
    if json_:
        print_json(
            {
                "keys": [
                    {
                        "kid": k.kid or None,
                        "configured": k.configured,
                        "current": k.current,
                        "check": k.check or None,
                        "instances": k.instances,
                        "tasks": k.tasks,
                    }
                    for k in found.keys
                ],
                "plain": found.plain,
            }
        )
        return
    print_table(
        zh("加密密钥", "Encryption keys"),
        [
            zh("密钥编号", "key id"),
            zh("已配置", "configured"),
            zh("校验值", "check"),
            zh("实例中的值", "values in instances"),
            zh("任务中的值", "values in tasks"),
        ],
        [
            [
                (k.kid + zh("（当前）", " (current)") if k.current else k.kid)
                or zh("（明文）", "(plain)"),
                (zh("是", "yes") if k.configured else zh("否", "no")) if k.kid else "",
                zh(*_CHECKS[k.check]),
                k.instances,
                k.tasks,
            ]
            for k in found.keys
        ],
    )


@group.command("status")
def status(as_: AsOpt, json_: JsonOpt = False) -> None:
    """Which key ids seal the database's sensitive values, and how many each (plain values
    of sensitive fields counted apart)."""
    run_as(as_, lambda app, who: _print_status(keys.status(app, who), json_))


@contextmanager
def _progress() -> Iterator[Report]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as progress:
        bar = progress.add_task(zh("重新加密", "re-encrypting"), total=None)

        def report(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        yield report


@group.command("rotate")
def rotate(
    as_: AsOpt,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=10_000, help="Rows per transaction.")
    ] = keys.BATCH,
) -> None:
    """Encrypt every sensitive value with the current key (the first one configured),
    plain values from before encryption too; then the old key may be removed (administrators).
    Running it again changes nothing."""

    def body(app: App, who: Principal) -> None:
        with _progress() as report:
            done = keys.rotate(app, who, report, batch)
        console.print(
            zh(
                f"已用密钥 {done.kid} 重新加密 {done.resealed} 个值（共检查 {done.rows} 行）",
                f"{done.resealed} value(s) encrypted with the key {done.kid} "
                f"({done.rows} row(s) gone through)",
            ),
            markup=False,
        )

    run_as(as_, body)


@group.command("new")
def new(
    kid: Annotated[str, typer.Option("--id", help="The new key's id, e.g. 2027a.")],
) -> None:
    """Print a new random 256-bit key as an entry for OAFLOW_KEYS or the key file (put it
    first to make it current, then run `oaflow keys rotate`)."""
    with handled():
        console.print(keys.new_key(kid), markup=False, soft_wrap=True)
