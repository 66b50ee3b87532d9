"""`oaflow bpmn export|import`: process definitions as BPMN 2.0 XML (DEF-1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    as_json,
    console,
    lang,
    print_json,
    run_as,
    write_file,
    zh,
)
from oaflow.domain.security import Principal
from oaflow.present.bpmn_export import to_bpmn
from oaflow.services import bpmn
from oaflow.services.app import App
from oaflow.services.files import read_bytes

group = typer.Typer(
    help="BPMN 2.0: export a published process for a modeler; import a drawn one.",
    no_args_is_help=True,
)


@group.command("export")
def export(
    key: str,
    as_: AsOpt,
    version: Annotated[
        str | None, typer.Option("--version", help="A version: its number or label (V1.1).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the XML here (.bpmn).")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """A published version as BPMN 2.0 XML with its diagram (stdout, or -o FILE; --json:
    key, version, label and the XML)."""

    def body(app: App, who: Principal) -> None:
        ref: int | str | None = int(version) if version and version.isdigit() else version
        stored = bpmn.exported(app, who, key, ref)
        xml = to_bpmn(stored.source, f"{stored.key}.yaml")
        if json_:
            if output is not None:
                write_file(output, xml)
            print_json(
                {"key": stored.key, "version": stored.version, "label": stored.label, "xml": xml}
            )
            return
        if output is None:
            console.print(xml, markup=False, end="")
            return
        write_file(output, xml)
        console.print(
            zh(f"已导出 {stored.label} 到 {output}", f"exported {stored.label} to {output}")
        )

    run_as(as_, body)


@group.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A BPMN 2.0 file (.bpmn or .xml).")],
    as_: AsOpt,
    publish: Annotated[
        bool, typer.Option("--publish", help="Publish it as a new version when it is valid.")
    ] = False,
    major: Annotated[
        bool, typer.Option("--major", help="With --publish: a new major version.")
    ] = False,
    note: Annotated[
        str, typer.Option("--note", help="With --publish: what changed (the change log).")
    ] = "",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the definition (YAML) here.")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Turn a BPMN file into a definition and validate it (a dry run unless --publish);
    every problem is listed and nothing is published when there is one (administrators)."""

    def body(app: App, who: Principal) -> None:
        found = bpmn.imported(
            app, who, read_bytes(file), file.name, publish=publish, major=major, note=note
        )
        if output is not None:
            write_file(output, found.source)
        if json_:
            document = as_json(app, found)
            document["notes"] = [n.text(lang()) for n in found.notes]
            print_json(document)
            return
        for n in found.notes:
            console.print(f"{zh('默认', 'default')}: {n.text(lang())}", markup=False)
        console.print(
            zh(
                f"{file}: 校验通过 ({found.key}, {found.nodes} 个节点)",
                f"{file}: valid ({found.key}, {found.nodes} nodes)",
            )
        )
        if found.published is not None:
            p = found.published
            console.print(zh("已发布", "published") + f" {p.key} v{p.version} {p.label}")
        elif output is not None:
            console.print(zh(f"定义已写入 {output}", f"definition written to {output}"))

    run_as(as_, body)
