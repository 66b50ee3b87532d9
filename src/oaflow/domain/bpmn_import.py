"""A BPMN 2.0 file -> the text of a process definition (DEF-1), or every problem at once.

The flow comes from the standard part: the elements give the node types, the sequence flows
the links, an exclusive gateway's conditions its routes and its ``default`` flow the default
route; a task's name in the file wins over the name its OA-Flow extension remembers. What
BPMN cannot hold (departments, time limits, triggers, forms, decision tables, escalation,
policies, names in zh/en) comes from the OA-Flow extension of each element, so a file that
OA-Flow exported comes back as the same definition.

A file drawn in another modeler has no extension; then the documented defaults apply
(docs/definition-format.md, "BPMN"): a task's department is the lane it lies in (a lane
named by a department's code or name), a task's time limit 24 working hours, a
multi-instance task runs over ``collaborating_departments``, a service task calls the
integration its ``implementation`` names (else its id), an exclusive gateway with a single
outgoing flow only joins paths and is left out. Every default taken is a note. Pure.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from oaflow.domain.bpmn_model import TYPES_OF, BpmnFlow, BpmnNode, BpmnProcess
from oaflow.domain.bpmn_read import read_bpmn
from oaflow.domain.definition import TASK_NODES, NodeType
from oaflow.domain.errors import ExpressionError, Problem, problem
from oaflow.domain.expressions import compile_expression
from oaflow.domain.forms import CONTEXT_NAMES, STANDARD_FIELDS
from oaflow.domain.loader_nodes import NODE_ID
from oaflow.domain.org import Organisation

#: a task drawn in another modeler gets this time limit (working hours)
DEFAULT_HOURS = 24
DEFAULT_OVER = "collaborating_departments"
_LINK_KEYS = ("next", "routes", "default")
_TEMPLATE = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.DOTALL)  # ${…} / #{…} of other engines
_KEY_CHARS = re.compile(r"[^a-z0-9-]+")
#: a name compared with a number literal (either side)
_NUMERIC = r"\b{name}\s*[<>=!]=?\s*-?\d|\d\s*[<>=!]=?\s*\b{name}\b"


@dataclass
class Imported:
    """The definition's YAML text and the defaults taken (notes), or the problems."""

    text: str = ""
    notes: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_bpmn(
    data: bytes, file: str = "<bpmn>", departments: Mapping[str, str] | None = None
) -> Imported:
    """Read ``data`` (a BPMN file); ``departments`` maps department codes and names (as a
    lane may be named) to codes."""
    process, problems = read_bpmn(data, file)
    if process is None:
        return Imported(problems=problems)
    return _Builder(process, file, departments or {}).build()


class _Builder:
    def __init__(self, process: BpmnProcess, file: str, departments: Mapping[str, str]) -> None:
        self.process = process
        self.file = file
        self.departments = {k.strip().lower(): v for k, v in departments.items()}
        self.result = Imported()
        self.nodes = {n.id: n for n in process.nodes}
        self.flows = self._passing_through(list(process.flows))
        self.ours = bool(process.properties)
        self._out: dict[str, list[BpmnFlow]] = {}
        self._in: dict[str, list[BpmnFlow]] = {}
        for flow in self.flows:
            self._out.setdefault(flow.source, []).append(flow)
            self._in.setdefault(flow.target, []).append(flow)
        self._properties: dict[str, dict[str, Any]] = {}

    # --- problems and notes --------------------------------------------------------------

    def problem(self, code: str, line: int | None, /, **params: Any) -> None:
        self.result.problems.append(problem(code, self.file, line, **params))

    def note(self, code: str, line: int | None, /, **params: Any) -> None:
        self.result.notes.append(problem(code, self.file, line, **params))

    # --- the whole -------------------------------------------------------------------------

    def build(self) -> Imported:
        top = self._top()
        twice = Counter(n.id for n in self.process.nodes)
        for node in self.process.nodes:
            if twice[node.id] > 1:
                self.problem("bpmn.id_twice", node.line, id=node.id, tag=node.tag)
        self._check_flows()
        starts = [n for n in self.nodes.values() if n.tag == "startEvent"]
        if len(starts) != 1:
            self.problem("bpmn.start_count", self.process.line, count=len(starts))
        nodes = [self._node(n) for n in self._ordered(starts[0] if starts else None)]
        if self.result.problems or top is None:
            return Imported(problems=self.result.problems)
        if not self.ours:
            top = self._form(top, nodes)
        data = {k: v for k, v in top.items() if k != "nodes"} | {"nodes": nodes}
        self.result.text = dump_yaml(data)
        return self.result

    def _top(self) -> dict[str, Any] | None:
        if self.ours:
            return self._mapping(self.process.properties, self.process.id, self.process.line)
        key = _KEY_CHARS.sub("-", self.process.id.lower()).strip("-")[:64] or "imported"
        prefix = re.sub(r"[^A-Z]", "", key.upper())[:4] or "BPMN"
        business_key = f"{prefix}{{yyyy}}{{MM}}{{seq:03}}"
        self.note("bpmn.note.process", self.process.line, key=key, business_key=business_key)
        return {"key": key, "name": self.process.name or key, "business_key": business_key}

    def _mapping(self, text: str, element: str, line: int | None) -> dict[str, Any] | None:
        try:
            value = yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError) as error:
            reason = str(error)[:200] or type(error).__name__
            self.problem("bpmn.bad_properties", line, id=element, reason=reason)
            return None
        if not isinstance(value, dict):
            self.problem("bpmn.bad_properties", line, id=element, reason="not a mapping")
            return None
        return value

    def _form(self, top: dict[str, Any], nodes: list[dict[str, Any]]) -> dict[str, Any]:
        """A start-form field for each name the conditions read that no standard field or
        context gives: a number when it is compared with a number, else a text (noted)."""
        known = {f.name for f in STANDARD_FIELDS} | CONTEXT_NAMES
        fields: dict[str, dict[str, Any]] = {}
        for route in (r for n in nodes for r in n.get("routes", ())):
            try:
                names = compile_expression(route["when"]).names
            except ExpressionError:
                continue  # validation reports it, with its offset
            for name in sorted(names - known - fields.keys()):
                number = re.search(_NUMERIC.format(name=re.escape(name)), route["when"])
                kind = "number" if number else "string"
                fields[name] = {"name": name, "type": kind, "required": True}
                self.note("bpmn.note.form_field", self.process.line, field=name, type=kind)
        return top | {"form": list(fields.values())} if fields else top

    # --- flows -----------------------------------------------------------------------------

    def _passing_through(self, flows: list[BpmnFlow]) -> list[BpmnFlow]:
        """The flows with exclusive gateways that only join paths (one outgoing flow, no
        condition, no OA-Flow extension) left out: a flow into one goes on to its target."""
        through = {}
        leaving: dict[str, list[BpmnFlow]] = {}
        for flow in flows:
            leaving.setdefault(flow.source, []).append(flow)
        for node in self.process.nodes:
            out = leaving.get(node.id, [])
            joins_only = len(out) == 1 and out[0].condition is None
            if node.tag == "exclusiveGateway" and not node.properties and joins_only:
                through[node.id] = out[0].target
        for node_id in through:
            self.nodes.pop(node_id, None)
        kept = []
        for flow in flows:
            if flow.source in through:
                continue
            target, seen = flow.target, set()
            while target in through and target not in seen:
                seen.add(target)
                target = through[target]
            kept.append(BpmnFlow(flow.id, flow.source, target, flow.condition, flow.line))
        return kept

    def _check_flows(self) -> None:
        for flow in self.flows:
            for end in (flow.source, flow.target):
                if end not in self.nodes:
                    self.problem("bpmn.flow_unknown_node", flow.line, flow=flow.id, node=end)
            source = self.nodes.get(flow.source)
            if flow.condition and source is not None and source.tag != "exclusiveGateway":
                self.problem(
                    "bpmn.condition_not_on_gateway", flow.line, flow=flow.id, tag=source.tag
                )

    def out_of(self, node_id: str) -> list[BpmnFlow]:
        return [f for f in self._out.get(node_id, ()) if f.target in self.nodes]

    def into(self, node_id: str) -> list[BpmnFlow]:
        return [f for f in self._in.get(node_id, ()) if f.source in self.nodes]

    def _ordered(self, start: BpmnNode | None) -> list[BpmnNode]:
        """The start first; then file order for OA-Flow's own files, else the order a walk
        along the flows from the start meets the nodes (unreached ones last)."""
        if start is None:
            return list(self.nodes.values())
        if self.ours:
            return [start, *(n for n in self.nodes.values() if n is not start)]
        order, queue = {start.id: None}, deque([start.id])
        while queue:
            for flow in self.out_of(queue.popleft()):
                if flow.target not in order:
                    order[flow.target] = None
                    queue.append(flow.target)
        order |= dict.fromkeys(self.nodes)
        return [self.nodes[n] for n in order]

    # --- nodes -----------------------------------------------------------------------------

    def _node(self, node: BpmnNode) -> dict[str, Any]:
        base = {k: v for k, v in self._props(node).items() if k not in _LINK_KEYS}
        node_id = str(base.pop("id", node.id))
        if not NODE_ID.match(node_id):
            self.problem("bpmn.bad_id", node.line, id=node_id, tag=node.tag)
        node_type = self._type(node)
        found: dict[str, Any] = {"id": node_id, "type": node_type.value if node_type else "?"}
        found["name"] = self._name(node, base.pop("name", None))
        base.pop("type", None)
        found |= base
        if node_type is None:
            return found
        if not node.properties:
            found |= self._defaults(node, node_type)
        found |= self._links(node, node_type, found)
        return found

    def _type(self, node: BpmnNode) -> NodeType | None:
        if node.node_type:
            allowed = TYPES_OF.get(node.tag, frozenset())
            if node.node_type not in {t.value for t in allowed}:
                self.problem(
                    "bpmn.type_mismatch", node.line, id=node.id, tag=node.tag, type=node.node_type
                )
                return None
            return NodeType(node.node_type)
        return self._foreign_type(node)

    def _foreign_type(self, node: BpmnNode) -> NodeType | None:
        simple = {
            "startEvent": NodeType.INITIATE,
            "endEvent": NodeType.END,
            "serviceTask": NodeType.SERVICE,
            "sendTask": NodeType.NOTIFY,
            "exclusiveGateway": NodeType.EXCLUSIVE,
        }
        if node.tag in simple:
            return simple[node.tag]
        if node.tag in ("userTask", "manualTask", "task"):
            return NodeType.MULTI_INSTANCE if node.multi_instance else NodeType.HANDLE
        ins, outs = len(self.into(node.id)), len(self.out_of(node.id))
        if outs > 1 and ins <= 1:
            return NodeType.PARALLEL
        if ins > 1 and outs == 1:
            return NodeType.JOIN
        self.problem("bpmn.mixed_gateway", node.line, id=node.id, ins=ins, outs=outs)
        return None

    def _name(self, node: BpmnNode, remembered: object) -> object:
        """The name the file gives wins as the Chinese name; the English one is kept."""
        if isinstance(remembered, dict):
            if node.name and node.name != remembered.get("zh"):
                return {**remembered, "zh": node.name}
            return remembered
        if isinstance(remembered, str) and (not node.name or node.name == remembered):
            return remembered
        return node.name or node.id

    def _defaults(self, node: BpmnNode, node_type: NodeType) -> dict[str, Any]:
        """What a node drawn in another modeler takes by default (noted)."""
        found: dict[str, Any] = {}
        if node_type in TASK_NODES:
            if node_type is NodeType.MULTI_INSTANCE:
                found["over"] = DEFAULT_OVER
                self.note("bpmn.note.over", node.line, id=node.id, over=DEFAULT_OVER)
            else:
                found["assignee"] = {"department": self._department(node)}
            found["time_limit"] = {"hours": DEFAULT_HOURS}
            self.note("bpmn.note.time_limit", node.line, id=node.id, hours=DEFAULT_HOURS)
        elif node_type is NodeType.NOTIFY:
            found["notify"] = [{"department": self._department(node)}]
        elif node_type is NodeType.SERVICE:
            implementation = node.implementation
            service = implementation if implementation[:2] not in ("", "##") else node.id
            found["service"] = service
            self.note("bpmn.note.service", node.line, id=node.id, service=service)
        return found

    def _department(self, node: BpmnNode) -> str:
        code = self.departments.get(node.lane.lower()) if node.lane else None
        if code is None:
            self.problem(
                "bpmn.no_department", node.line, id=node.id, name=node.name or node.id,
                lane=node.lane or "-",
            )  # fmt: skip
            return ""
        return code

    # --- links -----------------------------------------------------------------------------

    def _links(self, node: BpmnNode, node_type: NodeType, found: dict[str, Any]) -> dict[str, Any]:
        outs = self.out_of(node.id)
        if node_type is NodeType.END:
            if outs:
                self.problem("bpmn.end_has_outgoing", node.line, id=node.id)
            return {}
        if not outs:
            self.problem("bpmn.no_outgoing", node.line, id=node.id, tag=node.tag)
            return {}
        if node_type is NodeType.EXCLUSIVE:
            return self._routes(node, outs, decided=bool(found.get("decision")))
        targets = [self._id_of(f.target) for f in outs]
        if node_type is NodeType.PARALLEL:
            return {"next": targets}
        if len(targets) > 1:
            self.problem("bpmn.several_outgoing", node.line, id=node.id, tag=node.tag)
        return {"next": targets[0]}

    def _id_of(self, element_id: str) -> str:
        """The node id an element stands for (its extension may name another)."""
        node = self.nodes[element_id]
        return str(self._props(node).get("id", element_id)) if node.properties else element_id

    def _props(self, node: BpmnNode) -> dict[str, Any]:
        """A node's OA-Flow properties, read once (a problem when they cannot be read)."""
        if node.id not in self._properties:
            found = self._mapping(node.properties, node.id, node.line) if node.properties else {}
            self._properties[node.id] = found or {}
        return self._properties[node.id]

    def _routes(self, node: BpmnNode, outs: list[BpmnFlow], decided: bool) -> dict[str, Any]:
        default = next((f for f in outs if f.id == node.default_flow), None)
        bare = [f for f in outs if f is not default and not f.condition]
        if default is None and len(bare) == 1 and not node.properties:
            default = bare.pop()
            self.note("bpmn.note.default_flow", default.line, id=node.id, flow=default.id)
        for flow in bare if not decided else []:
            self.problem("bpmn.flow_without_condition", flow.line, flow=flow.id, id=node.id)
        found: dict[str, Any] = {}
        if not decided:
            found["routes"] = [
                {"when": _condition(f.condition), "to": self._id_of(f.target)}
                for f in outs
                if f is not default and f.condition
            ]
        if default is not None:
            found["default"] = self._id_of(default.target)
        return found


def _condition(text: str | None) -> str:
    """An expression as OA-Flow writes it (``${amount > 5}`` of other engines unwrapped)."""
    found = _TEMPLATE.match(text or "")
    return (found.group(1) if found else text or "").strip()


def lane_names(org: Organisation) -> dict[str, str]:
    """What a lane may be called to name a department: its code, or its name in zh or en."""
    found: dict[str, str] = {}
    for code, department in org.departments.items():
        for name in (department.name.en, department.name.zh, code):
            if name:
                found[name] = code
    return found


def dump_yaml(data: Mapping[str, Any]) -> str:
    """YAML text a person can read: block style, Chinese as it is, keys in their order."""
    return yaml.safe_dump(
        dict(data), allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
