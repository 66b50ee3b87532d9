"""Checks of a definition against the organisation: departments, users and roles named in
assignees, notify lists, decision-table results and ``initiators`` (DEF-6)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from oaflow.domain.definition import Assignment, OrgNames, ProcessDefinition
from oaflow.domain.errors import Problem
from oaflow.domain.validate_graph import Finding, table_results
from oaflow.domain.yaml_lines import suggest


def org_findings(d: ProcessDefinition, org: OrgNames) -> list[Finding]:
    found = [*_initiators(d, org)]
    for node in d.nodes.values():
        recipients = (node.assignee, *node.notify) if node.assignee else node.notify
        for a in recipients:
            found += _assignment(d, org, a, f"node `{node.id}`", node.id)
        for name in node.sla.recipients():
            if name.startswith("user:") and name[5:] not in org.users:
                found.append(
                    _unknown(
                        d,
                        "user",
                        name[5:],
                        f"node `{node.id}` escalation",
                        org.users,
                        node.sla.line or node.line,
                        node.id,
                    )
                )
    for table in d.decision_tables.values():
        for then, line in table_results(table):
            found += _result(d, org, then, f"decision table `{table.name}`", line)
    return found


def _initiators(d: ProcessDefinition, org: OrgNames) -> Iterator[Finding]:
    for code in d.initiators:
        if code not in org.departments:
            yield _unknown(
                d, "department", code, "`initiators`", org.departments, d.initiators_line
            )


def _assignment(
    d: ProcessDefinition, org: OrgNames, a: Assignment, where: str, node_id: str
) -> list[Finding]:
    what = f"assignee of {where}" if a.kind != "decision" else where
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
    d: ProcessDefinition, org: OrgNames, then: Mapping[str, Any], where: str, line: int | None
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
    where: str,
    known: Iterable[str],
    line: int | None,
    node_id: str = "",
) -> Finding:
    choices = sorted(known)
    close = suggest(name, choices)
    listed = ", ".join(choices[:12]) + (" …" if len(choices) > 12 else "")
    hint = close or (f"use one of {listed}" if choices else f"add the {kind} to the organisation")
    problem = Problem(f"{where} names unknown {kind} `{name}`", hint, d.file, line)
    return Finding(problem, node=node_id)
