"""Every YAML example of docs/definition-format.md is true.

Complete definitions (a mapping with `key`) must load and validate. Snippets are wrapped
into a minimal definition: a list of nodes, or top-level `form` / `decision_tables`. A
wrapped snippet must load without a problem and pass every check that does not depend on
the rest of the graph; nodes it links to but does not define become simple stub tasks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.loader import load_definition
from oaflow.domain.validate import DEFAULT_POLICIES, check_definition, findings
from oaflow.processes import demo_organisation

DOC = Path(__file__).parents[2] / "docs" / "definition-format.md"
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)

#: what a snippet may take from its surroundings
WRAPPER_FORM: list[dict[str, Any]] = [
    {"name": "complaint_type", "type": "enum", "values": ["quality", "logistics", "service"]},
    {"name": "amount", "type": "number"},
    {"name": "cap", "type": "number"},
    {"name": "m1_date", "type": "date"},
    {"name": "handler_dept", "type": "department"},
]
WRAPPER_TABLES: dict[str, Any] = {
    "approval_tiers": {"rules": [{"when": "amount > 500000", "then": {"to": "leader_approval"}}]},
}


def yaml_blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text("utf-8"))


def full_definitions() -> list[str]:
    return [
        b
        for b in yaml_blocks()
        if isinstance(yaml.safe_load(b), dict) and "key" in yaml.safe_load(b)
    ]


def snippets() -> list[str]:
    return [b for b in yaml_blocks() if b not in full_definitions()]


def test_the_doc_has_examples_of_both_kinds() -> None:
    assert len(full_definitions()) >= 3
    assert len(snippets()) >= 6


@pytest.mark.parametrize("block", full_definitions(), ids=lambda b: b.split("\n", 1)[0])
def test_complete_definitions_validate(block: str) -> None:
    d = check_definition(block, "doc.yaml", demo_organisation().names())
    assert isinstance(d, ProcessDefinition) and d.nodes


def _stub(node_id: str) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "handle",
        "name": node_id,
        "assignee": "initiator",
        "time_limit": {"hours": 1},
        "next": "wrapper_end",
    }


def _links(node: dict[str, Any]) -> list[str]:
    found = node.get("next", [])
    found = [found] if isinstance(found, str) else list(found)
    found += [r["to"] for r in node.get("routes", [])]
    found += [node[k] for k in ("default", "on_reject") if k in node]
    return [f for f in found if f != "end"]


def wrap(snippet: str) -> str:
    data = yaml.safe_load(snippet)
    top: dict[str, Any] = {"form": WRAPPER_FORM, "decision_tables": dict(WRAPPER_TABLES)}
    nodes = data if isinstance(data, list) else []
    if isinstance(data, dict):
        own = data.get("form", [])
        names = {f["name"] for f in own}
        top["form"] = own + [f for f in WRAPPER_FORM if f["name"] not in names]
        top["decision_tables"].update(data.get("decision_tables", {}))
    defined = {n["id"] for n in nodes}
    first = nodes[0]["id"] if nodes else "wrapper_end"
    wanted = [t for n in nodes for t in _links(n) if t not in defined]
    stubs = [_stub(t) for t in dict.fromkeys([*wanted, "leader_approval"]) if t not in defined]
    start = {"id": "wrapper_start", "type": "initiate", "name": "发起", "next": first}
    end = {"id": "wrapper_end", "type": "end", "name": "结束"}
    head = {"key": "doc-snippet", "name": "文档示例", "business_key": "D{seq:03}"}
    return yaml.safe_dump(
        {**head, **top, "nodes": [start, *nodes, *stubs, end]}, allow_unicode=True
    )


@pytest.mark.parametrize("block", snippets(), ids=lambda b: b.strip().split("\n", 1)[0][:40])
def test_snippets_load_and_pass_the_node_checks(block: str) -> None:
    d = load_definition(wrap(block), "snippet.yaml")
    local = [f.problem for f in findings(d, None, DEFAULT_POLICIES) if not f.graph]
    assert not local, "\n".join(map(str, local))


def test_a_broken_example_would_fail() -> None:
    """The wrapper does not hide problems: a snippet with a bad node is caught."""
    bad = "  - {id: x, type: handle, name: x, next: done}\n"
    d = load_definition(wrap(bad))
    local = [f.problem.message for f in findings(d, None, DEFAULT_POLICIES) if not f.graph]
    assert "node `x` has no responsible party (`assignee`)" in local
