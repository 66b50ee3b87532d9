"""`oaflow audit list|verify` through the real command (SEC-4): the log of configuration
changes and refused requests, and a verification that names what was tampered with."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

pytestmark = pytest.mark.acceptance

FORM = {
    "title": "外壳破裂投诉",
    "customer": "张三",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "收到的产品外壳破裂",
}


def sql(cli: Any, statement: str) -> None:
    """Change the database file behind OA-Flow's back."""
    conn = sqlite3.connect(cli.db)
    try:
        conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def started(cli: Any) -> None:
    """TS202403001 started and its first step approved (history entries 1..)."""
    cli("start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(FORM))
    cli("task", "approve", "1", "--as", "csd.head", "--note", "受理")


def test_changes_and_refusals_are_listed_for_auditors(cli: Any) -> None:
    started(cli)
    later = "2024-03-05T10:00"
    cli("policy", "set", "contract", "--as", "admin", "--departments", "leg", now=later)
    refused = cli("instance", "show", "TS202403001", "--as", "log.head", expect=1, now=later)
    assert "TS202403001" in refused.err
    entries = cli.json("audit", "list", "--as", "auditor", "--limit", "2")
    denial, policy = entries
    assert (denial["actor"], denial["action"], denial["target"]) == (
        "log.head",
        "access.denied",
        "instance:TS202403001",
    )
    assert denial["detail"] == {"permission": "view", "code": "instance.not_found"}
    assert denial["address"].startswith("cli:") and denial["at"].endswith("+00:00")
    assert (policy["actor"], policy["action"], policy["detail"]) == (
        "admin",
        "policy.set",
        {"departments": ["leg"]},
    )
    since = cli.json("audit", "list", "--as", "admin", "--since", "2024-03-05T00:00")
    assert [e["seq"] for e in since] == [denial["seq"], policy["seq"]]
    table = cli("audit", "list", "--as", "auditor", lang="en")
    assert "policy.set" in table.out and "access.denied" in table.out
    cli("audit", "list", "--as", "csd.staff", expect=1)
    assert cli.json("audit", "list", "--as", "auditor", "--limit", "1")[0]["actor"] == "csd.staff"


def test_verify_says_intact_then_names_each_broken_place(cli: Any) -> None:
    started(cli)
    intact = cli("audit", "verify", "--as", "auditor", lang="en")
    assert intact.out.startswith("intact: 1 instance(s) with ")
    sql(cli, 'UPDATE history SET data = \'{"note": "改过"}\' WHERE seq = 2')
    sql(cli, "DELETE FROM history WHERE seq = 4")
    sql(cli, "DELETE FROM audit WHERE seq = 2")
    sql(cli, "UPDATE audit SET actor = 'gm' WHERE seq = 3")
    broken = cli("audit", "verify", "--as", "auditor", lang="en", expect=1)
    lines = broken.out.splitlines()
    assert lines[:4] == [
        "history of TS202403001 seq 2: edited",
        "history of TS202403001 seq 4: deleted",
        "audit seq 2: deleted",
        "audit seq 3: edited",
    ], broken.out
    assert lines[4].startswith("4 broken place(s) in 1 instance(s)")
    found = cli("audit", "verify", "--as", "admin", "--json", expect=1).json()
    assert not found["intact"] and len(found["findings"]) == 4
    assert found["findings"][0]["text"] == "实例 TS202403001 的历史第 2 条：被修改"
    cli("audit", "verify", "--as", "prd.head", expect=1)  # not an auditor
