"""Versions through the real `oaflow` command (VER-1..3): a new process published as V1.0,
a second version with a change note (V1.1), a major one (V2.0); `process versions --json`
and `process diff --json` by number, V-number and label; a reference that names no version
is a clear error with exit code 1, and nothing is published by a refused note."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from version_scenario import budget_v2

pytestmark = pytest.mark.acceptance


def test_publish_list_and_diff_versions(cli: Any, tmp_path: Path) -> None:
    v1 = budget_v2().replace("key: annual-budget", "key: dept-budget", 1)
    v2 = v1.replace("time_limit: {hours: 16}", "time_limit: {hours: 8}", 1)
    (tmp_path / "v1.yaml").write_text(v1, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(v2, encoding="utf-8")
    first = cli("process", "publish", str(tmp_path / "v1.yaml"), "--as", "admin")
    assert "V1.0-202403-年度预算" in first.out and "变更通知" not in first.out
    second = cli(
        "process", "publish", str(tmp_path / "v2.yaml"), "--as", "admin",
        "--note", "财务修正时限缩短为 8 工时", now="2024-04-02T10:00",
    )  # fmt: skip
    assert "V1.1-202404-年度预算" in second.out
    assert "流程变更通知已发给 3 人" in second.out  # fin.head, fin.staff, admin
    third = cli("process", "publish", str(tmp_path / "v1.yaml"), "--as", "admin", "--major")
    assert "V2.0-202403-年度预算" in third.out

    versions = cli.json("process", "versions", "dept-budget", "--as", "fin.staff")
    assert [(v["version"], v["label"], v["note"]) for v in versions] == [
        (3, "V2.0-202403-年度预算", ""),
        (2, "V1.1-202404-年度预算", "财务修正时限缩短为 8 工时"),
        (1, "V1.0-202403-年度预算", ""),
    ]
    diff = cli.json(
        "process", "diff", "dept-budget", "--from", "V1.0", "--to", "2", "--as", "fin.staff"
    )
    assert (diff["from"]["version"], diff["to"]["version"]) == (1, 2)
    assert [c["zh"] for c in diff["changes"]] == ["节点「财务部汇总修正」时限 16 → 8 工作小时"]
    assert (
        diff["changes"][0]["en"] == 'Node "Finance revises the totals" time limit: 16 → 8 working h'
    )
    back = cli(
        "process", "diff", "dept-budget", "--from", "V1.1-202404-年度预算", "--to", "V2.0",
        "--as", "fin.staff", lang="en",
    )  # fmt: skip
    assert 'Node "Finance revises the totals" time limit: 8 → 16 working h' in back.out

    unknown = cli(
        "process", "diff", "dept-budget", "--from", "V9", "--to", "1", "--as", "admin", expect=1
    )
    assert "没有版本 V9" in unknown.err and "oaflow process versions dept-budget" in unknown.err
    long_note = cli(
        "process", "publish", str(tmp_path / "v2.yaml"), "--as", "admin", "--note", "长" * 2001,
        expect=1,
    )  # fmt: skip
    assert "最多 2000 个" in long_note.err
    assert len(cli.json("process", "versions", "dept-budget", "--as", "admin")) == 3
