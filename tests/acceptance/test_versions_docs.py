"""docs/versions.md is true — the acceptance test of versions through the real `oaflow`
command (VER-1..3): V1.0, V1.1 with a change note, V2.0 with --major; `process versions
--json`, `process diff` by V-number, number and label, in English, as JSON; a version that
does not exist (exit 1). Then the change notice the session wrote: who it goes to, and the
changes in its words."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from doc_session import check, files, steps

from oaflow.bootstrap import build_app
from oaflow.config import Settings
from oaflow.domain.clock import FixedClock
from oaflow.domain.security import SYSTEM
from oaflow.present.json_view import jsonable
from oaflow.services import messages

pytestmark = pytest.mark.acceptance

DOC = Path(__file__).resolve().parents[2] / "docs" / "versions.md"
TEXT = DOC.read_text(encoding="utf-8")
PAGE = "docs/versions.md"


def test_the_example_session_runs_as_written(tmp_path: Path, oaflow_run: Any) -> None:
    for name, content in files(TEXT).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    session = steps(TEXT, PAGE)
    commands = " ".join(s.command for s in session)
    for shown in ("--note", "--major", "versions leave-request", "--json", "--lang en"):
        assert shown in commands, shown
    for step in session:
        result = oaflow_run(shlex.split(step.command)[1:], tmp_path, expect=None, columns=100)
        check(step, result, PAGE)
    notices = notices_in(tmp_path / "oaflow.db")
    assert [n["message_id"] for n in notices] == [
        "definition/leave-request/v2",
        "definition/leave-request/v3",
    ]
    first = notices[0]
    assert first["recipients"] == ["admin", "csd.head", "csd.staff"]  # 客户服务部 + admin
    assert first["data"]["note"] == "请假超过三天需分管领导审批"
    assert first["data"]["page"] == "/knowledge/leave-request/versions/2"
    said = [item["task_zh"] for item in first["data"]["items"]]
    assert said[-1] == "节点「部门负责人审批」时限 16 → 8 工作小时" and len(said) == 5


def notices_in(db: Path) -> list[dict[str, Any]]:
    clock = FixedClock(datetime(2024, 3, 6, 3, 0, tzinfo=UTC))
    app = build_app(Settings(), clock, f"sqlite:///{db}")
    try:
        sent = jsonable(messages.outbox(app, SYSTEM), "zh", app.calendar.tz)
    finally:
        app.db.dispose()
    return [m for m in sent if m["event"] == "definition_changed"]
