"""`oaflow archive list|show|export|verify`: the archives of instances that passed their
archive node (ARC-1) — a folder and a zip with the deliverable files, the history, the
progress table (Template 3), the exception records (Template 4) and a manifest of SHA-256
checksums. Whoever may see an instance may see its archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from oaflow.cli.common import (
    OPTIONS,
    AsOpt,
    JsonOpt,
    console,
    local,
    print_json,
    print_rows,
    run_as,
    zh,
)
from oaflow.domain.security import Principal
from oaflow.present.archive_words import finding_text, size_text, state_text
from oaflow.services import archives
from oaflow.services.app import App
from oaflow.services.archives import ArchiveCheck, ArchiveView

group = typer.Typer(
    help="Archives of finished instances (项目归档): list, show, export, verify.",
    no_args_is_help=True,
)
NameArg = Annotated[str, typer.Argument(help="The archive's name, e.g. 项目归档-2024-新产品A.")]


def archive_json(app: App, view: ArchiveView, files: bool = True) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": view.name,
        "business_key": view.business_key,
        "node_id": view.node_id,
        "state": view.state,
        "state_label": state_text(view.state, OPTIONS.lang),
        "created_at": local(app, view.created_at),
        "built_at": local(app, view.built_at),
        "file_count": len(view.files),
        "total_size": view.total_size,
        "manifest_sha256": view.manifest_sha256,
    }
    if view.error:
        found["error"] = view.error
    if files:
        found["files"] = [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in view.files]
    return found


@group.command("list")
def list_(as_: AsOpt, json_: JsonOpt = False) -> None:
    """The archives of the instances you may see, newest first."""

    def body(app: App, who: Principal) -> None:
        found = archives.archive_list(app, who)
        print_rows(
            json_,
            [archive_json(app, a, files=False) for a in found],
            zh("归档", "Archives"),
            [
                zh("名称", "name"),
                zh("实例", "instance"),
                zh("状态", "state"),
                zh("归档时间", "archived"),
                zh("文件数", "files"),
                zh("大小", "size"),
            ],
            [
                [
                    a.name,
                    a.business_key,
                    state_text(a.state, OPTIONS.lang),
                    local(app, a.created_at),
                    len(a.files),
                    size_text(a.total_size),
                ]
                for a in found
            ],
            whole=2,
        )

    run_as(as_, body)


@group.command("show")
def show(name: NameArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """One archive: its instance, state, and every file with its size and SHA-256."""

    def body(app: App, who: Principal) -> None:
        view = archives.show(app, who, name)
        if json_:
            print_json(archive_json(app, view))
            return
        console.print(
            f"{view.name} · {view.business_key} · {state_text(view.state, OPTIONS.lang)}",
            markup=False,
        )
        console.print(
            zh(f"归档时间 {local(app, view.created_at)}", f"archived {local(app, view.created_at)}")
            + (
                zh(f"，生成于 {local(app, view.built_at)}", f", built {local(app, view.built_at)}")
                if view.built_at
                else ""
            ),
            markup=False,
        )
        total = size_text(view.total_size)
        count = len(view.files) + 1
        console.print(
            zh(
                f"{count} 个文件，共 {total}（SHA-256  大小  文件）:",
                f"{count} files, {total} (SHA-256  size  file):",
            ),
            markup=False,
        )
        for f in view.files:
            console.print(f"  {f.sha256}  {size_text(f.size):>8}  {f.path}", markup=False)
        if view.manifest_sha256:
            console.print(f"  {view.manifest_sha256}  {'':>8}  manifest.json", markup=False)

    run_as(as_, body)


@group.command("export")
def export(
    name: NameArg,
    as_: AsOpt,
    to: Annotated[Path, typer.Option("--to", help="Where to write it (must not exist yet).")],
    folder: Annotated[
        bool, typer.Option("--folder", help="Copy the folder instead of the zip.")
    ] = False,
) -> None:
    """Copy the archive's zip (or, with --folder, its folder) to --to."""

    def body(app: App, who: Principal) -> None:
        written = archives.export(app, who, name, to, folder=folder)
        console.print(zh(f"已导出到 {written}", f"exported to {written}"), markup=False)

    run_as(as_, body)


@group.command("verify")
def verify(name: NameArg, as_: AsOpt, json_: JsonOpt = False) -> None:
    """Compare the folder and the zip with the checksums kept when the archive was built:
    name every changed, missing or extra file (a changed manifest too) and exit 1, or say it
    is intact and exit 0."""

    def body(app: App, who: Principal) -> None:
        found = archives.verify(app, who, name)
        if json_:
            print_json(check_json(app, found))
        else:
            for finding in found.findings:
                console.print(finding_text(finding, OPTIONS.lang), markup=False)
            console.print(_summary(found), markup=False)
        if not found.intact:
            raise typer.Exit(1)

    run_as(as_, body)


def check_json(app: App, found: ArchiveCheck) -> dict[str, Any]:
    return {
        "name": found.name,
        "intact": found.intact,
        "checked_at": local(app, found.checked_at),
        "files": found.files,
        "findings": [
            {
                "where": f.where,
                "path": f.path,
                "problem": f.problem,
                "text": finding_text(f, OPTIONS.lang),
            }
            for f in found.findings
        ],
    }


def _summary(found: ArchiveCheck) -> str:
    if found.intact:
        return zh(
            f"完好：{found.name} 的 {found.files} 个文件与校验和一致（文件夹和压缩包）",
            f"intact: the {found.files} files of {found.name} match their checksums "
            "(folder and zip)",
        )
    return zh(
        f"已被改动：发现 {len(found.findings)} 处问题",
        f"tampered: {len(found.findings)} problem(s) found",
    )
