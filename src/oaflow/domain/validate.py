"""What a definition means: links, names, responsibilities, organisation, policies (DEF-6/7).

``validate_definition`` finds every problem of a parsed definition; ``check_definition``
parses and validates in one go and raises one ``ValidationError`` listing all of them.
The graph checks (reachability, dead ends, parallel/join balance, policies) live in
``validate_graph``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from oaflow.domain.definition import Assignment, Node, NodeType, OrgNames, ProcessDefinition
from oaflow.domain.errors import Problem, ValidationError
from oaflow.domain.expressions import Expression
from oaflow.domain.forms import CONTEXT_NAMES, STANDARD_FIELDS
from oaflow.domain.loader import parse_in_detail
from oaflow.domain.validate_graph import Finding, graph_findings, table_results, table_targets
from oaflow.domain.validate_org import org_findings
from oaflow.domain.yaml_lines import suggest

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


def _by_line(problem: Problem) -> int:
    return problem.line or 0


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
            key = "`default`" if route.when is None else "a route"
            yield from _reference(d, node, route.to, key, route.line)
        if node.on_reject != "end":
            yield from _reference(d, node, node.on_reject, "`on_reject`", node.line)
        for target, line in table_targets(d, node):
            yield from _reference(d, node, target, f"decision table `{node.decision}`", line)


def _reference(
    d: ProcessDefinition, node: Node, target: str, key: str, line: int | None
) -> Iterator[Finding]:
    if target in d.nodes:
        return
    close = suggest(target, d.nodes)
    yield Finding(
        Problem(
            f"{key} of node `{node.id}` names unknown node `{target}`",
            close or f"add a node with `id: {target}` or name one of the existing nodes",
            d.file,
            line,
        ),
        node=node.id,
        ref=target,
    )


# --- per-node rules ----------------------------------------------------------------------


def _node_findings(d: ProcessDefinition) -> Iterator[Finding]:
    for index, node in enumerate(d.nodes.values()):
        if node.type is NodeType.INITIATE and index > 0:
            yield _finding(d, node, "is an initiate node but not the first node", "move it first")
        if node.is_task:
            yield from _task_rules(d, node)
        yield from _kind_rules(d, node)


def _finding(
    d: ProcessDefinition, node: Node, message: str, hint: str, absent: str = ""
) -> Finding:
    problem = Problem(f"node `{node.id}` {message}", hint, d.file, node.line)
    return Finding(problem, node=node.id, absent=absent)


def _task_rules(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    if node.type is NodeType.MULTI_INSTANCE and node.over is None:
        hint = f"add `over: collaborating_departments` (a list of department codes) to `{node.id}`"
        yield _finding(d, node, "has no `over`: no department gets a task", hint, "over")
    elif node.type is not NodeType.MULTI_INSTANCE and node.assignee is None:
        hint = f"add e.g. `assignee: {{department: rnd}}` to `{node.id}`"
        yield _finding(d, node, "has no responsible party (`assignee`)", hint, "assignee")
    if node.time_limit is None and node.trigger.kind != "planned_date":
        hint = f"add e.g. `time_limit: {{hours: 24}}` to `{node.id}`"
        yield _finding(d, node, "has no time limit", hint, "time_limit")
    yield from _sla_fields(d, node)


def _sla_fields(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    """`field:NAME` recipients of the SLA settings must name a user field of the form."""
    for name in node.sla.recipients():
        kind, _, field_name = name.partition(":")
        if kind == "field" and getattr(d.form_field(field_name), "type", None) != "user":
            hint = f"add `- {{name: {field_name}, type: user}}` to `form`, or fix the name"
            yield _finding(d, node, f"escalates to `{name}`, which is not a user field", hint)


def _kind_rules(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    if node.type is NodeType.SERVICE and not node.service:
        hint = f"add `service: system.action` (e.g. finance.sync_budget) to `{node.id}`"
        yield _finding(d, node, "is a service node without `service`", hint, "service")
    if node.type is NodeType.NOTIFY and not node.notify:
        hint = f"add `notify: [{{department: sal}}]` to `{node.id}`"
        yield _finding(d, node, "is a notify node without recipients", hint, "notify")
    if node.type is NodeType.ARCHIVE and not node.archive_name:
        hint = f'add `archive_name: "项目归档-{{yyyy}}-{{title}}"` to `{node.id}`'
        yield _finding(d, node, "is an archive node without `archive_name`", hint, "archive_name")
    if node.type is NodeType.EXCLUSIVE:
        yield from _gateway_rules(d, node)
    if node.type is NodeType.PARALLEL and len(node.next) < 2:
        hint = f"give `{node.id}` at least two branches, `next: [a, b]`, or use plain `next`"
        yield _finding(d, node, "is a parallel node with fewer than two branches", hint, "next")
    if node.type is not NodeType.PARALLEL and len(node.next) > 1:
        hint = f"put a `parallel` node before the branches, or keep one `next` in `{node.id}`"
        yield _finding(d, node, "has several `next` but is not a parallel node", hint)


def _gateway_rules(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    if not any(route.when is None for route in node.routes):
        hint = f"add `default: <node>` to gateway `{node.id}`"
        yield _finding(d, node, "is an exclusive gateway without `default`", hint, "default")
    if not node.decision and not any(route.when is not None for route in node.routes):
        hint = f"add `routes: [{{when: '...', to: <node>}}]` or `decision: <table>` to `{node.id}`"
        yield _finding(d, node, "is an exclusive gateway without rules", hint, "routes")
    table = d.decision_tables.get(node.decision)
    if table is None:
        return
    for then, line in table_results(table):
        if not isinstance(then.get("to"), str):
            message = (
                f"decision table `{table.name}` routes gateway `{node.id}` but a `then` has no `to`"
            )
            hint = "write `then: {to: <node>}` in every rule of a routing table"
            yield Finding(Problem(message, hint, d.file, line), node=node.id)


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
        if node.decision:
            yield from _table_exists(d, node, node.decision, node.line)
    for table in d.decision_tables.values():
        for rule in table.rules:
            where = f"a rule of decision table `{table.name}`"
            yield from _unknown_names(d, "", where, rule.when, rule.line, names)


def _expressions(node: Node) -> Iterator[tuple[str, Expression, int | None]]:
    for route in node.routes:
        if route.when is not None:
            yield f"a route of gateway `{node.id}`", route.when, route.line
    if node.over is not None:
        yield f"`over` of node `{node.id}`", node.over, node.line


def _assignments(node: Node) -> tuple[Assignment, ...]:
    return (node.assignee, *node.notify) if node.assignee else node.notify


def _unknown_names(
    d: ProcessDefinition,
    node_id: str,
    where: str,
    expression: Expression,
    line: int | None,
    names: frozenset[str],
) -> Iterator[Finding]:
    for name in sorted(expression.names - names):
        close = suggest(name, names)
        hint = close or f"add a form field `{name}` or a task output of that name"
        message = f"{where} uses unknown name `{name}` in {expression.text!r}"
        yield Finding(Problem(message, hint, d.file, line), node=node_id)


def _assignment_names(d: ProcessDefinition, node: Node, a: Assignment) -> Iterator[Finding]:
    if a.kind == "decision":
        yield from _table_exists(d, node, a.table, a.line)
        yield from _assignee_table(d, node, a.table)
    if a.kind != "field":
        return
    field = d.form_field(a.field) or next((f for f in STANDARD_FIELDS if f.name == a.field), None)
    if field is None:
        close = suggest(a.field, {f.name for f in d.form})
        hint = close or f"add a form field `{a.field}` of type department or user"
        message = f"assignee of node `{node.id}` names unknown form field `{a.field}`"
        yield Finding(Problem(message, hint, d.file, a.line), node=node.id)
    elif field.type not in _ASSIGNEE_FIELD_TYPES:
        message = f"assignee of node `{node.id}` names field `{a.field}` of type {field.type}"
        hint = f"give `{a.field}` the type department or user"
        yield Finding(Problem(message, hint, d.file, a.line), node=node.id)


def _assignee_table(d: ProcessDefinition, node: Node, name: str) -> Iterator[Finding]:
    table = d.decision_tables.get(name)
    if table is None:
        return
    for then, line in table_results(table):
        if not any(isinstance(then.get(k), str) for k in ("department", "user")):
            message = (
                f"decision table `{name}` assigns node `{node.id}` "
                "but a `then` has no `department` or `user`"
            )
            hint = "write `then: {department: <code>}` or `then: {user: <login>}`"
            yield Finding(Problem(message, hint, d.file, line), node=node.id)


def _trigger_field(d: ProcessDefinition, node: Node) -> Iterator[Finding]:
    if node.trigger.kind != "planned_date":
        return
    name = node.trigger.field
    field = d.form_field(name)
    if field is None:
        close = suggest(name, {f.name for f in d.form})
        hint = close or f"add `- {{name: {name}, type: date, required: true}}` to `form`"
        yield _finding(d, node, f"has `planned_date: {name}`, which is not a form field", hint)
    elif field.type not in _DATE_TYPES:
        hint = f"give form field `{name}` the type date"
        yield _finding(d, node, f"has `planned_date: {name}`, a field of type {field.type}", hint)


def _table_exists(
    d: ProcessDefinition, node: Node, table: str, line: int | None
) -> Iterator[Finding]:
    if table in d.decision_tables:
        return
    close = suggest(table, d.decision_tables)
    hint = close or f"define it under `decision_tables: {{{table}: {{rules: [...]}}}}`"
    message = f"node `{node.id}` uses unknown decision table `{table}`"
    yield Finding(Problem(message, hint, d.file, line), node=node.id)
