"""The manual's four templates as sheets (TPL-1..4): Template 1 rows start instances and an
instance exports to its row; Template 2 imports as a process definition (validated and
published like any YAML) and every definition exports to it; Templates 3 and 4 export
progress and exception records. Scope and permissions are those of the lists and of
publishing (SEC-2); the sheets themselves are written by ``present/``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from oaflow.domain import template1
from oaflow.domain.definition import FormField
from oaflow.domain.errors import NotFoundError, ValidationError
from oaflow.domain.exception_loop import ExceptionState
from oaflow.domain.security import Permission, Principal
from oaflow.domain.template2_export import Exported, export_rows
from oaflow.domain.template2_import import sheet_to_yaml
from oaflow.domain.template2_words import NODES_SHEET
from oaflow.domain.template_names import Directory
from oaflow.domain.template_sheets import Found, Table, column_keys, read_tables
from oaflow.domain.wording import HintOf
from oaflow.services import authz, catalog, exception_views, queries, runtime
from oaflow.services.app import App
from oaflow.services.catalog import Published
from oaflow.services.views import ExceptionView, InstanceFilter, ProgressRow
from oaflow.storage import catalog_repo

#: the most instances one Template 3 export covers
MAX_INSTANCES = 500


@dataclass(frozen=True)
class Rows:
    """A template's table: its header and its rows (cells as text)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class StartedRow:
    """One Template 1 row: its row number, its title and the instance it started ("" in a
    dry run)."""

    row: int
    title: str
    business_key: str = ""


@dataclass(frozen=True)
class DefinitionImport:
    """A Template 2 import: the definition's YAML text, and its version once published."""

    key: str
    source: str
    published: Published | None = None


# --- Template 1 ------------------------------------------------------------------------------


def start_form_rows(app: App, who: Principal, business_key: str, lang: str) -> Rows:
    """An instance's initiation form as Template 1 (its own non-sensitive fields that hold a
    value come after the manual's columns)."""
    with app.db.read() as conn:
        instance = queries.find_instance(app, conn, who, business_key)
        definition = app.definition(conn, instance.definition_id)
        names = Directory(app.org(conn))
    data = instance.data
    own = [f for f in definition.form if not f.sensitive and data.get(f.name) not in (None, "", [])]
    year = instance.started_at.astimezone(ZoneInfo(app.calendar.tz)).year
    headers = tuple(c.title(lang) for c in template1.columns_for(own))
    return Rows(headers, (template1.row_of(data, own, names, lang, year),))


def import_start_forms(
    app: App, who: Principal, data: bytes, filename: str, process: str, dry_run: bool
) -> list[StartedRow]:
    """Start one instance of ``process`` per row — or, when any row has a problem, raise
    ValidationError with every problem (sheet, row, column) and start nothing."""
    with app.db.read() as conn:
        stored = catalog_repo.get_definition(conn, process)
        if stored is None:
            raise NotFoundError("process.not_published", key=process)
        authz.authorize(app, conn, who, Permission.INITIATE, process=process)
        definition = app.definition(conn, stored.id)
        org = app.org(conn)
    found = Found()
    tables = read_tables(data, filename, found)
    forms: list[tuple[int, dict[str, object]]] = []
    if tables:
        forms = _forms(tables[0], definition.form, Directory(org), app, who, found)
        initiators = set(definition.initiators)
        for number, form in forms:
            _check_department(tables[0].title, number, form, who, initiators, found)
    found.check()
    if dry_run:
        return [StartedRow(n, str(f.get("title", ""))) for n, f in forms]
    started = []
    for number, form in forms:
        instance = runtime.start(app, who, process, form)
        started.append(StartedRow(number, instance.title, instance.business_key))
    return started


def _forms(
    table: Table, own: Sequence[FormField], names: Directory, app: App, who: Principal, found: Found
) -> list[tuple[int, dict[str, object]]]:
    fields = list(own)
    keys = column_keys(table, template1.columns_for(fields), template1.REQUIRED, found)
    if keys is None:
        return []
    if not table.rows:
        found.at(table.title, 0, "", "tpl.file.empty")
    year = app.now().astimezone(ZoneInfo(app.calendar.tz)).year
    return [
        (n, template1.read_row(cells, keys, fields, names, year, (table.title, n), found))
        for n, cells in table.rows
    ]


def _check_department(
    sheet: str,
    number: int,
    form: Mapping[str, object],
    who: Principal,
    initiators: set[str],
    found: Found,
) -> None:
    """The initiating department must be the importer's own and may start the process."""
    department = str(form.get("department") or (who.departments[0] if who.departments else ""))
    column = template1.COLUMNS[1].zh
    if department not in who.departments:
        found.at(sheet, number, column, "tpl1.department.not_yours", department=department)
    elif initiators and department not in initiators:
        found.at(sheet, number, column, "tpl1.department.not_initiating", department=department)


# --- Template 2 ------------------------------------------------------------------------------


def import_definition(
    app: App,
    who: Principal,
    data: bytes,
    filename: str,
    options: Mapping[str, str],
    dry_run: bool,
    major: bool = False,
) -> DefinitionImport:
    """A Template 2 sheet as a process definition: checked (every problem with its sheet,
    row and column) and, unless ``dry_run``, published as a new version (administrators)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        names = Directory(app.org(conn))
    found = Found()
    tables = read_tables(data, filename, found)
    text = sheet_to_yaml(tables, options, names, found) if tables else ""
    found.check()
    sheet = tables[0].title if tables else NODES_SHEET[0]
    file = f"{sheet}.yaml"
    try:
        definition = catalog.validate(app, text, file)
    except ValidationError as error:
        for problem in error.problems:
            found.at(
                sheet, 0, "", "tpl2.definition", problem=problem.fault, advice=HintOf(problem.fault)
            )
        found.check()
        raise
    if dry_run:
        return DefinitionImport(definition.key, text)
    note = f"由模板2导入 (imported from Template 2): {filename}"
    published = catalog.publish(app, who, text, file, major=major, note=note)
    return DefinitionImport(definition.key, text, published)


def definition_rows(app: App, who: Principal, key: str, version: str | None, lang: str) -> Exported:
    """A published version (the newest by default) as Template 2."""
    shown, definition = catalog.shown(app, who, key, version)
    with app.db.read() as conn:
        names = Directory(app.org(conn))
    return export_rows(definition, names, lang, shown.label)


# --- Templates 3 and 4 -----------------------------------------------------------------------


def progress_rows(
    app: App, who: Principal, business_key: str | None, wanted: InstanceFilter
) -> list[ProgressRow]:
    """Template 3: the steps of one instance, or of every instance ``wanted`` finds in the
    caller's scope (at most ``MAX_INSTANCES``, newest first)."""
    if business_key:
        return list(queries.instance_detail(app, who, business_key).progress)
    page = queries.instances(app, who, replace(wanted, offset=0, limit=MAX_INSTANCES))
    rows: list[ProgressRow] = []
    for summary in page.items:
        rows += queries.instance_detail(app, who, summary.business_key).progress
    return rows


def exception_rows(
    app: App,
    who: Principal,
    states: Sequence[ExceptionState] = (),
    process: str | None = None,
    department: str | None = None,
) -> list[ExceptionView]:
    """Template 4: the exception records in the caller's scope (as the exception list),
    of one process and/or one responsible department when given."""
    records = exception_views.exceptions(app, who, states)
    return [
        r
        for r in records
        if (process is None or r.process == process)
        and (department is None or (r.department is not None and r.department.code == department))
    ]
