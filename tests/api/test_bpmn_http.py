"""BPMN 2.0 over HTTP (DEF-1): a process downloaded as BPMN XML by anyone who may see it; a
file uploaded by an administrator — a dry run that shows the YAML, a publish that makes a
new version, and a file with unsupported elements refused as problem+json 422 listing every
element, with nothing published."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from oaflow.domain.bpmn_model import BPMN

from .conftest import Server

SAMPLES = Path(__file__).parents[1] / "unit" / "bpmn"


def test_a_process_downloads_as_bpmn_and_uploads_back_as_a_new_version(api: Server) -> None:
    reader = api.signed_in("csd.staff")
    answer = reader.get("/api/processes/customer-complaint/bpmn", params={"version": "V1.0"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert 'filename="customer-complaint-v1.bpmn"' in answer.headers["content-disposition"]
    root = ET.fromstring(answer.content)
    assert root.tag == f"{{{BPMN}}}definitions"
    assert reader.get("/api/processes/nope/bpmn").status_code == 404

    refused = reader.post("/api/bpmn", files={"file": ("c.bpmn", answer.content, "text/xml")})
    assert refused.status_code == 403  # importing is the administrators'

    admin = api.signed_in("admin")
    dry = admin.post("/api/bpmn", files={"file": ("c.bpmn", answer.content, "text/xml")})
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert (body["key"], body["published"], body["notes"]) == ("customer-complaint", None, [])
    assert yaml.safe_load(body["source"])["nodes"][1]["id"] == "triage"
    versions = admin.get("/api/processes/customer-complaint/versions").json()
    assert len(versions) == 1  # a dry run publishes nothing

    done = admin.post(
        "/api/bpmn",
        files={"file": ("c.bpmn", answer.content, "text/xml")},
        data={"publish": "true", "note": "从 BPMN 导入"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["published"]["version"] == 2
    assert len(admin.get("/api/processes/customer-complaint/versions").json()) == 2


def test_unsupported_elements_are_a_422_listing_every_one(api: Server) -> None:
    admin = api.signed_in("admin")
    data = (SAMPLES / "unsupported.bpmn").read_bytes()
    answer = admin.post(
        "/api/bpmn",
        files={"file": ("unsupported.bpmn", data, "application/xml")},
        data={"publish": "true"},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problems = answer.json()["problems"]
    assert len(problems) == 10
    assert problems[1].startswith("unsupported.bpmn:8: unsupported element subProcess (id Sub_1")
    listed = [p["key"] for p in admin.get("/api/processes").json()]
    assert "process-x" not in listed
