"""`oaflow process migrate KEY --from V --to W --map old=new … [--dry-run]` (VER-4), on the
`process` group of process_cmds: running instances moved to another version, administrators
only. Every instance is checked first; a table says per instance what was (or would be) done
and every reason an instance was refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from oaflow.cli.common import AsOpt, JsonOpt, console, lang, print_json, run_as, zh
from oaflow.cli.process_cmds import group
from oaflow.domain.security import Principal
from oaflow.engine.migrate import parse_entries
from oaflow.present.migration import report_document, summary
from oaflow.services import migration
from oaflow.services.app import App
from oaflow.services.migration import Progress as Report

#: from this many instances on, a progress bar shows (on a terminal)
BAR_FROM = 20


@group.command("migrate")
def migrate(
    key: Annotated[str, typer.Argument(help="The process key.")],
    as_: AsOpt,
    from_: Annotated[
        str, typer.Option("--from", help="The version migrated from: 1, V1.0 or its label.")
    ],
    to: Annotated[str, typer.Option("--to", help="The version migrated to: 2, V1.1 or its label.")],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="old=new: the node `old` of --from is `new` in --to (repeat it). Nodes with "
            "the same id in both versions map to themselves.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every instance and change nothing.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Move the running instances of one version to another (administrators): every instance
    is checked first, then each safe one is migrated whole in its own transaction."""

    def body(app: App, who: Principal) -> None:
        mapping = parse_entries(map_ or [])
        with _progress(json_) as report:
            done = migration.migrate(app, who, key, from_, to, mapping, dry_run, report)
        document = report_document(done, lang(), app.calendar.tz)
        if json_:
            print_json(document)
            return
        _print(document)
        console.print(summary(done, lang()), markup=False)

    run_as(as_, body)


def _print(document: dict[str, object]) -> None:
    source, target = document["from"], document["to"]
    assert isinstance(source, dict) and isinstance(target, dict)
    title = f"{document['key']}: {source['label']} → {target['label']}"
    rows = []
    instances = document["instances"]
    assert isinstance(instances, list)
    for item in instances:
        moves = ", ".join(f"{m['from']}→{m['to']}" for m in item["moves"])
        reasons = "\n".join(zh("•", "• ") + p["text"] for p in item["problems"])
        rows.append(
            [
                item["business_key"],
                item["title"],
                ", ".join(item["at_nodes"]),
                item["outcome_label"],
                reasons or moves,
            ]
        )
    columns = [
        zh("业务编号", "business key"),
        zh("标题", "title"),
        zh("当前节点", "at"),
        zh("结果", "outcome"),
        zh("节点映射 / 原因", "nodes renamed / reasons"),
    ]
    table = Table(title=title, title_justify="left")
    for number, column in enumerate(columns):
        table.add_column(column, no_wrap=number == 0, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(v)) for v in row))
    console.print(table)


@contextmanager
def _progress(quiet: bool) -> Iterator[Report]:
    """A bar over the instances checked, then over those migrated, when there are many."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    shown = not quiet and console.is_terminal
    with Progress(*columns, console=console, transient=True, disable=not shown) as progress:
        bar = progress.add_task(zh("检查实例", "checking instances"), total=None, visible=False)
        phase = {"checking": True}

        def report(done: int, total: int) -> None:
            if done == 1 and not phase["checking"]:
                progress.update(bar, description=zh("迁移实例", "migrating instances"))
            if done == total:
                phase["checking"] = False
            visible = total >= BAR_FROM
            progress.update(bar, completed=done, total=total, visible=visible)

        yield report
