"""What every command shares: the global options, output as tables or JSON, and errors."""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from oaflow.bootstrap import build_app, driver_errors, explain_failure, require_database
from oaflow.cli.hints import cli_hint
from oaflow.config import Settings
from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import InputError, OAFlowError, ValidationError
from oaflow.domain.security import Principal
from oaflow.domain.text import Text
from oaflow.present.json_view import jsonable
from oaflow.present.words import local_time, state_label
from oaflow.services import audit, authz
from oaflow.services.app import App
from oaflow.services.views import InstanceSummary

AsOpt = Annotated[
    str,
    typer.Option(
        "--as",
        envvar="OAFLOW_AS",
        help="Your login: the identity you state as an operator (the API proves it).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
#: ids are 64-bit integers in both databases: a larger number is wrong usage, not a crash
MAX_ID = 2**63 - 1

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class Options:
    db: str | None = None
    now: str | None = None
    lang: str = "zh"


OPTIONS = Options()


#: the instants a simulated clock may be set to: the years the working calendar knows
EARLIEST, LATEST = 1970, 2099


def app_from_options() -> App:
    settings = Settings()
    clock = None
    if OPTIONS.now:
        try:
            now = parse_instant(OPTIONS.now, settings.timezone)
        except OverflowError:  # before year 1 or after 9999 in UTC
            now = datetime.min.replace(tzinfo=UTC)
        if not EARLIEST <= now.year <= LATEST:
            raise InputError("clock.out_of_range", now=OPTIONS.now, first=EARLIEST, last=LATEST)
        clock = FixedClock(now)
    app = build_app(settings, clock=clock, url=OPTIONS.db)
    app.archive_files = archive_files  # the worker and `tick` build archives' bundles
    return app


def archive_files(*args: Any) -> Mapping[str, bytes]:
    """An archive's readable files (present/archive_files.py, imported when first needed)."""
    from oaflow.present.archive_files import archive_files as written

    return written(*args)


def check_writable(path: Path) -> None:
    """Say at once, before a long piece of work, when its file cannot be written where it is
    asked: the path is a folder, or its folder does not exist."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() or not folder.is_dir():
        reason = (
            zh("是一个文件夹", "is a folder")
            if path.is_dir()
            else zh("文件夹不存在", "no such folder")
        )
        raise InputError("file.cannot_write", path=str(path), reason=reason)


def write_file(path: Path, data: bytes | str) -> None:
    """Write an export (text as UTF-8); a folder that is missing or not writable is a clear
    error, not a traceback."""
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as failed:
        reason = failed.strerror or str(failed)
        raise InputError("file.cannot_write", path=str(path), reason=reason) from None


def zh(zh_text: str, en_text: str) -> str:
    return en_text if OPTIONS.lang == "en" else zh_text


def fail(error: OAFlowError) -> NoReturn:
    lang, tz = OPTIONS.lang, Settings().timezone
    if isinstance(error, ValidationError):
        for problem in error.problems:
            errors.print(problem.text(lang), markup=False)
        errors.print(zh(f"共 {len(error.problems)} 个问题", f"{len(error.problems)} problem(s)"))
    else:
        errors.print(f"{zh('错误', 'error')}: {error.text(lang, tz)}", markup=False)
        hint = cli_hint(error.code, error.params, lang) or error.hint(lang, tz)
        if hint:
            errors.print(f"{zh('提示', 'hint')}: {hint}", markup=False)
    raise typer.Exit(error.exit_code)


@contextmanager
def handled() -> Iterator[None]:
    """Turn OA-Flow errors into a clear message on stderr and exit code 1."""
    try:
        yield
    except OAFlowError as error:
        fail(error)


def run_command(body: Callable[[App], None], creates: bool = False) -> None:
    """Run ``body`` with an App; only ``creates`` commands (init) may create a database."""
    with handled():
        app = app_from_options()
        try:
            if not creates:
                require_database(app)
            body(app)
        except driver_errors() as exc:
            explained = explain_failure(app, exc)
            if explained is not None:
                raise explained from None
            raise
        finally:
            app.db.dispose()


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def print_rows(
    json_: bool,
    rows: Any,
    title: str,
    columns: Sequence[str],
    cells: Sequence[Sequence[Any]],
    whole: int = 0,
) -> None:
    """A list command's answer: ``rows`` as JSON with --json, else a table of ``cells``
    whose first ``whole`` columns (ids, keys) are never cut short."""
    if json_:
        print_json(rows)
    else:
        print_table(title, columns, cells, whole)


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], whole: int = 0
) -> None:
    table = Table(title=title, title_justify="left")
    for number, column in enumerate(columns):
        table.add_column(column, no_wrap=number < whole)
    for row in rows:
        table.add_row(*("" if v is None else escape(str(v)) for v in row))
    console.print(table)


def run_as(login: str, body: Callable[[App, Principal], None]) -> None:
    """Run ``body`` as the person ``login`` states to be (``--as``): the same checks as for
    a caller the API has signed in (the CLI is the operator's tool, docs/cli.md); a refusal
    goes to the audit log."""

    def as_principal(app: App) -> None:
        who = replace(authz.principal(app, login), address=cli_address())
        with audit.denials_recorded(app, who):
            body(app, who)

    run_command(as_principal)


def cli_address() -> str:
    """Where a command comes from, for the audit log: ``cli:user@host``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return f"cli:{user}@{socket.gethostname()}"


def lang() -> str:
    return OPTIONS.lang


def as_json(app: App, view: Any) -> Any:
    """A typed view (or a list of them) as the JSON document --json prints."""
    return jsonable(view, OPTIONS.lang, app.calendar.tz)


def local(app: App, at: datetime | None) -> str | None:
    return local_time(at, app.calendar.tz)


def say(text: Text | None) -> str:
    return text.get(OPTIONS.lang) if text is not None else ""


def headline(summary: InstanceSummary) -> str:
    """``PROJ20240301 · 新产品上市 · 新产品A上市推进 · 已完成``"""
    return " · ".join(
        (
            summary.business_key,
            say(summary.process_name),
            summary.title,
            state_label(summary.state, OPTIONS.lang),
        )
    )
