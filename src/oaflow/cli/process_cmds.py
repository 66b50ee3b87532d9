"""`oaflow process validate|publish|list|versions|diff|show|diagram`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oaflow.bootstrap import require_database
from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    console,
    lang,
    local,
    print_json,
    print_rows,
    run_as,
    run_command,
    say,
    zh,
)
from oaflow.domain.errors import OAFlowError
from oaflow.domain.security import Principal
from oaflow.present.version_diff import change_rows
from oaflow.services import catalog, knowledge
from oaflow.services.app import App
from oaflow.services.files import read_text

group = typer.Typer(
    help="Process definitions: validate, publish, list, versions, diff, show, diagram.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="A process definition (YAML).")]
RefHelp = "A version: its number (2), its V-number (V1.1) or its whole label."
VersionOpt = Annotated[str | None, typer.Option("--version", help=RefHelp + " Default: newest.")]


@group.command()
def validate(file: FileArg) -> None:
    """Check a definition; report every problem with file:line and a fix hint."""

    def body(app: App) -> None:
        try:
            require_database(app)
        except OAFlowError:
            definition = catalog.validate(None, read_text(file), str(file))
            console.print(
                zh(
                    "(无数据库：未核对组织架构中的部门和人员)",
                    "(no database: departments and users were not checked)",
                )
            )
        else:
            definition = catalog.validate(app, read_text(file), str(file))
        nodes = len(definition.nodes)
        console.print(
            zh(
                f"{file}: 校验通过 ({definition.key}, {nodes} 个节点)",
                f"{file}: valid ({definition.key}, {nodes} nodes)",
            )
        )

    run_command(body, creates=True)


@group.command()
def publish(
    file: FileArg,
    as_: AsOpt,
    major: Annotated[
        bool, typer.Option("--major", help="A major version (V2.0); default a minor one (V1.1).")
    ] = False,
    note: Annotated[
        str, typer.Option("--note", help="The change note (change log), e.g. 简化预算审批级次.")
    ] = "",
) -> None:
    """Validate and publish a definition as a new immutable version (administrators); from
    the second version on, the change notice goes to the departments the process involves."""

    def body(app: App, who: Principal) -> None:
        published = catalog.publish(app, who, read_text(file), str(file), major=major, note=note)
        console.print(
            zh("已发布", "published") + f" {published.key} v{published.version} {published.label}"
        )
        if published.notified:
            people = len(published.notified)
            console.print(
                zh(
                    f"流程变更通知已发给 {people} 人（各相关部门负责人、接口人和管理员）",
                    f"change notice sent to {people} people (the departments' heads and "
                    "interface persons, the administrators)",
                )
            )

    run_as(as_, body)


@group.command("list")
def list_(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The published processes (newest version of each)."""

    def body(app: App, who: Principal) -> None:
        rows = catalog.list_published(app, who)
        print_rows(
            json_,
            as_json(app, rows),
            zh("已发布流程", "Published processes"),
            [zh("流程", "key"), zh("版本", "version"), zh("名称", "name"), zh("版本号", "label")],
            [[r.key, r.version, say(r.name), r.label] for r in rows],
        )

    run_as(as_, body)


@group.command("versions")
def versions(key: str, as_: AsOpt, json_: JsonOpt = False) -> None:
    """Every published version of a process, newest first: who published it and when."""

    def body(app: App, who: Principal) -> None:
        rows = catalog.versions(app, who, key)
        print_rows(
            json_,
            as_json(app, rows),
            zh(f"{key} 的版本", f"Versions of {key}"),
            [
                zh("版本", "version"),
                zh("版本号", "label"),
                zh("发布人", "by"),
                zh("发布时间", "at"),
                zh("变更说明", "change note"),
            ],
            [
                [r.version, r.label, say(r.published_by.name), local(app, r.published_at), r.note]
                for r in rows
            ],
        )

    run_as(as_, body)


@group.command("diff")
def diff(
    key: str,
    as_: AsOpt,
    from_: Annotated[str, typer.Option("--from", help=RefHelp)],
    to: Annotated[str, typer.Option("--to", help=RefHelp)],
    json_: JsonOpt = False,
) -> None:
    """What changed from one version to another, in words: nodes, owners, limits, rules,
    form fields."""

    def body(app: App, who: Principal) -> None:
        compared = knowledge.compare(app, who, key, from_, to)
        rows = change_rows(compared.diff)
        if json_:
            print_json(
                {
                    "key": key,
                    "from": as_json(app, compared.old),
                    "to": as_json(app, compared.new),
                    "changes": rows,
                }
            )
            return
        console.print(f"{key}: {compared.old.label} → {compared.new.label}", markup=False)
        if not rows:
            console.print(zh("两个版本没有差异", "the two versions are the same"))
        for number, row in enumerate(rows, 1):
            console.print(f"{number}. {row['en' if lang() == 'en' else 'zh']}", markup=False)

    run_as(as_, body)


@group.command()
def show(key: str, as_: AsOpt, version: VersionOpt = None, json_: JsonOpt = False) -> None:
    """A published definition: its version's label and YAML text."""

    def body(app: App, who: Principal) -> None:
        stored, definition = catalog.shown(app, who, key, version)
        if json_:
            nodes = [
                {"id": n.id, "type": n.type.value, "name": say(n.name)}
                for n in definition.nodes.values()
            ]
            print_json({**as_json(app, stored), "nodes": nodes})
            return
        console.print(f"{stored.label}  ({stored.key} v{stored.version})")
        console.print(stored.source, markup=False)

    run_as(as_, body)


@group.command()
def diagram(
    key: str,
    as_: AsOpt,
    version: VersionOpt = None,
    format_: Annotated[
        str, typer.Option("--format", help="mermaid (svg comes with the web UI).")
    ] = "mermaid",
) -> None:
    """Render a definition as a diagram (Mermaid text)."""
    if format_ != "mermaid":
        raise typer.BadParameter(
            "only mermaid is available on the command line", param_hint="--format"
        )

    def body(app: App, who: Principal) -> None:
        print(catalog.diagram(app, who, key, version, lang()))

    run_as(as_, body)
