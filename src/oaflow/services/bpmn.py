"""BPMN 2.0 import and export of process definitions (DEF-1). Reading a published version to
export it is viewing it (the adapters turn its text into XML with ``present.bpmn_export``);
importing a file is the administrators': it becomes definition text, is validated like any
definition and, when asked, published through the catalogue (versions, change notices) —
on any problem nothing is published."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from oaflow.domain.bpmn_import import Imported, import_bpmn, lane_names
from oaflow.domain.errors import Problem, ValidationError
from oaflow.domain.security import Permission, Principal
from oaflow.services import authz, catalog
from oaflow.services.app import App
from oaflow.services.catalog import ProcessVersion, Published


@dataclass(frozen=True)
class BpmnImport:
    """What a BPMN file became: the definition's key and YAML text, the defaults the import
    took (notes), and the version published (None for a dry run)."""

    key: str
    nodes: int
    source: str
    file: str
    notes: tuple[Problem, ...] = ()
    published: Published | None = None


def exported(
    app: App, who: Principal, key: str, version: int | str | None = None
) -> ProcessVersion:
    """The published version (newest, or ``version``: a number or a label) to export."""
    return catalog.shown(app, who, key, version)[0]


def imported(
    app: App,
    who: Principal,
    data: bytes,
    file: str,
    *,
    publish: bool = False,
    major: bool = False,
    note: str = "",
) -> BpmnImport:
    """A BPMN file as a definition, validated (every problem at once, as a ValidationError);
    published as a new version when ``publish``."""
    result = _converted(app, who, data, file)
    if result.problems:
        raise ValidationError(result.problems)
    yaml_file = yaml_name(file)
    definition = catalog.validate(app, result.text, yaml_file)
    published = None
    if publish:
        published = catalog.publish(app, who, result.text, yaml_file, major=major, note=note)
    return BpmnImport(
        definition.key,
        len(definition.nodes),
        result.text,
        yaml_file,
        tuple(result.notes),
        published,
    )


def converted(app: App, who: Principal, data: bytes, file: str) -> str:
    """The definition text a BPMN file becomes, not yet validated (to show the lines that
    validation's problems name, in ``yaml_name(file)``); empty when the file itself has
    problems (administrators)."""
    return _converted(app, who, data, file).text


def yaml_name(file: str) -> str:
    """The name the definition made of BPMN ``file`` goes by in problems."""
    return str(PurePath(file).with_suffix(".yaml").name)


def _converted(app: App, who: Principal, data: bytes, file: str) -> Imported:
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.ADMINISTER)
        departments = lane_names(app.org(conn))
    return import_bpmn(data, file, departments)
