"""The manual's templates over HTTP (TPL-1..4): blank downloads, a Template 2 sheet imported
(its problems as a 422 with sheet, row and column, nothing published; then published) and
exported back to the manual's cells, Template 1 rows starting an instance and exported back,
Templates 3 and 4 exported, and a formula refused."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from oaflow.domain.template1 import EXAMPLE as T1_ROW
from oaflow.domain.template2_words import EXAMPLE as T2_ROWS

from .conftest import Server

T2_HEADER = "节点编号,节点名称,负责部门/人,输入要求,输出要求,时限(小时),系统触发条件"
T1_HEADER = "任务名称,发起部门,协同部门,任务目标,关键节点(时间/负责人),交付物,优先级,备注"


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel on Chinese Windows
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def as_csv(header: str, rows: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    out.write(header + "\r\n")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_template_2_import_problems_then_publish_and_export(api: Server) -> None:
    admin = api.signed_in("admin")
    blank = admin.get("/api/sheets/2/blank", params={"format": "csv"})
    assert blank.status_code == 200 and "attachment" in blank.headers["content-disposition"]
    assert csv_rows(blank.content)[1:] == [list(r) for r in T2_ROWS]

    bad_rows = [
        T2_ROWS[0],
        ("002", "需求审核", "采购部负责人", "", "", "24", "009节点完成后自动触发"),
    ]
    bad = as_csv(T2_HEADER.replace(",时限(小时)", ""), [r[:5] + r[6:] for r in bad_rows])
    fields = {"key": "demand-review", "name": "需求评审流程"}
    answer = admin.post("/api/sheets/2/import", files={"file": ("nodes.csv", bad)}, data=fields)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    cells = answer.json()["cells"]
    assert {(c["sheet"], c["row"], c["column"]) for c in cells} == {("nodes", 1, "时限(小时)")}
    # with the column back, the department and the trigger are found, each at its cell
    bad = as_csv(T2_HEADER, bad_rows)
    answer = admin.post("/api/sheets/2/import", files={"file": ("nodes.csv", bad)}, data=fields)
    places = {(c["row"], c["column"], c["code"]) for c in answer.json()["cells"]}
    assert places == {
        (3, "负责部门/人", "tpl2.owner.unknown"),
        (3, "系统触发条件", "tpl2.flow.unknown_node"),
    }, answer.text
    assert admin.get("/api/processes/demand-review").status_code == 404  # nothing published

    good = as_csv(T2_HEADER, list(T2_ROWS))
    clerk = api.signed_in("mkt.head")
    refused = clerk.post("/api/sheets/2/import", files={"file": ("n.csv", good)}, data=fields)
    assert refused.status_code == 403
    dry = admin.post(
        "/api/sheets/2/import",
        files={"file": ("n.csv", good)},
        data={**fields, "dry_run": "true"},
    )
    assert dry.json()["published"] is None and "trigger" not in dry.json()["source"]
    done = admin.post("/api/sheets/2/import", files={"file": ("n.csv", good)}, data=fields)
    assert done.status_code == 200, done.text
    assert done.json()["published"]["label"].startswith("V1.0-")

    exported = clerk.get("/api/sheets/2/processes/demand-review")
    book = load_workbook(io.BytesIO(exported.content))
    nodes = [[str(c.value) for c in r] for r in book["流程节点配置表"].iter_rows()]
    assert nodes == [T2_HEADER.split(","), *(list(r) for r in T2_ROWS)]
    assert book["流程信息"]["B2"].value == "demand-review"


def test_template_1_rows_start_instances_and_export_back(api: Server) -> None:
    head = api.signed_in("mkt.head")
    huge = head.post(
        "/api/sheets/1/import",
        files={"file": ("forms.csv", b"x" * (5 * 2**20 + 1))},
        data={"process": "new-product-launch"},
    )
    assert huge.status_code == 413 and huge.json()["code"] == "file.too_large"
    evil = (*T1_ROW[:7], '=HYPERLINK("http://evil.example","x")')
    answer = head.post(
        "/api/sheets/1/import",
        files={"file": ("forms.csv", as_csv(T1_HEADER, [T1_ROW, evil]))},
        data={"process": "new-product-launch"},
    )
    assert answer.status_code == 422
    assert [(c["row"], c["column"], c["code"]) for c in answer.json()["cells"]] == [
        (3, "备注", "tpl.cell.formula")
    ]
    started = head.post(
        "/api/sheets/1/import",
        files={"file": ("forms.csv", as_csv(T1_HEADER, [T1_ROW]))},
        data={"process": "new-product-launch"},
    )
    assert started.status_code == 200, started.text
    ((row,),) = [[r] for r in started.json()]
    key = row["business_key"]
    assert row["row"] == 2 and key.startswith("PROJ")

    back = head.get(f"/api/sheets/1/instances/{key}", params={"format": "csv"})
    assert csv_rows(back.content) == [T1_HEADER.split(","), list(T1_ROW)]
    progress = head.get("/api/sheets/3", params={"business_key": key, "format": "csv"})
    rows = csv_rows(progress.content)
    assert rows[0][0] == "任务ID" and rows[1][:3] == [key, "需求提交", "市场部"]
    records = head.get("/api/sheets/4", params={"format": "csv", "open": "true"})
    assert csv_rows(records.content)[0][0] == "异常编号"
    outsider = api.signed_in("csd.staff")
    assert outsider.get(f"/api/sheets/1/instances/{key}").status_code == 404
