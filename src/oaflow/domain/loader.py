"""YAML text -> ``ProcessDefinition`` (DEF-1), reporting every shape problem at once.

``parse_definition`` checks the shape: YAML syntax, keys, value types, node types, ids,
assignee forms, time limits, the business-key pattern and rule expressions (compiled here,
once). What the definition *means* (links, reachability, policies…) is ``validate``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from oaflow.domain import places
from oaflow.domain.definition import DecisionRule, DecisionTable, Node, ProcessDefinition
from oaflow.domain.errors import Fault, Problem, ValidationError, fault
from oaflow.domain.loader_nodes import NodeReader
from oaflow.domain.loader_parts import compile_in, is_field_name, parse_fields
from oaflow.domain.loader_sla import recipient_list
from oaflow.domain.places import Place
from oaflow.domain.text import Text
from oaflow.domain.yaml_lines import LineList, LineMap, Reader, read_yaml, show, yaml_problem

_TOP_KEYS = (
    "key",
    "name",
    "description",
    "business_key",
    "initiators",
    "exception_verifiers",
    "survey",
    "tags",
    "form",
    "decision_tables",
    "nodes",
)
_REQUIRED = ("key", "name", "business_key", "nodes")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TOKEN = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"^seq:0[1-9]$")
DATE_TOKENS = frozenset({"yyyy", "yy", "MM", "dd"})


@dataclass
class ParseResult:
    """A best-effort definition with its problems.

    ``definition`` is None only when the text is not a definition at all. ``tainted``
    holds (node id, key) of every node part that could not be read, ``dropped`` the ids of
    nodes left out, ``graph_complete`` whether every node and link could be read;
    ``check_definition`` uses them to leave out follow-up problems.
    """

    definition: ProcessDefinition | None
    problems: list[Problem]
    tainted: frozenset[tuple[str, str]] = frozenset()
    dropped: frozenset[str] = frozenset()
    graph_complete: bool = True


def parse_definition(
    text: str, file: str = "<definition>"
) -> tuple[ProcessDefinition | None, list[Problem]]:
    """The definition, or None with every problem found (each with file:line and a hint)."""
    result = parse_in_detail(text, file)
    return (None if result.problems else result.definition), result.problems


def load_definition(text: str, file: str = "<definition>") -> ProcessDefinition:
    """The definition; raises ``ValidationError`` listing every shape problem."""
    definition, problems = parse_definition(text, file)
    if definition is None:
        raise ValidationError(problems=problems)
    return definition


def parse_in_detail(text: str, file: str = "<definition>") -> ParseResult:
    try:
        data, duplicates = read_yaml(text)
    except yaml.YAMLError as error:
        return ParseResult(None, [yaml_problem(error, file, text)], graph_complete=False)
    r = Reader(file)
    for key, line in duplicates:
        r.add("definition.key.twice", line, key=key)
    top = r.mapping(data, places.TOP, 1, fault("definition.hint.top_example"))
    if top is None:
        return ParseResult(None, r.problems, graph_complete=False)
    return _parse_top(r, top)


def _parse_top(r: Reader, top: LineMap) -> ParseResult:
    r.keys(top, places.DEFINITION, _TOP_KEYS, _REQUIRED)
    nodes_reader = NodeReader(r)
    nodes = nodes_reader.nodes(top["nodes"], top.line_of("nodes")) if "nodes" in top else {}
    definition = _definition(r, top, nodes)
    return ParseResult(
        definition,
        sorted(r.problems, key=lambda p: p.line or 0),
        tainted=frozenset(nodes_reader.tainted),
        dropped=frozenset(nodes_reader.dropped),
        graph_complete=bool(nodes) and not nodes_reader.links_broken,
    )


def _definition(r: Reader, top: LineMap, nodes: dict[str, Node]) -> ProcessDefinition:
    what = places.DEFINITION
    key = _process_key(r, top)
    form = parse_fields(r, top["form"], "`form`", top.line_of("form")) if "form" in top else ()
    tables = {}
    if "decision_tables" in top:
        tables = _tables(r, top["decision_tables"], top.line_of("decision_tables"))
    return ProcessDefinition(
        key=key,
        name=(r.text(top, "name", what) if "name" in top else None) or Text(key),
        business_key=_business_key(r, top),
        nodes=nodes,
        form=form,
        decision_tables=tables,
        tags=r.strings(top, "tags", what),
        initiators=r.strings(top, "initiators", what),
        initiators_line=top.line_of("initiators"),
        exception_verifiers=recipient_list(r, top, "exception_verifiers", what)
        if "exception_verifiers" in top
        else (),
        survey=r.flag(top, "survey", what) if "survey" in top else True,
        description=(r.text(top, "description", what) if "description" in top else None)
        or Text(""),
        file=r.file,
    )


def _process_key(r: Reader, top: LineMap) -> str:
    key = r.string(top, "key", places.DEFINITION)
    if key is None or _KEY.match(key):
        return key or ""
    r.add("definition.process_key.bad", top.line_of("key"), key=repr(key))
    return key


def _business_key(r: Reader, top: LineMap) -> str:
    pattern = r.string(top, "business_key", places.DEFINITION)
    if pattern is None:
        return ""
    reason = business_key_problem(pattern)
    if reason:
        r.add(
            "definition.business_key.bad",
            top.line_of("business_key"),
            pattern=repr(pattern),
            reason=reason,
        )
    return pattern


def business_key_problem(pattern: str) -> Fault | None:
    """Why ``pattern`` is not a business-key pattern, or None when it is one."""
    tokens = _TOKEN.findall(pattern)
    unknown = [t for t in tokens if t not in DATE_TOKENS and not _SEQ.match(t)]
    sequences = [t for t in tokens if t.startswith("seq")]
    if unknown:
        return fault("definition.business_key.unknown_token", tokens=[f"{{{t}}}" for t in unknown])
    if "{" in _TOKEN.sub("", pattern) or "}" in _TOKEN.sub("", pattern):
        return fault("definition.business_key.stray_brace")
    if any(c.isspace() for c in pattern):
        return fault("definition.business_key.white_space")
    if len(sequences) != 1:
        return fault("definition.business_key.sequences", count=len(sequences))
    if not pattern.endswith("{" + sequences[0] + "}"):
        return fault("definition.business_key.sequence_not_last")
    return None


# --- decision tables ---------------------------------------------------------------------


def _tables(r: Reader, value: object, line: int | None) -> dict[str, DecisionTable]:
    example = "`decision_tables: {my_table: {rules: [{when: '...', then: {department: rnd}}]}}`"
    m = r.mapping(value, "`decision_tables`", line, example)
    if m is None:
        return {}
    tables: dict[str, DecisionTable] = {}
    for name, raw in m.items():
        if not isinstance(name, str) or not is_field_name(name):
            r.add("definition.table.bad_name", m.line_of(str(name)), name=show(name))
            continue
        table = _table(r, name, raw, m.line_of(name))
        if table is not None:
            tables[name] = table
    return tables


def _table(r: Reader, name: str, raw: object, line: int | None) -> DecisionTable | None:
    what = places.table(name)
    m = r.mapping(raw, what, line, "`{hit: first, rules: [...], default: {...}}`")
    if m is None:
        return None
    r.keys(m, what, ("hit", "rules", "default"), ("rules",))
    hit = r.choice(m, "hit", what, ("first", "collect")) or "first"
    default = (
        _then(r, m["default"], places.key_of("default", what), m.line_of("default"))
        if "default" in m
        else None
    )
    rules = _rules(r, m["rules"], what, m.line_of("rules")) if "rules" in m else ()
    return DecisionTable(name, "collect" if hit == "collect" else "first", rules, default, m.line)


def _rules(r: Reader, value: object, what: Place, line: int | None) -> tuple[DecisionRule, ...]:
    if not isinstance(value, LineList) or not value:
        r.add(
            "definition.table.no_rules", line, what=places.key_of("rules", what), value=show(value)
        )
        return ()
    found = (_rule(r, item, what, value.line_of(i)) for i, item in enumerate(value))
    return tuple(rule for rule in found if rule is not None)


def _rule(r: Reader, raw: object, what: Place, line: int | None) -> DecisionRule | None:
    where = places.rule_of(what)
    m = r.mapping(raw, where, line, "`{when: 'amount > 1000', then: {department: fin}}`")
    if m is None or not r.keys(m, where, ("when", "then"), ("when", "then")):
        return None
    when = compile_in(r, m["when"], places.key_of("when", where), m.line_of("when"))
    then = _then(r, m["then"], places.key_of("then", where), m.line_of("then"))
    return DecisionRule(when, then, m.line) if when is not None and then is not None else None


def _then(r: Reader, value: object, what: Place, line: int | None) -> dict[str, Any] | None:
    m = r.mapping(value, what, line, "`{department: fin}`, `{user: gm}` or `{to: some_node}`")
    if m is None:
        return None
    bad = [k for k in m if not isinstance(k, str)]
    if bad:
        r.add("definition.table.key_not_text", line, what=what, key=show(bad[0]))
        return None
    return dict(m)
