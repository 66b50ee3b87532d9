"""`oaflow template list|blank|export|import`: the manual's four templates (TPL-1..4) as
Excel (.xlsx) and CSV (UTF-8 with BOM) files — see docs/templates.md."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from oaflow.cli.common import (
    AsOpt,
    JsonOpt,
    console,
    handled,
    lang,
    print_json,
    print_rows,
    run_as,
    say,
    write_file,
    zh,
)
from oaflow.domain.exception_loop import OPEN_STATES, ExceptionState
from oaflow.domain.security import Principal
from oaflow.domain.states import InstanceState
from oaflow.present import template1, template2, template3, templates
from oaflow.present.sheets import Sheet
from oaflow.services import templates as service
from oaflow.services.app import App
from oaflow.services.files import read_bytes
from oaflow.services.views import InstanceFilter

E = TypeVar("E", bound=StrEnum)
group = typer.Typer(
    no_args_is_help=True,
    help="The manual's templates 1-4 as Excel/CSV: blank sheets, exports and imports.",
)
NumberArg = Annotated[int, typer.Argument(help="The template: 1, 2, 3 or 4.", min=1, max=4)]
OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="The file to write: .xlsx or .csv (default: .xlsx)."),
]


def _format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in templates.FORMATS:
        raise typer.BadParameter(zh("文件名用 .xlsx 或 .csv", "name the file .xlsx or .csv"))
    return suffix


def _write(path: Path, pages: list[Sheet], json_: bool, rows: int) -> None:
    write_file(path, templates.file_bytes(pages, _format(path)))
    if json_:
        print_json({"file": str(path), "rows": rows})
    else:
        console.print(
            zh(f"已写入 {path}（{rows} 行）", f"wrote {path} ({rows} rows)"), markup=False
        )


@group.command("list")
def template_list(json_: JsonOpt = False) -> None:
    """The four templates: what each is for, and which can be imported."""
    items = [
        {
            "number": n,
            "name": say(templates.NAMES[n]),
            "use": say(templates.USES[n]),
            "importable": n in templates.IMPORTABLE,
        }
        for n in templates.NAMES
    ]
    print_rows(
        json_,
        items,
        zh("模板", "Templates"),
        ["#", zh("名称", "name"), zh("用途", "use")],
        [[i["number"], i["name"], i["use"]] for i in items],
    )


@group.command("blank")
def template_blank(number: NumberArg, output: OutOpt = None, json_: JsonOpt = False) -> None:
    """A blank template: its headers and the manual's example row as a sample."""
    path = output or Path(templates.file_name(number, "blank", "xlsx"))
    with handled():
        _write(path, templates.blank(number, lang()), json_, 1)


@group.command("export")
def template_export(
    number: NumberArg,
    as_: AsOpt,
    key: Annotated[
        str | None,
        typer.Argument(help="1: a business key; 2: a process key; 3: a business key (optional)."),
    ] = None,
    output: OutOpt = None,
    version: Annotated[
        str | None, typer.Option("--version", help="2: the version (2, V1.1); default newest.")
    ] = None,
    process: Annotated[str | None, typer.Option("--process", help="3, 4: one process.")] = None,
    department: Annotated[
        str | None,
        typer.Option("--department", help="3: initiating, 4: responsible department (code)."),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option("--state", help="3: running|completed|rejected|cancelled; 4: found …"),
    ] = None,
    open_: Annotated[bool, typer.Option("--open", help="4: records not closed yet.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Export an instance (1), a definition (2), progress (3) or exception records (4)."""
    if number in (1, 2) and not key:
        raise typer.BadParameter(zh("模板1、2需要 KEY", "templates 1 and 2 need KEY"))
    path = output or Path(templates.file_name(number, key or "export", "xlsx"))

    def body(app: App, who: Principal) -> None:
        pages, rows = _pages(
            app, who, number, key or "", version, process, department, state, open_
        )
        _write(path, pages, json_, rows)

    run_as(as_, body)


def _pages(
    app: App,
    who: Principal,
    number: int,
    key: str,
    version: str | None,
    process: str | None,
    department: str | None,
    state: str | None,
    open_: bool,
) -> tuple[list[Sheet], int]:
    if number == 1:
        found = service.start_form_rows(app, who, key, lang())
        return [template1.sheet(found, lang())], len(found.rows)
    if number == 2:
        exported = service.definition_rows(app, who, key, version, lang())
        return template2.sheets(exported, lang()), len(exported.rows)
    tz = app.calendar.tz
    if number == 3:
        wanted = InstanceFilter(
            process=process,
            department=department,
            state=_state(InstanceState, state),
        )
        progress = service.progress_rows(app, who, key or None, wanted)
        return [template3.sheet(progress, lang(), tz)], len(progress)
    chosen = _state(ExceptionState, state)
    states = [chosen] if chosen else sorted(OPEN_STATES) if open_ else []
    records = service.exception_rows(app, who, states, process, department)
    return [templates.template4_sheet(records, lang(), tz)], len(records)


def _state(kind: type[E], value: str | None) -> E | None:
    """``--state`` as one of ``kind``'s values (wrong usage otherwise)."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(s.value for s in kind)
        raise typer.BadParameter(f"--state: {value} ({known})") from None


@group.command("import")
def template_import(
    number: Annotated[int, typer.Argument(help="The template: 1 (start forms) or 2 (process).")],
    file: Annotated[Path, typer.Argument(help="The filled sheet: .xlsx or .csv.")],
    as_: AsOpt,
    process: Annotated[
        str | None, typer.Option("--process", help="1: the process each row starts.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row; start or publish nothing.")
    ] = False,
    key: Annotated[str | None, typer.Option("--key", help="2: the process key.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="2: the name (中文).")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en", help="2: the English name.")] = None,
    initiators: Annotated[
        str | None, typer.Option("--initiators", help="2: initiating departments, 市场部、rnd")
    ] = None,
    business_key: Annotated[
        str | None, typer.Option("--business-key", help="2: e.g. XQ{yyyy}{MM}{seq:03}")
    ] = None,
    major: Annotated[bool, typer.Option("--major", help="2: a new major version.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Import Template 1 rows as started instances, or a Template 2 sheet as a definition."""
    if number not in templates.IMPORTABLE:
        raise typer.BadParameter(zh("只有模板1和模板2可导入", "only templates 1 and 2 import"))
    if number == 1 and not process:
        raise typer.BadParameter(zh("模板1需要 --process", "template 1 needs --process"))
    options = {
        "key": key or "",
        "name": name or "",
        "name_en": name_en or "",
        "initiators": initiators or "",
        "business_key": business_key or "",
    }

    def body(app: App, who: Principal) -> None:
        data = read_bytes(file)
        if number == 1:
            _start(app, who, data, file.name, process or "", dry_run, json_)
        else:
            _define(app, who, data, file.name, options, dry_run, major, json_)

    run_as(as_, body)


def _start(
    app: App, who: Principal, data: bytes, name: str, process: str, dry_run: bool, json_: bool
) -> None:
    started = service.import_start_forms(app, who, data, name, process, dry_run)
    if json_:
        print_json(
            [{"row": s.row, "title": s.title, "business_key": s.business_key} for s in started]
        )
        return
    for item in started:
        done = item.business_key or zh("（检查通过，未发起）", "(checked, not started)")
        console.print(
            f"{zh('第', 'row ')}{item.row}{zh('行', '')}: {item.title} → {done}", markup=False
        )


def _define(
    app: App,
    who: Principal,
    data: bytes,
    name: str,
    options: dict[str, str],
    dry_run: bool,
    major: bool,
    json_: bool,
) -> None:
    result = service.import_definition(app, who, data, name, options, dry_run, major)
    published = result.published
    if json_:
        label = published.label if published else None
        print_json({"key": result.key, "published": label, "source": result.source})
    elif published is None:
        console.print(result.source, markup=False)
        console.print(zh("检查通过，未发布（--dry-run）", "checked, not published (--dry-run)"))
    else:
        console.print(
            zh("已发布", "published") + f" {published.key} v{published.version} {published.label}",
            markup=False,
        )
