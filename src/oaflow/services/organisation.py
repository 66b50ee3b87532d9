"""Organisation use cases: import and export (YAML/CSV/Excel), list users (ORG-1)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from oaflow.domain.errors import InputError
from oaflow.domain.org import Organisation
from oaflow.domain.orgfile import org_to_csv, org_to_yaml, parse_org_csv, parse_org_yaml
from oaflow.services.app import App
from oaflow.storage import org_repo

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx"}


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot tell the format of '{path.name}'",
            "name the file *.yaml, *.yml, *.csv or *.xlsx",
        )
    return fmt


def parse(text: str, path: Path) -> Organisation:
    if file_format(path) == "csv":
        return parse_org_csv(text, str(path))
    return parse_org_yaml(text, str(path))


def import_org(app: App, path: Path, effective: datetime | None = None) -> Organisation:
    """Replace the organisation by the file's — now, or from ``effective`` on (ORG-2: a
    task created after that instant resolves to the people of the new organisation).
    Nothing changes if the file has problems."""
    if file_format(path) == "xlsx":
        from oaflow.domain.orgfile_xlsx import parse_org_xlsx  # openpyxl: loaded when used

        org = parse_org_xlsx(read_bytes(path), str(path))
    else:
        org = parse(read_text(path), path)
    with app.db.write() as conn:
        if effective is not None and effective > app.now():
            org_repo.add_org_change(conn, effective, org_to_yaml(org), app.now())
        else:
            org_repo.replace_org(conn, org)
    return org


def store(app: App, org: Organisation) -> None:
    with app.db.write() as conn:
        org_repo.replace_org(conn, org)


def export_org(app: App, path: Path) -> Organisation:
    fmt = file_format(path)
    with app.db.read() as conn:
        org = app.org(conn)
    if fmt == "xlsx":
        from oaflow.domain.orgfile_xlsx import org_to_xlsx  # openpyxl: loaded when used

        path.write_bytes(org_to_xlsx(org))
    elif fmt == "csv":
        path.write_text(org_to_csv(org), encoding="utf-8-sig", newline="")
    else:
        path.write_text(org_to_yaml(org), encoding="utf-8")
    return org


def users(app: App) -> list[dict[str, Any]]:
    with app.db.read() as conn:
        org = app.org(conn)
    return [
        {
            "login": u.login,
            "name": u.name.get(app.lang),
            "departments": list(u.departments),
            "department_names": [org.department_name(d, app.lang) for d in u.departments],
            "roles": sorted(org_roles(org, u.login)),
            "email": u.email,
            "active": u.active,
        }
        for u in org.users.values()
    ]


def org_roles(org: Organisation, login: str) -> set[str]:
    return {
        role
        for role in (
            "member",
            "head",
            "supervising_leader",
            "general_manager",
            "administrator",
            "auditor",
        )
        if login in org.users_with_role(role)
    }


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"file '{path}' does not exist", "check the path") from None
    except UnicodeDecodeError:
        raise InputError(f"file '{path}' is not UTF-8 text", "save it as UTF-8") from None


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"file '{path}' does not exist", "check the path") from None
