"""A process definition as BPMN 2.0 XML (DEF-1) with its diagram (BPMN DI), so that common
modelers (bpmn.io / Camunda Modeler, Signavio, Visio) show it laid out.

Node types map to BPMN elements (``bpmn_model.ELEMENT_OF``); ``next`` and gateway routes
become sequence flows (an exclusive gateway's rules as condition expressions, its default
flow marked). What BPMN cannot hold — everything of a node but its id, type, name and links,
and the process's key, names, business key, form, decision tables, tags … — rides in each
element's ``extensionElements`` as ``<oaflow:node type="…"><oaflow:properties>`` YAML text
(the definition's own words), so that importing the file gives the same definition back.
A ``documentation`` element says each node's names, who does it and its time limit."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import yaml

from oaflow.domain.bpmn_import import dump_yaml
from oaflow.domain.bpmn_model import BPMN, BPMNDI, DC, DI, ELEMENT_OF, OAFLOW, PREFIXES, XSI
from oaflow.domain.definition import Node, NodeType, ProcessDefinition
from oaflow.domain.diagram import describe
from oaflow.domain.loader import load_definition
from oaflow.present.bpmn_layout import Bounds, Router, label_of, place_nodes

_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_LINKS = ("id", "type", "next", "routes", "default")

for _prefix, _uri in PREFIXES.items():
    ET.register_namespace(_prefix, _uri)


def _b(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def element_id(node_id: str) -> str:
    """A node's id as an XML id (an NCName cannot start with a digit or '-')."""
    return node_id if _NCNAME.match(node_id) else f"Node_{node_id}"


def to_bpmn(source: str, file: str = "<definition>") -> str:
    """The BPMN XML of the definition in ``source`` (its YAML text)."""
    definition = load_definition(source, file)
    raw: dict[str, Any] = yaml.safe_load(source)
    raw_nodes = {str(n["id"]): n for n in raw.get("nodes", [])}
    root = ET.Element(
        _b("definitions"),
        {
            "id": f"Definitions_{element_id(definition.key)}",
            "targetNamespace": "https://oaflow.dev/processes",
            "exporter": "OA-Flow",
            "exporterVersion": "1",
        },
    )
    process = ET.SubElement(
        root,
        _b("process"),
        {"id": _process_id(definition), "name": definition.name.zh, "isExecutable": "false"},
    )
    if definition.description.zh:
        ET.SubElement(process, _b("documentation")).text = definition.description.zh
    top = {k: v for k, v in raw.items() if k != "nodes"}
    _extension(process, "process", top, {"key": definition.key})
    flows = _Flows(definition)
    for node in definition.nodes.values():
        _node(process, node, raw_nodes.get(node.id, {}), flows)
    for flow in flows.all:
        process.append(flow.element)
    _diagram(root, definition, flows)
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _process_id(definition: ProcessDefinition) -> str:
    return "Process_" + re.sub(r"[^A-Za-z0-9_.-]", "_", definition.key)


def _extension(
    parent: ET.Element, kind: str, properties: dict[str, Any], attributes: dict[str, str]
) -> None:
    extension = ET.SubElement(parent, _b("extensionElements"))
    holder = ET.SubElement(extension, f"{{{OAFLOW}}}{kind}", attributes)
    ET.SubElement(holder, f"{{{OAFLOW}}}properties").text = "\n" + dump_yaml(properties)


def _node(process: ET.Element, node: Node, raw: dict[str, Any], flows: _Flows) -> None:
    tag = ELEMENT_OF[node.type]
    attributes = {"id": element_id(node.id), "name": node.name.zh}
    default = flows.default_of(node.id)
    if default:
        attributes["default"] = default
    if node.type in (NodeType.PARALLEL, NodeType.JOIN):
        converging = node.type is NodeType.JOIN
        attributes["gatewayDirection"] = "Converging" if converging else "Diverging"
    element = ET.SubElement(process, _b(tag), attributes)
    ET.SubElement(element, _b("documentation")).text = _documentation(node)
    properties = {k: v for k, v in raw.items() if k not in _LINKS}
    if element_id(node.id) != node.id:
        properties = {"id": node.id, **properties}
    _extension(element, "node", properties, {"type": node.type.value})
    for flow in flows.into(node.id):
        ET.SubElement(element, _b("incoming")).text = flow.id
    for flow in flows.out_of(node.id):
        ET.SubElement(element, _b("outgoing")).text = flow.id
    if node.type is NodeType.MULTI_INSTANCE:
        ET.SubElement(element, _b("multiInstanceLoopCharacteristics"), {"isSequential": "false"})


def _documentation(node: Node) -> str:
    """The node's names, who does it and its time limit, for people reading the file."""
    lines = [node.name.zh + (f" / {node.name.en}" if node.name.en else "")]
    if node.assignee is not None:
        lines.append(
            f"负责 / responsible: {describe(node.assignee)} / {describe(node.assignee, 'en')}"
        )
    if node.over is not None:
        lines.append(f"每个部门 / each department of: {node.over.text}")
    if node.time_limit is not None:
        basis = "工作小时 working" if node.time_limit.basis == "working" else "日历小时 calendar"
        lines.append(f"时限 / time limit: {node.time_limit.hours:g} h ({basis})")
    if node.on_reject not in ("end", ""):
        lines.append(f"驳回退回 / on reject back to: {node.on_reject}")
    return "\n".join(lines)


class _Flow:
    def __init__(self, flow_id: str, source: str, target: str, name: str, when: str) -> None:
        self.id, self.source, self.target = flow_id, source, target
        self.element = ET.Element(
            _b("sequenceFlow"),
            {"id": flow_id, "sourceRef": element_id(source), "targetRef": element_id(target)},
        )
        if name:
            self.element.set("name", name if len(name) <= 24 else name[:23] + "…")
        if when:
            condition = ET.SubElement(
                self.element,
                _b("conditionExpression"),
                {f"{{{XSI}}}type": "bpmn:tFormalExpression"},
            )
            condition.text = when


class _Flows:
    """Every sequence flow of a definition, in node order."""

    def __init__(self, d: ProcessDefinition) -> None:
        self.all: list[_Flow] = []
        self._defaults: dict[str, str] = {}
        for node in d.nodes.values():
            self._of(d, node)

    def _add(self, source: str, target: str, name: str = "", when: str = "") -> _Flow:
        flow_id = f"Flow_{element_id(source)}_{len(self.out_of(source)) + 1}"
        flow = _Flow(flow_id, source, target, name, when)
        self.all.append(flow)
        return flow

    def _of(self, d: ProcessDefinition, node: Node) -> None:
        for target in node.next:
            self._add(node.id, target)
        for route in node.routes:
            if route.when is not None:
                self._add(node.id, route.to, route.when.text, route.when.text)
        table = d.decision_tables.get(node.decision) if node.decision else None
        default = next((r.to for r in node.routes if r.when is None), None)
        if table is not None:
            whens: dict[str, list[str]] = {}
            for rule in table.rules:
                to = rule.then.get("to")
                if isinstance(to, str) and to != default:
                    whens.setdefault(to, []).append(f"({rule.when.text})")
            for to, found in whens.items():
                self._add(node.id, to, table.name, " or ".join(found))
        if default is not None:
            self._defaults[node.id] = self._add(node.id, default, "默认 default").id

    def default_of(self, node_id: str) -> str:
        return self._defaults.get(node_id, "")

    def out_of(self, node_id: str) -> list[_Flow]:
        return [f for f in self.all if f.source == node_id]

    def into(self, node_id: str) -> list[_Flow]:
        return [f for f in self.all if f.target == node_id]


def _diagram(root: ET.Element, d: ProcessDefinition, flows: _Flows) -> None:
    diagram = ET.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", {"id": "Diagram_1"})
    plane = ET.SubElement(
        diagram, f"{{{BPMNDI}}}BPMNPlane", {"id": "Plane_1", "bpmnElement": _process_id(d)}
    )
    placed = place_nodes(d)
    for node_id, bounds in placed.items():
        shape = ET.SubElement(
            plane,
            f"{{{BPMNDI}}}BPMNShape",
            {"id": f"{element_id(node_id)}_di", "bpmnElement": element_id(node_id)},
        )
        _bounds(shape, bounds)
        if bounds.gateway:  # its name below on the left, clear of the branches
            shape.set("isMarkerVisible", "true")
            label = Bounds(bounds.x - 66, bounds.bottom + 2, 88, 28)
            _bounds(ET.SubElement(shape, f"{{{BPMNDI}}}BPMNLabel"), label)
    router = Router(placed)
    for flow in flows.all:
        edge = ET.SubElement(
            plane, f"{{{BPMNDI}}}BPMNEdge", {"id": f"{flow.id}_di", "bpmnElement": flow.id}
        )
        points = router.waypoints(placed[flow.source], placed[flow.target])
        for x, y in points:
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": str(x), "y": str(y)})
        if flow.element.get("name"):
            _bounds(ET.SubElement(edge, f"{{{BPMNDI}}}BPMNLabel"), label_of(points))


def _bounds(parent: ET.Element, b: Bounds) -> None:
    ET.SubElement(
        parent,
        f"{{{DC}}}Bounds",
        {"x": str(b.x), "y": str(b.y), "width": str(b.width), "height": str(b.height)},
    )
