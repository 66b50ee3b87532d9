"""BPMN 2.0 export and import (DEF-1): the four built-in processes go out and come back as
the same definition; the XML is BPMN with a diagram; a file from another modeler imports by
the documented defaults; unsupported elements are all listed; entity tricks are refused."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from oaflow.domain.bpmn_import import Imported, import_bpmn, lane_names
from oaflow.domain.bpmn_model import BPMN, BPMNDI, DC, DI, OAFLOW
from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.org import Organisation
from oaflow.domain.validate import check_definition
from oaflow.present.bpmn_export import to_bpmn
from oaflow.present.bpmn_layout import Bounds
from oaflow.processes import builtin_keys, builtin_source, demo_organisation

HERE = Path(__file__).parent / "bpmn"
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "userTask",
    "serviceTask",
    "sendTask",
    "task",
    "exclusiveGateway",
    "parallelGateway",
)


@pytest.fixture(scope="module")
def org() -> Organisation:
    return demo_organisation()


def imported(data: bytes, org: Organisation, file: str = "f.bpmn") -> Imported:
    return import_bpmn(data, file, lane_names(org))


def codes(result: Imported) -> list[str]:
    return [p.code for p in result.problems]


def shape(d: ProcessDefinition) -> list[tuple[Any, ...]]:
    """What a compiled definition does, node by node (without line numbers)."""
    return [
        (
            n.id, n.type, n.name, n.next,
            [(r.to, r.when.text if r.when else None) for r in n.routes],
            n.decision, n.assignee and (n.assignee.kind, n.assignee.department, n.assignee.role),
            n.time_limit, n.trigger, n.on_reject, n.over and n.over.text, n.outputs.deliverables,
            [(f.name, f.type, f.required) for f in n.outputs.fields], n.service, n.archive_name,
            n.sla.escalation and [(e.after, e.to, e.action) for e in n.sla.escalation],
        )
        for n in d.nodes.values()
    ]  # fmt: skip


@pytest.mark.parametrize("key", builtin_keys())
def test_a_built_in_process_goes_out_and_comes_back_the_same(key: str, org: Organisation) -> None:
    source, file = builtin_source(key)
    xml = to_bpmn(source, file)
    back = imported(xml.encode(), org, f"{key}.bpmn")
    assert back.problems == [] and back.notes == []
    assert yaml.safe_load(back.text) == yaml.safe_load(source)  # every key, every value
    before = check_definition(source, file, org.names())
    after = check_definition(back.text, file, org.names())
    assert shape(after) == shape(before)
    assert [replace(f, line=None) for f in after.form] == [
        replace(f, line=None) for f in before.form
    ]
    assert after.decision_tables.keys() == before.decision_tables.keys()
    assert (after.key, after.name, after.business_key, after.initiators, after.tags) == (
        before.key, before.name, before.business_key, before.initiators, before.tags,
    )  # fmt: skip


@pytest.mark.parametrize("key", builtin_keys())
def test_the_export_is_bpmn_with_a_shape_for_every_node_and_an_edge_for_every_flow(
    key: str,
) -> None:
    source, file = builtin_source(key)
    root = ET.fromstring(to_bpmn(source, file))  # well-formed
    assert root.tag == f"{{{BPMN}}}definitions"
    (process,) = root.findall(f"{{{BPMN}}}process")
    nodes = [e for e in process if e.tag.removeprefix(f"{{{BPMN}}}") in FLOW_NODES]
    flows = process.findall(f"{{{BPMN}}}sequenceFlow")
    definition = check_definition(source, file)
    assert len(nodes) == len(definition.nodes)
    assert len(flows) >= len(definition.nodes) - 1
    plane = root.find(f"{{{BPMNDI}}}BPMNDiagram/{{{BPMNDI}}}BPMNPlane")
    assert plane is not None and plane.get("bpmnElement") == process.get("id")
    shapes = {s.get("bpmnElement"): s for s in plane.findall(f"{{{BPMNDI}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in plane.findall(f"{{{BPMNDI}}}BPMNEdge")}
    assert set(shapes) == {n.get("id") for n in nodes}
    assert set(edges) == {f.get("id") for f in flows}
    boxes = {}
    for node_id, found in shapes.items():
        b = found.find(f"{{{DC}}}Bounds")
        assert b is not None
        boxes[node_id] = Bounds(*(int(b.get(k, "")) for k in ("x", "y", "width", "height")))
    for edge in edges.values():
        assert len(edge.findall(f"{{{DI}}}waypoint")) >= 2
    ids = {n.get("id") for n in nodes}
    for flow in flows:
        assert flow.get("sourceRef") in ids and flow.get("targetRef") in ids
        source_box, target_box = boxes[flow.get("sourceRef")], boxes[flow.get("targetRef")]
        first = edges[flow.get("id")].find(f"{{{DI}}}waypoint")
        assert first is not None and _on_border(source_box, int(first.get("x", "")),
                                                int(first.get("y", "")))  # fmt: skip
        assert target_box  # the edge ends at a shape that exists
    for flow in flows:  # readable: no arrow runs through a node it does not link
        points = [
            (int(w.get("x", "")), int(w.get("y", "")))
            for w in edges[flow.get("id")].findall(f"{{{DI}}}waypoint")
        ]
        ends = {flow.get("sourceRef"), flow.get("targetRef")}
        for node_id, box in boxes.items():
            if node_id not in ends:
                assert not any(_crosses(box, a, b) for a, b in itertools.pairwise(points)), (
                    flow.get("id"),
                    node_id,
                )
    placed = list(boxes.values())
    for i, a in enumerate(placed):  # readable: no two shapes overlap
        for b in placed[i + 1 :]:
            assert a.right <= b.x or b.right <= a.x or a.bottom <= b.y or b.bottom <= a.y


def _crosses(box: Bounds, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether the level or upright segment a-b passes through the inside of ``box``."""
    (x1, y1), (x2, y2) = a, b
    if y1 == y2:
        return box.y < y1 < box.bottom and min(x1, x2) < box.right and max(x1, x2) > box.x
    return box.x < x1 < box.right and min(y1, y2) < box.bottom and max(y1, y2) > box.y


def _on_border(b: Bounds, x: int, y: int) -> bool:
    return (x in (b.x, b.right, b.cx) and b.y <= y <= b.bottom) or (
        y in (b.y, b.bottom, b.cy) and b.x <= x <= b.right
    )


def test_the_export_keeps_what_bpmn_cannot_hold_in_the_oaflow_extension() -> None:
    source, file = builtin_source("annual-budget")
    root = ET.fromstring(to_bpmn(source, file))
    gateway = root.find(f".//{{{BPMN}}}exclusiveGateway[@id='check']")
    assert gateway is not None
    flows = {f.get("id"): f for f in root.iter(f"{{{BPMN}}}sequenceFlow")}
    default = flows[gateway.get("default")]
    assert default.get("targetRef") == "leader_approval"
    assert default.find(f"{{{BPMN}}}conditionExpression") is None
    (rule,) = [f for f in flows.values() if f.get("sourceRef") == "check" and f is not default]
    assert rule.get("targetRef") == "fin_revise"
    assert "sum(budget_amount) > total_cap" in (
        rule.findtext(f"{{{BPMN}}}conditionExpression") or ""
    )
    task = root.find(f".//{{{BPMN}}}userTask[@id='leader_approval']")
    assert task is not None
    extension = task.find(f"{{{BPMN}}}extensionElements/{{{OAFLOW}}}node")
    assert extension is not None and extension.get("type") == "approval"
    properties = yaml.safe_load(extension.findtext(f"{{{OAFLOW}}}properties") or "")
    assert properties == {
        "name": {"zh": "分管领导审批", "en": "Supervising leader approval"},
        "assignee": {"leader_of": "initiator"}, "time_limit": {"hours": 24},
        "on_reject": "fin_revise",
    }  # fmt: skip
    assert "fin_revise" in (task.findtext(f"{{{BPMN}}}documentation") or "")


def test_a_multi_instance_node_is_a_user_task_with_multi_instance_characteristics() -> None:
    source, file = builtin_source("annual-budget")
    root = ET.fromstring(to_bpmn(source, file))
    task = root.find(f".//{{{BPMN}}}userTask[@id='dept_budgets']")
    assert task is not None
    assert task.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics") is not None
    assert root.find(f".//{{{BPMN}}}serviceTask[@id='sync_finance']") is not None
    assert root.find(f".//{{{BPMN}}}task[@id='archive']") is not None


def test_a_name_changed_in_a_modeler_wins_and_the_english_name_stays(org: Organisation) -> None:
    source, file = builtin_source("customer-complaint")
    xml = to_bpmn(source, file).replace('name="投诉受理确认"', 'name="受理投诉"')
    back = imported(xml.encode(), org)
    node = next(n for n in yaml.safe_load(back.text)["nodes"] if n["id"] == "triage")
    assert node["name"]["zh"] == "受理投诉"
    assert node["name"]["en"] == yaml.safe_load(source)["nodes"][1]["name"]["en"]


def test_a_file_from_another_modeler_imports_by_the_documented_defaults(org: Organisation) -> None:
    result = imported((HERE / "purchase-request.bpmn").read_bytes(), org)
    assert result.problems == []
    data = yaml.safe_load(result.text)
    assert (data["key"], data["name"]) == ("purchase-request", "采购申请")
    assert data["form"] == [{"name": "amount", "type": "number", "required": True}]
    nodes = {n["id"]: n for n in data["nodes"]}
    assert next(iter(nodes)) == "StartEvent_1" and nodes["StartEvent_1"]["type"] == "initiate"
    assert nodes["Activity_review"]["assignee"] == {"department": "mkt"}  # lane 市场部
    assert nodes["Activity_finance"]["assignee"] == {"department": "fin"}  # lane Finance
    assert nodes["Activity_finance"]["time_limit"] == {"hours": 24}
    gateway = nodes["Gateway_amount"]
    assert gateway["routes"] == [{"when": "amount > 10000", "to": "Activity_finance"}]
    assert gateway["default"] == "Activity_notify"  # through the merging gateway
    assert "Gateway_merge" not in nodes
    assert nodes["Activity_notify"] == {
        "id": "Activity_notify", "type": "notify", "name": "通知法务",
        "notify": [{"department": "leg"}], "next": "Activity_sync",
    }  # fmt: skip
    assert nodes["Activity_sync"]["service"] == "erp.sync_purchase"
    notes = {n.code for n in result.notes}
    assert notes == {
        "bpmn.note.process", "bpmn.note.time_limit", "bpmn.note.service", "bpmn.note.form_field",
    }  # fmt: skip
    definition = check_definition(result.text, "purchase-request.yaml", org.names())
    assert len(definition.nodes) == 7


def test_unsupported_elements_are_all_listed_at_once(org: Organisation) -> None:
    result = imported((HERE / "unsupported.bpmn").read_bytes(), org)
    assert result.text == ""
    assert set(codes(result)) == {"bpmn.unsupported"}
    found = {(p.fault.params["tag"], p.fault.params["id"], p.line) for p in result.problems}
    assert found == {
        ("startEvent (timerEventDefinition)", "Start_timer", 4),
        ("subProcess", "Sub_1", 8),
        ("callActivity", "Call_1", 11),
        ("boundaryEvent", "Boundary_1", 12),
        ("inclusiveGateway", "Inclusive_1", 15),
        ("eventBasedGateway", "EventGw_1", 16),
        ("intermediateCatchEvent", "Catch_msg", 17),
        ("scriptTask", "Script_1", 20),
        ("userTask (standardLoopCharacteristics)", "Task_loop", 21),
        ("endEvent (terminateEventDefinition)", "End_terminate", 24),
    }
    text = result.problems[1].text("zh")
    assert "subProcess" in text and "Sub_1" in text and "子流程" in text and ":8:" in text


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol3;</bpmn:definitions>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
<bpmn:process id="p" name="&x;"/></bpmn:definitions>
"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
def test_entity_declarations_are_refused(data: bytes, org: Organisation) -> None:
    result = imported(data, org)
    assert codes(result) == ["bpmn.dtd_forbidden"]
    assert result.text == ""
    assert "passwd" not in str(result.problems[0]) and "lollol" not in str(result.problems[0])


def test_not_xml_not_bpmn_and_too_large_are_clear_problems(org: Organisation) -> None:
    assert codes(imported(b"<bpmn:definitions>\n<a></b>", org)) == ["bpmn.not_xml"]
    assert imported(b"<x>\n<a></b>", org).problems[0].line == 2
    assert codes(imported(b'<definitions xmlns="urn:other"/>', org)) == ["bpmn.not_bpmn"]
    empty = b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'
    assert codes(imported(empty, org)) == ["bpmn.process_count"]
    assert codes(imported(b" " * (2 * 1024 * 1024 + 1), org)) == ["bpmn.too_large"]
    unknown = b"<?xml version='1.0' encoding='bogus'?><a/>"
    assert codes(imported(unknown, org)) == ["bpmn.not_xml"]
    deep = _foreign("<documentation>" + "<x>" * 5000 + "</x>" * 5000 + "</documentation>")
    assert codes(imported(deep, org)) == ["bpmn.too_deep"]
    nameless = _foreign('<startEvent id="s"/><endEvent name="结束"/>')
    assert "bpmn.no_id" in codes(imported(nameless, org))


def _foreign(body: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        f'<process id="P1">{body}</process></definitions>'
    ).encode()


def test_what_a_foreign_file_leaves_open_is_listed(org: Organisation) -> None:
    body = (
        '<startEvent id="s"/><userTask id="t" name="无泳道"/><userTask id="u"/>'
        '<parallelGateway id="g"/><endEvent id="e"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        '<sequenceFlow id="f2" sourceRef="t" targetRef="g">'
        "<conditionExpression>x</conditionExpression></sequenceFlow>"
        '<sequenceFlow id="f3" sourceRef="s" targetRef="g"/>'
        '<sequenceFlow id="f4" sourceRef="g" targetRef="u"/>'
        '<sequenceFlow id="f5" sourceRef="g" targetRef="e"/>'
        '<sequenceFlow id="f6" sourceRef="u" targetRef="nowhere"/>'
    )  # fmt: skip
    result = imported(_foreign(body), org)
    assert sorted(codes(result)) == sorted(
        [
            "bpmn.no_department",  # t
            "bpmn.no_department",  # u
            "bpmn.condition_not_on_gateway",  # f2
            "bpmn.mixed_gateway",  # g: 2 in, 2 out
            "bpmn.several_outgoing",  # s
            "bpmn.flow_unknown_node",  # f6
            "bpmn.no_outgoing",  # u (its only flow goes nowhere)
        ]
    )
    assert result.text == ""


def test_an_edited_export_with_a_changed_element_or_broken_properties_is_refused(
    org: Organisation,
) -> None:
    source, file = builtin_source("customer-complaint")
    xml = to_bpmn(source, file)
    retyped = xml.replace('<bpmn:userTask id="review"', '<bpmn:serviceTask id="review"', 1)
    closing = '</bpmn:userTask>\n    <bpmn:userTask id="reply"'
    retyped = retyped.replace(closing, closing.replace("userTask>", "serviceTask>", 1), 1)
    result = imported(retyped.encode(), org)
    assert codes(result) == ["bpmn.type_mismatch"]
    assert result.problems[0].fault.params == {
        "id": "review", "tag": "serviceTask", "type": "approval",
    }  # fmt: skip
    broken = xml.replace("on_reject: handle", "on_reject: [handle", 1)
    assert codes(imported(broken.encode(), org)) == ["bpmn.bad_properties"]
    twice = xml.replace('<bpmn:userTask id="reply"', '<bpmn:userTask id="review"', 1)
    assert "bpmn.id_twice" in codes(imported(twice.encode(), org))
