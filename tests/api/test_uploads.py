"""Deliverable uploads through HTTP (SEC-5): streamed to the storage root under generated
names, limited in size (413), typed by their content, checksummed; downloaded as
attachments with nosniff, only by those who may see the task."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import httpx

from .conftest import Server, Session

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FORM = {
    "title": "CRM 升级",
    "project_lead": "itd.head",
    "m1_date": "2030-03-15T18:00:00+08:00",
    "m1_department": "rnd",
    "m2_date": "2030-04-01T18:00:00+08:00",
    "m2_department": "itd",
    "m3_date": "2030-04-20T18:00:00+08:00",
    "m3_department": "sal",
}


def milestone_task(api: Server) -> tuple[Session, int, str]:
    """A project started by itd.head; R&D's head holds the first milestone's task."""
    lead = api.signed_in("itd.head")
    started = lead.post("/api/instances", json={"process": "project-milestones", "form": FORM})
    assert started.status_code == 201, started.text
    rnd = api.signed_in("rnd.head")
    inbox = rnd.get("/api/tasks").json()["items"]
    [task] = [t for t in inbox if t["business_key"] == started.json()["summary"]["business_key"]]
    return rnd, task["id"], started.json()["summary"]["business_key"]


def upload(who: Session, task_id: int, name: str, data: bytes, kind: str) -> httpx.Response:
    return who.post(f"/api/tasks/{task_id}/files", files={"file": (name, data, kind)})


def stored_files(api: Server) -> list[Path]:
    return [p for p in api.app.files_root.rglob("*") if p.is_file()]


def test_a_deliverable_is_uploaded_named_in_the_completion_and_downloaded(api: Server) -> None:
    rnd, task_id, key = milestone_task(api)
    answer = upload(rnd, task_id, "需求确认书.pdf", PDF, "application/pdf")
    assert answer.status_code == 201, answer.text
    kept = answer.json()
    assert kept["name"] == "需求确认书.pdf" and kept["size"] == len(PDF)
    assert kept["content_type"] == "application/pdf"
    assert kept["sha256"] == hashlib.sha256(PDF).hexdigest()
    [on_disk] = stored_files(api)
    assert on_disk.read_bytes() == PDF
    assert "需求确认书" not in str(on_disk) and on_disk.suffix == ""  # a generated name

    done = rnd.post(
        f"/api/tasks/{task_id}/complete",
        json={"deliverables": {"需求确认书": f"file:{kept['id']}"}},
    )
    assert done.status_code == 200, done.text
    assert rnd.get(f"/api/tasks/{task_id}/files").json() == [kept]

    for login in ("rnd.head", "itd.head", "gm", "auditor"):  # everyone who sees the task
        got = api.signed_in(login).get(f"/api/files/{kept['id']}")
        assert got.status_code == 200, (login, got.text)
        assert got.content == PDF
        assert got.headers["content-disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E9%9C%80" in got.headers["content-disposition"]
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["x-checksum-sha256"] == kept["sha256"]
    for login in ("fin.head", "csd.staff"):  # outside the scope: it does not exist
        got = api.signed_in(login).get(f"/api/files/{kept['id']}")
        assert got.status_code == 404 and got.json()["code"] == "upload.not_found"
        assert PDF not in got.content
        listed = api.signed_in(login).get(f"/api/tasks/{task_id}/files")
        assert listed.status_code == 404
    assert key


def test_an_oversized_upload_is_refused_with_413_and_leaves_nothing(api: Server) -> None:
    rnd, task_id, _ = milestone_task(api)
    api.app.max_upload = 256 * 1024
    big = b"%PDF-1.7\n" + b"0" * (api.app.max_upload + 1)
    answer = upload(rnd, task_id, "big.pdf", big, "application/pdf")
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "upload.too_large"
    assert answer.headers["content-type"] == "application/problem+json"
    # the same without a Content-Length: counted as the bytes arrive
    chunks = iter([b"%PDF-1.7\n", b"0" * (api.app.max_upload + 10)])
    streamed = _streamed_upload(rnd, task_id, "big.pdf", chunks)
    assert streamed.status_code == 413
    assert stored_files(api) == []
    assert rnd.get(f"/api/tasks/{task_id}/files").json() == []


def _streamed_upload(who: Session, task_id: int, name: str, chunks: object) -> httpx.Response:
    """A multipart upload sent chunked (no Content-Length)."""
    boundary = "oaflowboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    def body():  # type: ignore[no-untyped-def]
        yield head
        yield from chunks  # type: ignore[misc]
        yield f"\r\n--{boundary}--\r\n".encode()

    return who.post(
        f"/api/tasks/{task_id}/files",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


def test_the_type_is_decided_by_the_content_not_by_the_client(api: Server) -> None:
    rnd, task_id, _ = milestone_task(api)
    html = b"<html><script>alert(document.cookie)</script></html>"
    lying = upload(rnd, task_id, "photo.png", html, "image/png")
    assert lying.status_code == 201, lying.text
    assert lying.json()["content_type"] == "text/plain; charset=utf-8"  # never image/png
    got = rnd.get(f"/api/files/{lying.json()['id']}")
    assert got.headers["content-type"].startswith("text/plain")
    assert got.headers["content-disposition"].startswith("attachment;")

    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
    refused = upload(rnd, task_id, "report.pdf", exe, "application/pdf")
    assert refused.status_code == 415 and refused.json()["code"] == "upload.type_refused"
    binary = upload(rnd, task_id, "data.bin", b"\x00\x01\x02\xfe\xff" * 50, "text/plain")
    assert binary.status_code == 415 and binary.json()["code"] == "upload.type_unknown"

    sheet = io.BytesIO()
    with zipfile.ZipFile(sheet, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    xlsx = upload(rnd, task_id, "预算.xlsx", sheet.getvalue(), "application/octet-stream")
    assert xlsx.json()["content_type"].endswith("spreadsheetml.sheet")
    assert len(stored_files(api)) == 2  # the refused ones left nothing behind


def test_a_path_traversal_name_is_only_a_label(api: Server) -> None:
    rnd, task_id, _ = milestone_task(api)
    for name in ("../../../etc/passwd", "..\\..\\boot.ini", "/tmp/x/../../evil.pdf", "\x00.pdf"):
        answer = upload(rnd, task_id, name, PDF, "application/pdf")
        assert answer.status_code == 201, (name, answer.text)
        assert "/" not in answer.json()["name"] and "\\" not in answer.json()["name"]
        assert not answer.json()["name"].startswith(".")
    names = [f["name"] for f in rnd.get(f"/api/tasks/{task_id}/files").json()]
    assert names == ["passwd", "boot.ini", "evil.pdf", "%00.pdf"]  # httpx escapes NUL
    root = api.app.files_root.resolve()
    assert all(p.resolve().is_relative_to(root) for p in stored_files(api))
    assert not Path("/etc/passwd.pdf").exists()


def test_only_the_tasks_handler_uploads_and_a_completion_names_only_its_own_files(
    api: Server,
) -> None:
    rnd, task_id, _ = milestone_task(api)
    lead = api.signed_in("itd.head")  # sees the task (initiator) but it is not theirs
    assert upload(lead, task_id, "x.pdf", PDF, "application/pdf").status_code == 403
    stranger = api.signed_in("fin.head")  # outside the scope
    assert upload(stranger, task_id, "x.pdf", PDF, "application/pdf").status_code == 404
    assert upload(rnd, 10**9, "x.pdf", PDF, "application/pdf").status_code == 404
    assert stored_files(api) == []

    other_rnd, other_task, _ = milestone_task(api)
    theirs = upload(other_rnd, other_task, "b.pdf", PDF, "application/pdf").json()
    wrong = rnd.post(
        f"/api/tasks/{task_id}/complete",
        json={"deliverables": {"需求确认书": f"file:{theirs['id']}"}},
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "upload.not_of_task"
    assert rnd.get(f"/api/tasks/{task_id}").json()["task"]["state"] != "completed"

    not_multipart = rnd.post(f"/api/tasks/{task_id}/files", json={"file": "x"})
    assert not_multipart.status_code == 422 and not_multipart.json()["code"] == "upload.no_file"
    empty = upload(rnd, task_id, "empty.pdf", b"", "application/pdf")
    assert empty.status_code == 422 and empty.json()["code"] == "upload.empty"


def test_safe_names() -> None:
    from oaflow.services.deliverables import safe_name

    assert safe_name("\x00.pdf") == "pdf"
    assert safe_name("a/b\\c\u202e.txt") == "c.txt"  # the right-to-left override is dropped
    assert safe_name("...") == "file"
    assert len(safe_name("名" * 500)) == 200
