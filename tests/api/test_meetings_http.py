"""Weekly meetings over HTTP (MTG-1/2): a schedule, a report prepared now and read as JSON
and Excel, resolutions entered all or nothing, one's items marked done — bad input and
callers out of scope answered as problem+json with their code. (The clock, the reminders
and the report's numbers are checked in tests/contract/test_meetings.py.)"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import text

from .conftest import Server


def count(api: Server, table: str) -> int:
    with api.app.db.read() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_schedule_report_resolutions_and_done_over_http(api: Server) -> None:
    csd, mkt, staff = (
        api.signed_in("csd.head"),
        api.signed_in("mkt.head"),
        api.signed_in("mkt.staff"),
    )
    body = {"department": "csd", "weekday": "mon", "at": "10:00", "participants": ["fin.head"]}
    made = csd.post("/api/meeting-schedules", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["weekday_name"] == {"zh": "周一", "en": "Monday"}
    bad = csd.post("/api/meeting-schedules", json={**body, "weekday": "funday"})
    assert bad.status_code == 422 and bad.json()["code"] == "meeting.bad_weekday", bad.text
    assert (
        staff.post("/api/meeting-schedules", json={**body, "department": "mkt"}).status_code == 403
    )
    assert [s["department"]["code"] for s in csd.get("/api/meeting-schedules").json()] == ["csd"]

    prepared = mkt.post("/api/meetings", json={"department": "mkt"})
    assert prepared.status_code == 201, prepared.text
    code = prepared.json()["code"]
    assert prepared.json()["report"]["running"] == 0
    assert staff.get(f"/api/meetings/{code}").json()["may_resolve"] is True
    assert api.signed_in("log.staff").get(f"/api/meetings/{code}").status_code == 404
    excel = staff.get(f"/api/meetings/{code}/report.xlsx")
    assert excel.status_code == 200
    assert load_workbook(io.BytesIO(excel.content)).sheetnames == [
        "概览",
        "进度",
        "异常",
        "资源需求",
        "风险事项",
        "行动项",
    ]

    due = (datetime.now() + timedelta(days=7)).strftime("%Y-%m-%dT18:00")
    items = [{"title": "整理渠道反馈", "owner": "mkt.staff", "due": due}]
    no_owner = staff.post(
        f"/api/meetings/{code}/actions", json={"items": [*items, {"title": "无人", "due": due}]}
    )
    assert no_owner.status_code == 422 and no_owner.json()["code"] == "action.no_owner"
    assert count(api, "action_items") == 0
    entered = staff.post(
        f"/api/meetings/{code}/actions",
        json={"items": [*items, {"title": "确认预算", "owner": "fin.head", "due": due}]},
    )
    assert entered.status_code == 201, entered.text
    first, _ = (i["id"] for i in entered.json())
    assert [i["id"] for i in staff.get("/api/actions", params={"mine": True}).json()] == [first]
    refused = mkt.post(f"/api/actions/{first}/done", json={"note": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "action.not_yours"
    done = staff.post(f"/api/actions/{first}/done", json={"note": "已整理"})
    assert done.status_code == 200 and done.json()["state"] == "done", done.text
    assert mkt.get("/api/meetings").json()[0]["open_items"] == 1
    assert csd.delete(f"/api/meeting-schedules/{made.json()['id']}").status_code == 204
