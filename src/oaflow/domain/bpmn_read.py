"""Reading a BPMN 2.0 file (DEF-1): bytes -> the one process it holds, or every problem at
once. The XML is parsed with defusedxml and no DTD at all (no entity bombs, no external
entities); every element OA-Flow cannot run (sub-processes, call activities, boundary and
intermediate events, timer/message/signal start or end events, inclusive, event-based and
complex gateways, loops …) is listed with its tag, id, name and line. Pure: no I/O."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from oaflow.domain.bpmn_model import (
    ARTIFACTS,
    BPMN,
    FLOW_NODES,
    OAFLOW,
    BpmnFlow,
    BpmnNode,
    BpmnProcess,
)
from oaflow.domain.errors import Problem, problem

#: the most bytes an import reads
MAX_BYTES = 2 * 1024 * 1024
#: the deepest nesting of elements read (a BPMN file needs a dozen or so)
MAX_DEPTH = 100
_MULTI = "multiInstanceLoopCharacteristics"
_TASKS = frozenset({"userTask", "manualTask"})


class _TooDeep(Exception):
    pass


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that remembers the line of every element's start tag, and refuses
    elements nested deeper than any BPMN file needs."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.lines: dict[int, int] = {}
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = int(self.parser.parser.CurrentLineNumber)
        return element

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


class _Doc:
    """A parsed file: its root and the line of each element."""

    def __init__(self, root: ET.Element, lines: dict[int, int], file: str) -> None:
        self.root = root
        self._lines = lines
        self.file = file
        self.problems: list[Problem] = []

    def line(self, element: ET.Element) -> int | None:
        return self._lines.get(id(element))

    def add(self, code: str, element: ET.Element | None, /, **params: Any) -> None:
        line = self.line(element) if element is not None else None
        self.problems.append(problem(code, self.file, line, **params))


def q(local: str, namespace: str = BPMN) -> str:
    return f"{{{namespace}}}{local}"


def local_name(element: ET.Element) -> tuple[str, str]:
    """(namespace, local name) of an element."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def read_bpmn(data: bytes, file: str = "<bpmn>") -> tuple[BpmnProcess | None, list[Problem]]:
    """The process of a BPMN file, or None with every problem found."""
    if len(data) > MAX_BYTES:
        return None, [problem("bpmn.too_large", file, None, limit_mb=MAX_BYTES // 2**20)]
    doc, problems = _parse(data, file)
    if doc is None:
        return None, problems
    process = _the_process(doc)
    if process is None or doc.problems:
        return None, doc.problems
    found = _read_process(doc, process)
    return (None, doc.problems) if doc.problems else (found, [])


def _parse(data: bytes, file: str) -> tuple[_Doc | None, list[Problem]]:
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as refused:
        return None, [problem("bpmn.dtd_forbidden", file, None, what=type(refused).__name__)]
    except ET.ParseError as error:
        line, column = getattr(error, "position", (None, None))
        return None, [problem("bpmn.not_xml", file, line, column=column, reason=str(error))]
    except _TooDeep:
        line = int(parser.parser.CurrentLineNumber)
        return None, [problem("bpmn.too_deep", file, line, depth=MAX_DEPTH)]
    except (LookupError, ValueError) as error:  # an encoding Python does not know …
        return None, [problem("bpmn.not_xml", file, 1, column=0, reason=str(error)[:200])]
    return _Doc(root, builder.lines, file), []


def _the_process(doc: _Doc) -> ET.Element | None:
    if local_name(doc.root) != (BPMN, "definitions"):
        namespace, name = local_name(doc.root)
        doc.add("bpmn.not_bpmn", doc.root, tag=name, namespace=namespace or "-", expected=BPMN)
        return None
    for collaboration in doc.root.findall(q("collaboration")):
        for flow in collaboration.findall(q("messageFlow")):
            _unsupported(doc, flow, "messageFlow")
    processes = [p for p in doc.root.findall(q("process")) if _has_flow(p)]
    if len(processes) != 1:
        doc.add("bpmn.process_count", doc.root, count=len(processes))
        return None
    return processes[0]


def _has_flow(process: ET.Element) -> bool:
    return any(local_name(child)[1] not in ARTIFACTS for child in process) or bool(
        process.findall(q("sequenceFlow"))
    )


def _unsupported(doc: _Doc, element: ET.Element, tag: str) -> None:
    doc.add(
        "bpmn.unsupported",
        element,
        tag=tag,
        id=element.get("id", "-"),
        name=element.get("name", "") or "-",
    )


def _read_process(doc: _Doc, process: ET.Element) -> BpmnProcess:
    lanes = dict(_lanes(process))
    nodes: list[BpmnNode] = []
    flows: list[BpmnFlow] = []
    for child in process:
        namespace, tag = local_name(child)
        if namespace != BPMN or tag in ARTIFACTS - {"sequenceFlow"}:
            continue
        if tag == "sequenceFlow":
            flows.append(_flow(doc, child))
        elif tag in FLOW_NODES and not child.get("id"):
            doc.add("bpmn.no_id", child, tag=tag, name=child.get("name", "") or "-")
        elif tag in FLOW_NODES and _supported_node(doc, child, tag):
            nodes.append(_node(doc, child, tag, lanes))
        elif tag not in FLOW_NODES:
            _unsupported(doc, child, tag)
    return BpmnProcess(
        id=process.get("id", ""),
        name=process.get("name", "") or _participant_name(doc.root, process.get("id", "")),
        line=doc.line(process),
        properties=_properties(process, "process")[1],
        nodes=tuple(nodes),
        flows=tuple(flows),
        lanes=tuple(dict.fromkeys(lanes.values())),
    )


def _supported_node(doc: _Doc, element: ET.Element, tag: str) -> bool:
    """A flow node without event definitions and loops OA-Flow cannot run; each one of them
    is reported."""
    ok = True
    for child in element:
        namespace, name = local_name(child)
        if namespace != BPMN:
            continue
        loop = name == "standardLoopCharacteristics"
        if name.endswith("EventDefinition") or loop or (name == _MULTI and tag not in _TASKS):
            _unsupported(doc, element, f"{tag} ({name})")
            ok = False
    return ok


def _node(doc: _Doc, element: ET.Element, tag: str, lanes: dict[str, str]) -> BpmnNode:
    node_type, properties = _properties(element, "node")
    node_id = element.get("id", "")
    return BpmnNode(
        tag=tag,
        id=node_id,
        name=(element.get("name") or "").strip(),
        line=doc.line(element),
        node_type=node_type,
        properties=properties,
        multi_instance=element.find(q(_MULTI)) is not None,
        implementation=element.get("implementation", ""),
        default_flow=element.get("default", ""),
        lane=lanes.get(node_id, ""),
    )


def _properties(element: ET.Element, kind: str) -> tuple[str, str]:
    """(the type attribute, the properties text) of an element's OA-Flow extension."""
    extension = element.find(f"{q('extensionElements')}/{q(kind, OAFLOW)}")
    if extension is None:
        return "", ""
    text = extension.findtext(q("properties", OAFLOW)) or ""
    return extension.get("type", ""), text


def _flow(doc: _Doc, element: ET.Element) -> BpmnFlow:
    condition = element.find(q("conditionExpression"))
    text = None if condition is None else "".join(condition.itertext()).strip()
    return BpmnFlow(
        id=element.get("id", ""),
        source=element.get("sourceRef", ""),
        target=element.get("targetRef", ""),
        condition=text or None,
        line=doc.line(element),
    )


def _lanes(element: ET.Element, name: str = "") -> Iterator[tuple[str, str]]:
    """(node id, lane name) for every node in a lane; a nested lane comes after its parent,
    so the innermost lane wins."""
    for lane_set in (*element.findall(q("laneSet")), *element.findall(q("childLaneSet"))):
        for lane in lane_set.findall(q("lane")):
            lane_name = (lane.get("name") or "").strip() or name
            for ref in lane.findall(q("flowNodeRef")):
                yield (ref.text or "").strip(), lane_name
            yield from _lanes(lane, lane_name)


def _participant_name(root: ET.Element, process_id: str) -> str:
    for participant in root.iter(q("participant")):
        if participant.get("processRef") == process_id:
            return (participant.get("name") or "").strip()
    return ""
