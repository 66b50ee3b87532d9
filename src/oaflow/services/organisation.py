"""Organisation use cases: import and export (YAML/CSV/Excel), list users (ORG-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from oaflow.domain.errors import ForbiddenError, InputError
from oaflow.domain.org import ROLES, Organisation
from oaflow.domain.orgfile import org_to_csv, org_to_yaml, parse_org_csv, parse_org_yaml
from oaflow.domain.security import SYSTEM, Permission, Principal, principal_of
from oaflow.domain.text import Text
from oaflow.services import audit, auth, authz
from oaflow.services.app import App
from oaflow.services.audit import AuditAction
from oaflow.services.files import read_bytes
from oaflow.services.view_parts import Names
from oaflow.services.views import Dept
from oaflow.storage import org_repo

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx"}


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError("org.file.unknown_format", file=path.name)
    return fmt


def parse(text: str, path: Path) -> Organisation:
    if file_format(path) == "csv":
        return parse_org_csv(text, str(path))
    return parse_org_yaml(text, str(path))


def import_org(
    app: App, login: str, path: Path, effective: datetime | None = None, address: str = ""
) -> Organisation:
    """Replace the organisation by the file's (see ``import_org_data``)."""
    file_format(path)
    with app.db.read() as conn:  # a person who may not import learns nothing of the file
        if app.org(conn).users:
            _may_import(app, conn, login, None)
    return import_org_data(app, login, path.name, read_bytes(path), effective, address)


def import_org_data(
    app: App,
    login: str,
    name: str,
    data: bytes,
    effective: datetime | None = None,
    address: str = "",
) -> Organisation:
    """Replace the organisation by that of a file's ``data`` (its format told by ``name``:
    .yaml, .csv or .xlsx) — now, or from ``effective`` on (ORG-2: a task created after that
    instant resolves to the people of the new organisation). Nothing changes if the file
    has problems.

    An administrator imports (SEC-2). A database without anybody yet is founded by its
    first import, made by one of the administrators that file names. ``address``: where
    the request comes from (for the audit log)."""
    with app.db.read() as conn:  # a person who may not import learns nothing of the file
        if app.org(conn).users:
            _may_import(app, conn, login, None)
    org = _parsed(name, data)
    with app.db.write() as conn:
        _may_import(app, conn, login, org)
        detail: dict[str, Any] = {
            "file": name,
            "users": len(org.users),
            "departments": len(org.departments),
        }
        if effective is not None and effective > app.now():
            org_repo.add_org_change(conn, effective, org_to_yaml(org), app.now())
            audit.record_from(
                app,
                conn,
                login,
                address,
                AuditAction.ORG_SCHEDULE,
                "organisation",
                **detail,
                effective=effective,
            )
        else:
            gone = [u for u in app.org(conn).users if not _active_in(org, u)]
            org_repo.replace_org(conn, org)
            auth.end_access(app, conn, gone)  # sessions and tokens end with the person
            audit.record_from(
                app,
                conn,
                login,
                address,
                AuditAction.ORG_IMPORT,
                "organisation",
                **detail,
                ended=gone,
            )
    return org


def _parsed(name: str, data: bytes) -> Organisation:
    if file_format(Path(name)) == "xlsx":
        from oaflow.domain.orgfile_xlsx import parse_org_xlsx  # openpyxl: loaded when used

        return parse_org_xlsx(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("file.not_utf8", path=name) from None
    return parse(text, Path(name))


def _active_in(org: Organisation, login: str) -> bool:
    user = org.users.get(login)
    return user is not None and user.active


def _may_import(app: App, conn: Connection, login: str, org: Organisation | None) -> None:
    current = app.org(conn)
    if current.users:
        authz.authorize(app, conn, principal_of(current, login), Permission.ADMINISTER)
    elif org is not None and login not in org.users_with_role("administrator"):
        raise ForbiddenError("org.founder_not_administrator", login=login)


def store(app: App, org: Organisation) -> None:
    """Put ``org`` in place as the system (the demo set-up)."""
    with app.db.write() as conn:
        org_repo.replace_org(conn, org)
        detail: dict[str, Any] = {"users": len(org.users), "departments": len(org.departments)}
        audit.record(app, conn, SYSTEM, AuditAction.ORG_IMPORT, "organisation", **detail)


def export_org(app: App, who: Principal, path: Path) -> Organisation:
    """Write the organisation to a file (auditors and administrators: it holds everyone's
    contact data)."""
    data, org = export_org_data(app, who, path.name)
    path.write_bytes(data)
    return org


def export_org_data(app: App, who: Principal, name: str) -> tuple[bytes, Organisation]:
    """The organisation as the bytes of a .yaml, .csv or .xlsx file (by ``name``)."""
    fmt = file_format(Path(name))
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.AUDIT)
        org = app.org(conn)
    if fmt == "xlsx":
        from oaflow.domain.orgfile_xlsx import org_to_xlsx  # openpyxl: loaded when used

        return org_to_xlsx(org), org
    if fmt == "csv":
        return org_to_csv(org).encode("utf-8-sig"), org
    return org_to_yaml(org).encode("utf-8"), org


@dataclass(frozen=True)
class UserView:
    login: str
    name: Text
    departments: tuple[Dept, ...]
    roles: tuple[str, ...]
    email: str
    active: bool


def users(app: App, who: Principal) -> list[UserView]:
    """Everybody, with their departments and roles (the directory every user may read)."""
    with app.db.read() as conn:
        authz.authorize(app, conn, who, Permission.VIEW)
        org = app.org(conn)
    names = Names(org)
    return [
        UserView(
            login=u.login,
            name=u.name,
            departments=tuple(names.known_dept(d) for d in u.departments),
            roles=tuple(sorted(org.roles_of(u.login) & ROLES)),
            email=u.email,
            active=u.active,
        )
        for u in org.users.values()
    ]
