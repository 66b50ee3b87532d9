"""The organisation (/admin/organisation): departments in tree order with their heads,
interface persons and leaders, the people with their roles, and deputies (set and ended)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response

from oaflow.domain.clock import parse_instant
from oaflow.domain.org import Department, Organisation
from oaflow.domain.text import Text
from oaflow.services import deputies, organisation
from oaflow.services.view_parts import Names
from oaflow.services.views import Person
from oaflow.web import render
from oaflow.web.routes.admin.common import Short, Shown, blank, gate, make_change, page
from oaflow.web.viewer import Seen, TheApp, Viewer

router = APIRouter()
#: the order roles are listed in
ROLE_ORDER = (
    "general_manager",
    "supervising_leader",
    "head",
    "administrator",
    "auditor",
    "member",
)
BACK = "/admin/organisation"


@dataclass(frozen=True)
class DepartmentRow:
    """A department in tree order: its depth, head, interface persons and supervising
    leader (``inherited``: the leader comes from a department above)."""

    depth: int
    code: str
    name: Text
    head: Person | None
    interfaces: tuple[Person, ...]
    leader: Person | None
    inherited: bool


def read_organisation(app: TheApp, viewer: Viewer) -> Organisation:
    """The organisation as auditors and administrators read it (the export's service)."""
    _, org = organisation.export_org_data(app, viewer.principal, "organisation.yaml")
    return org


def department_rows(org: Organisation) -> list[DepartmentRow]:
    """Every department, each parent before its children (file order among siblings)."""
    names = Names(org)
    rows: list[DepartmentRow] = []
    seen: set[str] = set()

    def walk(department: Department, depth: int) -> None:
        if department.code in seen:
            return
        seen.add(department.code)
        leader = org.leader_of(department.code)
        rows.append(
            DepartmentRow(
                depth,
                department.code,
                department.name,
                names.person(department.head),
                names.people(department.interfaces),
                names.person(leader),
                leader is not None and department.leader is None,
            )
        )
        for child in org.children_of(department.code):
            walk(org.departments[child], depth + 1)

    roots = [d for d in org.departments.values() if d.parent not in org.departments]
    for department in [*roots, *org.departments.values()]:  # then any left in a cycle
        walk(department, 0)
    return rows


@router.get("/admin/organisation")
def organisation_page(request: Request, app: TheApp, viewer: Seen) -> Response:
    gate(viewer)
    return _page(request, app, viewer)


def _page(request: Request, app: TheApp, viewer: Viewer, shown: Shown = Shown()) -> Response:
    people = organisation.users(app, viewer.principal)
    return page(
        request,
        app,
        viewer,
        "admin_org.html",
        "organisation",
        shown,
        departments=department_rows(read_organisation(app, viewer)),
        people=people,
        roles_in_order=_roles_in_order,
        active=[p for p in people if p.active],
        delegations=deputies.list_deputies(app, viewer.principal),
        sent=blank("user", "deputy", "starts", "ends") | dict(shown.sent or {}),
    )


def _roles_in_order(roles: tuple[str, ...]) -> list[str]:
    """A person's roles, the most senior first (``member`` last)."""
    return sorted(roles, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER))


@router.post("/admin/deputies")
def set_deputy(
    request: Request,
    app: TheApp,
    viewer: Seen,
    user: Short = "",
    deputy: Short = "",
    starts: Short = "",
    ends: Short = "",
) -> Response:
    """Name ``user``'s deputy from ``starts`` until ``ends`` (times in the calendar's zone)."""
    gate(viewer)
    sent = {"user": user, "deputy": deputy, "starts": starts, "ends": ends}

    def name_deputy() -> str:
        tz = app.calendar.tz
        begin, end = parse_instant(starts, tz), parse_instant(ends, tz)
        deputies.set_deputy(app, viewer.principal, user, deputy, begin, end)
        people = organisation.users(app, viewer.principal)
        names = {p.login: p.name.get(viewer.lang) for p in people}
        said = {"deputy": names.get(deputy, deputy), "user": names.get(user, user)}
        return render.word("adm_deputy_set", viewer.lang, **said)

    again = partial(_page, request, app, viewer)
    return make_change(app, viewer, name_deputy, again, BACK, sent)


@router.post("/admin/deputies/end")
def end_deputy(request: Request, app: TheApp, viewer: Seen, user: Short = "") -> Response:
    """End every delegation of ``user`` (tasks already with the deputy stay there)."""
    gate(viewer)

    def end() -> str:
        ended = deputies.clear_deputy(app, viewer.principal, user)
        return render.word("adm_deputy_ended", viewer.lang, user=user, n=ended)

    return make_change(app, viewer, end, partial(_page, request, app, viewer), BACK)
