"""Checks of a definition against the organisation: departments, users and roles named in
assignees, notify lists, decision-table results and ``initiators`` (DEF-6)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from oaflow.domain import places
from oaflow.domain.definition import Assignment, OrgNames, ProcessDefinition
from oaflow.domain.errors import fault, problem
from oaflow.domain.places import Place
from oaflow.domain.validate_graph import Finding, table_results
from oaflow.domain.wording import did_you_mean


def org_findings(d: ProcessDefinition, org: OrgNames) -> list[Finding]:
    found = [*_initiators(d, org)]
    for node in d.nodes.values():
        recipients = (node.assignee, *node.notify) if node.assignee else node.notify
        for a in recipients:
            found += _assignment(d, org, a, places.node(node.id), node.id)
        for name in node.sla.recipients():
            if name.startswith("user:") and name[5:] not in org.users:
                found.append(
                    _unknown(
                        d,
                        "user",
                        name[5:],
                        places.escalation_of(node.id),
                        org.users,
                        node.sla.line or node.line,
                        node.id,
                    )
                )
    for table in d.decision_tables.values():
        for then, line in table_results(table):
            found += _result(d, org, then, places.table(table.name), line)
    return found


def _initiators(d: ProcessDefinition, org: OrgNames) -> Iterator[Finding]:
    for code in d.initiators:
        if code not in org.departments:
            yield _unknown(
                d, "department", code, "`initiators`", org.departments, d.initiators_line
            )


def _assignment(
    d: ProcessDefinition, org: OrgNames, a: Assignment, where: Place, node_id: str
) -> list[Finding]:
    what = places.assignee_of(where) if a.kind != "decision" else where
    checks: list[tuple[str, str, frozenset[str]]] = []
    if a.kind == "department":
        checks.append(("department", a.department, org.departments))
    if a.kind in ("head_of", "leader_of") and a.relative_to != "initiator":
        checks.append(("department", a.relative_to, org.departments))
    if a.kind == "user":
        checks.append(("user", a.user, org.users))
    checks += [("user", login, org.users) for login in a.users]
    if a.kind == "role":
        checks.append(("role", a.role, org.roles))
    return [
        _unknown(d, kind, name, what, known, a.line, node_id)
        for kind, name, known in checks
        if name not in known
    ]


def _result(
    d: ProcessDefinition, org: OrgNames, then: Mapping[str, Any], where: Place, line: int | None
) -> list[Finding]:
    found = []
    department, user = then.get("department"), then.get("user")
    if isinstance(department, str) and department not in org.departments:
        found.append(_unknown(d, "department", department, where, org.departments, line))
    if isinstance(user, str) and user not in org.users:
        found.append(_unknown(d, "user", user, where, org.users, line))
    return found


def _unknown(
    d: ProcessDefinition,
    kind: str,
    name: str,
    where: Place,
    known: Iterable[str],
    line: int | None,
    node_id: str = "",
) -> Finding:
    choices = sorted(known)
    listed = ", ".join(choices[:12]) + (" …" if len(choices) > 12 else "")
    advice = did_you_mean(name, choices) or (
        fault("definition.hint.use_one_of", choices=listed)
        if choices
        else fault("definition.hint.add_to_org", kind=_KINDS[kind])
    )
    found = problem(
        "definition.org.unknown",
        d.file,
        line,
        what=where,
        kind=_KINDS[kind],
        name=name,
        advice=advice,
    )
    return Finding(found, node=node_id)


_KINDS = {
    "department": fault("definition.org.department"),
    "user": fault("definition.org.user"),
    "role": fault("definition.org.role"),
}
