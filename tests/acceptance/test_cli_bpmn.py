"""BPMN 2.0 through the real `oaflow` command (DEF-1): a built-in process exported, imported
back and published as a new version that runs; a file drawn in another modeler imported,
published and started; a file with unsupported elements and an entity bomb refused with
every problem listed and nothing changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.acceptance

SAMPLES = Path(__file__).parents[1] / "unit" / "bpmn"
COMPLAINT = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}


def test_a_process_goes_out_as_bpmn_and_comes_back_as_a_new_version_that_runs(cli: Any) -> None:
    out = cli.db.parent / "complaint.bpmn"
    said = cli("bpmn", "export", "customer-complaint", "--as", "auditor", "-o", str(out))
    assert "V1.0" in said.out and out.exists()
    xml = out.read_text(encoding="utf-8")
    assert 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"' in xml
    assert "<bpmndi:BPMNShape" in xml and "<di:waypoint" in xml
    assert cli("bpmn", "export", "customer-complaint", "--as", "auditor").out == xml
    as_json = cli.json("bpmn", "export", "customer-complaint", "--as", "auditor", "--version", "1")
    assert (as_json["version"], as_json["xml"]) == (1, xml)

    back = cli.db.parent / "back.yaml"
    done = cli(
        "bpmn", "import", str(out), "--as", "admin", "--publish", "--note", "从 BPMN 导入",
        "-o", str(back),
    )  # fmt: skip
    assert "customer-complaint v2" in done.out, str(done)
    builtin = Path(__file__).parents[2] / "src/oaflow/processes/customer-complaint.yaml"
    assert yaml.safe_load(back.read_text(encoding="utf-8")) == yaml.safe_load(
        builtin.read_text(encoding="utf-8")
    )
    versions = cli.json("process", "versions", "customer-complaint", "--as", "admin")
    assert [v["version"] for v in versions] == [2, 1]
    started = cli.json(
        "start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(COMPLAINT)
    )
    assert started["business_key"] == "TS202403001"  # started on the newest version, v2
    assert [t["node_id"] for t in cli.tasks("csd.head")] == ["triage"]


def test_a_file_from_another_modeler_is_published_and_started(cli: Any) -> None:
    file = cli.db.parent / "purchase-request.bpmn"
    shutil.copyfile(SAMPLES / "purchase-request.bpmn", file)
    done = cli("bpmn", "import", str(file), "--as", "admin", "--publish", "--json", lang="en")
    found = done.json()
    assert (found["key"], found["nodes"]) == ("purchase-request", 7)
    assert found["published"]["label"].startswith("V1.0-")
    assert any("working hours taken" in note for note in found["notes"])  # the defaults, said
    form = {"title": "采购笔记本电脑", "amount": 25000}
    started = cli.json("start", "purchase-request", "--as", "mkt.staff", "--data", json.dumps(form))
    assert started["business_key"] == "PURC202403001"
    tasks = cli.tasks("mkt.head")  # the lane 市场部 is the review's department
    assert [t["node_id"] for t in tasks] == ["Activity_review"]


def test_unsupported_elements_and_entity_bombs_are_refused_and_nothing_changes(
    cli: Any,
) -> None:
    before = cli.dump()
    file = cli.db.parent / "unsupported.bpmn"
    shutil.copyfile(SAMPLES / "unsupported.bpmn", file)
    refused = cli("bpmn", "import", str(file), "--as", "admin", "--publish", expect=1)
    for element in ("Sub_1", "Call_1", "Boundary_1", "Inclusive_1", "EventGw_1", "Start_timer"):
        assert element in refused.err, str(refused)
    assert "10 个问题" in refused.err and "unsupported.bpmn:8" in refused.err
    bomb = cli.db.parent / "bomb.bpmn"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><b>&b;</b>',
        encoding="utf-8",
    )
    refused = cli("bpmn", "import", str(bomb), "--as", "admin", "--publish", expect=1, lang="en")
    assert "DTD or entity declarations" in refused.err
    cli("bpmn", "import", str(file), "--as", "csd.head", expect=1)  # not an administrator
    assert cli.dump() == before
