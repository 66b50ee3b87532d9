"""What a definition means: links, names, responsibilities, organisation, policies (DEF-6/7).

``validate_definition`` finds every problem of a parsed definition; ``check_definition``
parses and validates in one go and raises one ``ValidationError`` listing all of them.
The graph checks (reachability, dead ends, parallel/join balance, policies) live in
``validate_graph``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from oaflow.domain import places
from oaflow.domain.definition import Assignment, Node, NodeType, OrgNames, ProcessDefinition
from oaflow.domain.errors import Problem, ValidationError, fault, problem
from oaflow.domain.expressions import Expression
from oaflow.domain.forms import CONTEXT_NAMES, STANDARD_FIELDS
from oaflow.domain.loader import parse_in_detail
from oaflow.domain.places import Place
from oaflow.domain.validate_graph import Finding, graph_findings, table_results, table_targets
from oaflow.domain.validate_org import org_findings
from oaflow.domain.wording import did_you_mean

#: policy tag -> departments of which one must approve before any handle node (DEF-7)
DEFAULT_POLICIES: Mapping[str, tuple[str, ...]] = {
    "contract": ("leg", "cmp"),
    "data-use": ("leg", "cmp"),
}
_DATE_TYPES = ("date", "datetime")
_ASSIGNEE_FIELD_TYPES = ("string", "department", "user", "enum", "list")  # list: several approvers


def validate_definition(
    d: ProcessDefinition,
    org: OrgNames | None = None,
    policies: Mapping[str, tuple[str, ...]] = DEFAULT_POLICIES,
) -> list[Problem]:
    """Every problem of ``d``'s meaning, each with file:line and a fix hint, by line."""
    return sorted((f.problem for f in findings(d, org, policies)), key=_by_line)


def check_definition(
    text: str,
    file: str = "<definition>",
    org: OrgNames | None = None,
    policies: Mapping[str, tuple[str, ...]] = DEFAULT_POLICIES,
) -> ProcessDefinition:
    """Parse and validate; raise ``ValidationError`` with every problem found."""
    parsed = parse_in_detail(text, file)
    problems = list(parsed.problems)
    if parsed.definition is not None:
        problems += [
            f.problem
            for f in findings(parsed.definition, org, policies)
            if not _follows_from_shape(f, parsed.tainted, parsed.dropped, parsed.graph_complete)
        ]
    if problems or parsed.definition is None:
        raise ValidationError(problems=sorted(problems, key=_by_line))
    return parsed.definition


def _by_line(found: Problem) -> int:
    return found.line or 0


def _follows_from_shape(
    f: Finding,
    tainted: frozenset[tuple[str, str]],
    dropped: frozenset[str],
    graph_complete: bool,
) -> bool:
    """True for findings that only repeat a shape problem already reported."""
    if f.graph and not graph_complete:
        return True
    return (f.node, f.absent) in tainted or f.ref in dropped


def findings(
    d: ProcessDefinition, org: OrgNames | None, policies: Mapping[str, tuple[str, ...]]
) -> list[Finding]:
    found = [*_references(d), *_node_findings(d), *_name_findings(d)]
    found += graph_findings(d, policies)
    if org is not None:
        found += org_findings(d, org)
    return found


# --- references to nodes -----------------------------------------------------------------


def _references(d: ProcessDefinition) -> Iterator[Finding]:
    for node in d.nodes.values():
        for target in node.next:
            yield from _reference(d, node, target, "`next`", node.line)
        for route in node.routes:
            key = "`default`" if route.when is None else fault("definition.place.a_route")
            yield from _reference(d, node, route.to, key, route.line)
        if node.on_reject != "end":
            yield from _reference(d, node, node.on_reject, "`on_reject`", node.line)
        for target, line in table_targets(d, node):
            yield from _reference(d, node, target, places.table(node.decision), line)


def _reference(
    d: ProcessDefinition, node: Node, target: str, key: Place, line: int | None
) -> Iterator[Finding]:
    if target in d.nodes:
        return
    advice = did_you_mean(target, d.nodes) or fault("definition.hint.add_node", target=target)
    found = problem(
        "definition.node.unknown_target",
        d.file,
        line,
        key=key,
        node=node.id,
        target=target,
        advice=advice,
    )
    yield Finding(found, node=node.id, ref=target)


# --- per-node rules ----------------------------------------------------------------------


def _node_findings(d: ProcessDefinition) -> Iterator[Finding]:
    for index, node in enumerate(d.nodes.values()):
        if node.type is NodeType.INITIATE and index > 0:
            yield _finding(d, node, "definition.node.initiate_not_first")
        if node.is_task:
            yield from _task_rules(d, node)
        yield from _kind_rules(d, node)


def _finding(
    d: ProcessDefinition, node: Node, code: str, absent: str = "", **params: Any
) -> Finding:
    found = problem(code, d.file, node.line, node=node.id, **params)
    return Finding(found, node=node.id, absent=absent)


def _task_rules(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    if node.type is NodeType.MULTI_INSTANCE and node.over is None:
        yield _finding(d, node, "definition.node.no_over", "over")
    elif node.type is not NodeType.MULTI_INSTANCE and node.assignee is None:
        yield _finding(d, node, "definition.node.no_assignee", "assignee")
    if node.time_limit is None and node.planned is None:
        yield _finding(d, node, "definition.node.no_time_limit", "time_limit")
    yield from _sla_fields(d, node)


def _sla_fields(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    """`field:NAME` recipients of the SLA settings must name a user field of the form."""
    for name in node.sla.recipients():
        kind, _, field_name = name.partition(":")
        if kind == "field" and getattr(d.form_field(field_name), "type", None) != "user":
            yield _finding(
                d, node, "definition.sla.not_user_field", recipient=name, field=field_name
            )


def _kind_rules(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    if node.type is NodeType.SERVICE and not node.service and node.ledger is None:
        yield _finding(d, node, "definition.node.no_service", "service")
    if node.type is NodeType.NOTIFY and not node.notify:
        yield _finding(d, node, "definition.node.no_recipients", "notify")
    if node.type is NodeType.ARCHIVE and not node.archive_name:
        yield _finding(d, node, "definition.node.no_archive_name", "archive_name")
    if node.type is NodeType.EXCLUSIVE:
        yield from _gateway_rules(d, node)
    if node.type is NodeType.PARALLEL and len(node.next) < 2:
        yield _finding(d, node, "definition.parallel.too_few_branches", "next")
    if node.type is not NodeType.PARALLEL and len(node.next) > 1:
        yield _finding(d, node, "definition.node.several_next")


def _gateway_rules(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    if not any(route.when is None for route in node.routes):
        yield _finding(d, node, "definition.gateway.no_default", "default")
    if not node.decision and not any(route.when is not None for route in node.routes):
        yield _finding(d, node, "definition.gateway.no_rules", "routes")
    table = d.decision_tables.get(node.decision)
    if table is None:
        return
    for then, line in table_results(table):
        if not isinstance(then.get("to"), str):
            found = problem(
                "definition.table.route_without_to", d.file, line, table=table.name, node=node.id
            )
            yield Finding(found, node=node.id)


# --- names: form fields, expression names, decision tables -------------------------------


def known_names(d: ProcessDefinition) -> frozenset[str]:
    """Names an expression may use: form, standard and output fields, and the context."""
    outputs = {f.name for n in d.nodes.values() for f in n.outputs.fields}
    standard = {f.name for f in STANDARD_FIELDS}
    return frozenset({f.name for f in d.form} | standard | outputs | CONTEXT_NAMES)


def _name_findings(d: ProcessDefinition) -> Iterator[Finding]:
    names = known_names(d)
    for node in d.nodes.values():
        for where, expression, line in _expressions(node):
            yield from _unknown_names(d, node.id, where, expression, line, names)
        for assignment in _assignments(node):
            yield from _assignment_names(d, node, assignment)
        yield from _trigger_field(d, node)
        yield from _planned_field(d, node)
        if node.decision:
            yield from _table_exists(d, node, node.decision, node.line)
    for table in d.decision_tables.values():
        for rule in table.rules:
            where = places.rule_of(places.table(table.name))
            yield from _unknown_names(d, "", where, rule.when, rule.line, names)


def _expressions(node: Node) -> Iterator[tuple[Place, Expression, int | None]]:
    for route in node.routes:
        if route.when is not None:
            yield places.route_of(places.gateway(node.id)), route.when, route.line
    if node.over is not None:
        yield places.key_of("over", places.node(node.id)), node.over, node.line


def _assignments(node: Node) -> tuple[Assignment, ...]:
    return (node.assignee, *node.notify) if node.assignee else node.notify


def _unknown_names(
    d: ProcessDefinition,
    node_id: str,
    where: Place,
    expression: Expression,
    line: int | None,
    names: frozenset[str],
) -> Iterator[Finding]:
    for name in sorted(expression.names - names):
        advice = did_you_mean(name, names) or fault("definition.hint.add_field", name=name)
        found = problem(
            "definition.expression.unknown_name",
            d.file,
            line,
            what=where,
            name=name,
            text=repr(expression.text),
            advice=advice,
        )
        yield Finding(found, node=node_id)


def _assignment_names(d: ProcessDefinition, node: Node, a: Assignment) -> Iterator[Finding]:
    if a.kind == "decision":
        yield from _table_exists(d, node, a.table, a.line)
        yield from _assignee_table(d, node, a.table)
    if a.kind != "field":
        return
    field = d.form_field(a.field) or next((f for f in STANDARD_FIELDS if f.name == a.field), None)
    if field is None:
        advice = did_you_mean(a.field, {f.name for f in d.form}) or fault(
            "definition.hint.add_assignee_field", field=a.field
        )
        found = problem(
            "definition.assignee.unknown_field",
            d.file,
            a.line,
            node=node.id,
            field=a.field,
            advice=advice,
        )
        yield Finding(found, node=node.id)
    elif field.type not in _ASSIGNEE_FIELD_TYPES:
        found = problem(
            "definition.assignee.field_type",
            d.file,
            a.line,
            node=node.id,
            field=a.field,
            type=field.type,
        )
        yield Finding(found, node=node.id)


def _assignee_table(d: ProcessDefinition, node: Node, name: str) -> Iterator[Finding]:
    table = d.decision_tables.get(name)
    if table is None:
        return
    for then, line in table_results(table):
        if not any(isinstance(then.get(k), str) for k in ("department", "user")):
            found = problem(
                "definition.table.assignment_without_party", d.file, line, table=name, node=node.id
            )
            yield Finding(found, node=node.id)


def _trigger_field(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    if node.trigger.kind == "planned_date":
        yield from _date_field(d, node, node.trigger.field, TRIGGER_CODES)


def _planned_field(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    """``planned: FIELD`` names a date field of the form (a key node is looked up by name in
    the form's ``key_nodes`` when the instance runs)."""
    if node.planned is not None and node.planned.field:
        yield from _date_field(d, node, node.planned.field, PLANNED_CODES)


#: a date field that is unknown, or of another type
TRIGGER_CODES = ("definition.trigger.unknown_field", "definition.trigger.field_type")
PLANNED_CODES = ("definition.planned.unknown_field", "definition.planned.field_type")


def _date_field(
    d: ProcessDefinition, node: Node, name: str, codes: tuple[str, str]
) -> Iterator[Finding]:
    """``name`` is a ``date`` or ``datetime`` field of the form."""
    field = d.form_field(name)
    if field is None:
        advice = did_you_mean(name, {f.name for f in d.form}) or fault(
            "definition.hint.add_date_field", field=name
        )
        yield _finding(d, node, codes[0], field=name, advice=advice)
    elif field.type not in _DATE_TYPES:
        yield _finding(d, node, codes[1], field=name, type=field.type)


def _table_exists(
    d: ProcessDefinition, node: Node, table: str, line: int | None
) -> Iterator[Finding]:
    if table in d.decision_tables:
        return
    advice = did_you_mean(table, d.decision_tables) or fault(
        "definition.hint.define_table", table=table
    )
    found = problem(
        "definition.table.unknown", d.file, line, node=node.id, table=table, advice=advice
    )
    yield Finding(found, node=node.id)
