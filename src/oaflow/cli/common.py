"""What every command shares: the global options, output as tables or JSON, and errors."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError

from oaflow.bootstrap import build_app
from oaflow.cli.hints import hint_for
from oaflow.config import Settings
from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import OAFlowError, ValidationError
from oaflow.services.app import App

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class Options:
    db: str | None = None
    now: str | None = None
    lang: str = "zh"


OPTIONS = Options()


def app_from_options() -> App:
    settings = Settings()
    settings.lang = OPTIONS.lang
    clock = FixedClock(parse_instant(OPTIONS.now, settings.timezone)) if OPTIONS.now else None
    return build_app(settings, clock=clock, url=OPTIONS.db)


def zh(zh_text: str, en_text: str) -> str:
    return en_text if OPTIONS.lang == "en" else zh_text


def fail(error: OAFlowError) -> NoReturn:
    lang = OPTIONS.lang
    if isinstance(error, ValidationError):
        for problem in error.problems:
            errors.print(problem.text(lang), markup=False)
        errors.print(zh(f"共 {len(error.problems)} 个问题", f"{len(error.problems)} problem(s)"))
    else:
        errors.print(f"{zh('错误', 'error')}: {error.text(lang)}", markup=False)
        hint = hint_for(error.fault, lang)
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
                require_schema(app)
            body(app)
        except database_errors() as exc:
            if any(sign in str(exc) for sign in SCHEMA_SIGNS):
                raise no_schema(app) from None
            raise
        finally:
            app.db.dispose()


def database_errors() -> tuple[type[Exception], ...]:
    """The drivers' errors that can say the schema is missing; psycopg's only when it was
    loaded (it is not imported for SQLite: a tenth of the command's start-up)."""
    psycopg = sys.modules.get("psycopg")
    loaded: tuple[type[Exception], ...] = (psycopg.Error,) if psycopg is not None else ()
    return (OperationalError, ProgrammingError, sqlite3.OperationalError, *loaded)


def require_schema(app: App) -> None:
    url = app.db.engine.url
    is_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if is_file and not Path(str(url.database)).exists():
        raise no_schema(app)


#: what the databases say when tables or columns are missing: no schema yet, or an old one
SCHEMA_SIGNS = ("no such table", "no such column", "does not exist")


def no_schema(app: App) -> OAFlowError:
    where = app.db.engine.url.render_as_string()
    return OAFlowError(
        f"{where} has no OA-Flow database yet, or one from an older version",
        f"run `oaflow init` on it to create or upgrade it: oaflow --db {where} init",
    )


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def print_rows(
    json_: bool, rows: Any, title: str, columns: Sequence[str], cells: Sequence[Sequence[Any]]
) -> None:
    """A list command's answer: ``rows`` as JSON with --json, else a table of ``cells``."""
    if json_:
        print_json(rows)
    else:
        print_table(title, columns, cells)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else escape(str(v)) for v in row))
    console.print(table)


def headline(view: dict[str, Any]) -> str:
    """``PROJ20240301 · 新产品上市 · 新产品A上市推进 · 已完成``"""
    return " · ".join(view[k] for k in ("business_key", "process_name", "title", "state_label"))
