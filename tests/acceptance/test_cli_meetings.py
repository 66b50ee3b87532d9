"""Weekly meetings (MTG-1/2) through the real `oaflow` command, ten processes: a schedule,
its report prepared by `tick` and read as JSON and Excel, the 24-hour reminder, a refused
and an accepted list of resolutions, an item's overdue warning, done by its owner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.acceptance

FORM = {
    "title": "客户投诉：屏幕划痕",
    "customer": "华东某门店",
    "complaint_type": "quality",
    "description": "屏幕有划痕",
}


def test_a_meeting_from_schedule_to_done_item(cli: Any, tmp_path: Path) -> None:
    data = json.dumps(FORM, ensure_ascii=False)
    cli("start", "customer-complaint", "--as", "csd.staff", "--data", data)
    added = cli(
        "meeting", "schedule", "add", "--department", "csd", "--weekday", "周一",
        "--at", "10:00", "--participant", "fin.head", "--as", "csd.head",
    )  # fmt: skip
    assert "每周一 10:00" in added.out and "2024-03-04 10:00" in added.out
    cli("tick", "--until", "2024-03-05T11:00")  # the report on Monday, the reminder Tuesday

    excel = tmp_path / "report.xlsx"
    shown = cli.json(
        "meeting", "show", "MTG20240301", "--xlsx", str(excel), "--as", "csd.head",
        now="2024-03-05T11:00",
    )  # fmt: skip
    assert shown["state"] == "prepared" and shown["reminded"] is True
    assert shown["participants"] == ["csd.head", "fin.head"]
    assert shown["report"]["running"] == 1
    [line] = shown["report"]["progress"]
    assert (line["title"], line["node_id"], line["owner"]) == (FORM["title"], "triage", "csd.head")
    book = load_workbook(excel)
    assert book.sheetnames[:2] == ["概览", "进度"]
    assert [c.value for c in book["进度"][2]][:2] == [line["business_key"], FORM["title"]]

    before = cli.dump()
    refused = cli(
        "meeting", "resolve", "MTG20240301", "--item", "补充产能数据|prd.head|2024-03-07T18:00",
        "--item", "回访|nobody|2024-03-07T18:00", "--as", "csd.staff",
        expect=1, now="2024-03-05T11:00",
    )  # fmt: skip
    assert "第 2 条行动项的负责人 nobody 不是系统用户" in refused.err
    assert cli.dump() == before
    cli(
        "meeting", "resolve", "MTG20240301", "--item", "补充产能数据|prd.head|2024-03-07T18:00",
        "--as", "csd.staff", now="2024-03-05T11:00",
    )  # fmt: skip
    cli("tick", "--until", "2024-03-08T09:00", now="2024-03-05T11:00")
    inbox = cli.json("inbox", "--as", "prd.head", now="2024-03-08T09:00")
    events = [m["event"] for m in inbox["items"]] if isinstance(inbox, dict) else []
    assert {"action_item_reminder", "action_item_overdue"} <= set(events)
    cli(
        "action",
        "done",
        "1",
        "--note",
        "产能数据已补充",
        "--as",
        "prd.head",
        now="2024-03-08T09:00",
    )
    [item] = cli.json("action", "list", "--mine", "--as", "prd.head", now="2024-03-08T09:00")
    assert (item["state"], item["done_note"]) == ("done", "产能数据已补充")
