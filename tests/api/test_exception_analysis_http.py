"""The cause list and the monthly cause analysis over HTTP (EXC-5): the Pareto as JSON and
as an Excel workbook with its chart, the cause list kept by administrators, and bad input
answered as problem+json with its code. (Every number of the analysis is checked against a
crafted history in tests/contract/test_exception_pareto.py.)"""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import text

from .conftest import Server
from .test_admin_routes import COMPLAINT


def test_the_pareto_as_json_and_excel_and_the_cause_list(api: Server) -> None:
    csd = api.signed_in("csd.head")
    key = csd.post("/api/instances", json={"process": "customer-complaint", "form": COMPLAINT})
    assert key.status_code == 201, key.text
    key = key.json()["summary"]["business_key"]
    report = {"node": "triage", "description": "未按时受理"}
    first = csd.post(f"/api/instances/{key}/exceptions", json=report).json()["code"]
    with api.app.db.write() as conn:  # explained and closed (the loop's own services do that)
        conn.execute(
            text("UPDATE exceptions SET cause_category = :k, state = 'closed' WHERE code = :c"),
            {"k": "需求变更", "c": first},
        )
    assert csd.post(f"/api/instances/{key}/exceptions", json=report).status_code == 201
    with api.app.db.read() as conn:
        month = conn.execute(text("SELECT MAX(found_at) FROM exceptions")).scalar()
    month = str(month)[:7]  # UTC: the same month in Shanghai unless run at a month's edge

    answer = csd.get("/api/exceptions/pareto", params={"month": month, "by": "node"})
    assert answer.status_code == 200, answer.text
    (group,) = answer.json()["groups"]
    assert group["key"] == "customer-complaint/triage" and group["total"] == 2
    assert [
        (c["cause"], c["count"], c["share"], c["cumulative"], c["vital"]) for c in group["causes"]
    ] == [
        ("需求变更", 1, 0.5, 0.5, True),
        (None, 1, 0.5, 1.0, True),
    ]
    assert group["causes"][1]["label"] == {"zh": "未归因", "en": "Not yet explained"}

    excel = csd.get("/api/exceptions/pareto.xlsx", params={"month": month, "lang": "en"})
    assert excel.status_code == 200 and excel.headers["content-type"].startswith(
        "application/vnd.openxmlformats"
    )
    sheet = load_workbook(io.BytesIO(excel.content))["All"]
    assert list(sheet.values)[:3] == [
        ("原因分类", "异常数", "占比", "累计占比", "关键少数"),
        ("Requirement change", 1, 0.5, 0.5, "是"),
        ("Not yet explained", 1, 0.5, 1, "是"),
    ]
    assert [type(c).__name__ for c in sheet._charts] == ["BarChart"]  # with its line

    bad = csd.get("/api/exceptions/pareto", params={"month": "2024-13", "lang": "en"})
    assert bad.status_code == 422 and bad.json()["code"] == "analysis.bad_month"
    assert "YYYY-MM" in bad.json()["detail"]
    unknown = csd.get("/api/exceptions/pareto", params={"month": month, "process": "nope"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "analysis.unknown_process"

    assert csd.get("/api/exception-causes").json()["causes"][0] == {
        "name": "需求变更",
        "label": {"zh": "需求变更", "en": "Requirement change"},
    }
    names = {"names": ["需求变更", "设备故障"]}
    assert csd.put("/api/exception-causes", json=names).status_code == 403
    admin = api.signed_in("admin")
    assert admin.put("/api/exception-causes", json={"names": ["其他", "其他"]}).json()["code"] == (
        "cause.duplicate"
    )
    changed = admin.put("/api/exception-causes", json=names)
    assert changed.status_code == 200 and changed.json()["customised"] is True
