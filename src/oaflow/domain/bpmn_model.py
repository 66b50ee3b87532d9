"""BPMN 2.0 as OA-Flow reads and writes it (DEF-1): the namespaces, which BPMN element each
node type becomes, and the plain records a parsed file is turned into. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field

from oaflow.domain.definition import NodeType

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: OA-Flow's extension namespace: what BPMN cannot hold natively
OAFLOW = "https://oaflow.dev/schema/bpmn/1.0"
PREFIXES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "oaflow": OAFLOW}

#: node type -> the BPMN element (local name in the BPMN namespace) it is exported as
ELEMENT_OF: dict[NodeType, str] = {
    NodeType.INITIATE: "startEvent",
    NodeType.APPROVAL: "userTask",
    NodeType.CONFIRM: "userTask",
    NodeType.HANDLE: "userTask",
    NodeType.FEEDBACK: "userTask",
    NodeType.MILESTONE: "userTask",
    NodeType.MULTI_INSTANCE: "userTask",  # with multiInstanceLoopCharacteristics
    NodeType.EXCLUSIVE: "exclusiveGateway",
    NodeType.PARALLEL: "parallelGateway",
    NodeType.JOIN: "parallelGateway",
    NodeType.SERVICE: "serviceTask",
    NodeType.NOTIFY: "sendTask",
    NodeType.ARCHIVE: "task",  # done by OA-Flow itself: a plain task
    NodeType.END: "endEvent",
}
#: the BPMN elements an import takes (a manualTask reads like a userTask)
FLOW_NODES = frozenset({*ELEMENT_OF.values(), "manualTask"})
#: the node types each BPMN element may carry in its OA-Flow extension
TYPES_OF: dict[str, frozenset[NodeType]] = {
    tag: frozenset(t for t, e in ELEMENT_OF.items() if e == tag) for tag in FLOW_NODES
}
TYPES_OF["manualTask"] = TYPES_OF["userTask"]
#: elements that only annotate a diagram: read past, never refused
ARTIFACTS = frozenset(
    {
        "textAnnotation",
        "association",
        "group",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
        "dataInputAssociation",
        "dataOutputAssociation",
        "documentation",
        "extensionElements",
        "laneSet",
        "ioSpecification",
        "property",
        "incoming",
        "outgoing",
        "sequenceFlow",
        "category",
        "categoryValue",
    }
)


@dataclass(frozen=True)
class BpmnNode:
    """A flow node of the file: its element, id, name and line; ``properties`` is the YAML
    text of its OA-Flow extension (empty for a file from another modeler)."""

    tag: str
    id: str
    name: str
    line: int | None
    node_type: str = ""  # the OA-Flow type its extension names
    properties: str = ""
    multi_instance: bool = False
    implementation: str = ""  # serviceTask's implementation attribute
    default_flow: str = ""  # exclusiveGateway's default attribute
    lane: str = ""  # the name of the (innermost) lane holding it


@dataclass(frozen=True)
class BpmnFlow:
    id: str
    source: str
    target: str
    condition: str | None
    line: int | None


@dataclass(frozen=True)
class BpmnProcess:
    """The one process of a file, read: its id and name, the YAML text of its OA-Flow
    extension, its nodes (in document order) and sequence flows."""

    id: str
    name: str
    line: int | None
    properties: str = ""
    nodes: tuple[BpmnNode, ...] = ()
    flows: tuple[BpmnFlow, ...] = ()
    lanes: tuple[str, ...] = field(default_factory=tuple)
