"""`oaflow serve` as a process: ready and healthy, the demo signed in with its password and
opening on six weeks of work, a SIGTERM that lets the request under way finish and stops
the worker, clear errors for bad options and a port in use."""

from __future__ import annotations

import re
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import Served, run_oaflow, start_server
from oaflow.storage.database import Database
from oaflow.storage.migrate import upgrade
from served import FRESH_CONNECTIONS

pytestmark = pytest.mark.acceptance

PDF = b"%PDF-1.7\n" + b"0" * 200_000
MILESTONES = {
    "title": "CRM 升级",
    "project_lead": "itd.head",
    "m1_date": "2030-03-15T18:00:00+08:00",
    "m1_department": "rnd",
    "m2_date": "2030-04-01T18:00:00+08:00",
    "m2_department": "itd",
    "m3_date": "2030-04-20T18:00:00+08:00",
    "m3_department": "sal",
}


@contextmanager
def signed_in(served: Served, login: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=30, limits=FRESH_CONNECTIONS) as http:
        answer = http.post("/api/session", json={"login": login, "password": "demo"})
        assert answer.status_code == 200, answer.text
        http.headers["X-CSRF-Token"] = answer.json()["csrf"]
        yield http


def test_sigterm_finishes_the_request_under_way_and_stops(served_demo: Served) -> None:
    assert httpx.get(f"{served_demo.url}/healthz").json() == {"status": "ok"}
    with signed_in(served_demo, "itd.head") as lead, signed_in(served_demo, "rnd.head") as rnd:
        started = lead.post(
            "/api/instances", json={"process": "project-milestones", "form": MILESTONES}
        )
        key = started.json()["summary"]["business_key"]
        [task] = [t for t in rnd.get("/api/tasks").json()["items"] if t["business_key"] == key]
        halfway = threading.Event()
        go_on = threading.Event()

        def body() -> Iterator[bytes]:
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="plan.pdf"\r\n\r\n'
            yield PDF[:1000]
            halfway.set()
            go_on.wait(30)
            yield PDF[1000:]
            yield b"\r\n--b--\r\n"

        answers: list[httpx.Response] = []
        upload = threading.Thread(
            target=lambda: answers.append(
                rnd.post(
                    f"/api/tasks/{task['id']}/files",
                    content=body(),
                    headers={"Content-Type": "multipart/form-data; boundary=b"},
                )
            )
        )
        upload.start()
        assert halfway.wait(30)
        time.sleep(0.3)  # the server has the request under way
        served_demo.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # it is shutting down: no new connections
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{served_demo.url}/healthz", timeout=2)
        go_on.set()
        upload.join(30)
    assert answers and answers[0].status_code == 201, answers
    assert answers[0].json()["size"] == len(PDF)
    code, out = served_demo.stop()
    assert code == 0, out
    assert "Traceback" not in out
    assert "OA-Flow 已启动" in out and out.rstrip().endswith("OA-Flow 已停止")


def test_the_demo_opens_on_six_weeks_of_work_and_says_who_to_sign_in_as(
    served_demo: Served,
) -> None:
    with signed_in(served_demo, "csd.head") as head:
        instances = head.get("/api/instances").json()["items"]
        tasks = head.get("/api/tasks").json()["items"]
        exceptions = head.get("/api/exceptions").json()
    assert {i["state"] for i in instances} == {"running", "completed"}  # complaints
    assert tasks and exceptions  # work waiting, and an overdue complaint's exception
    code, out = served_demo.stop()
    assert code == 0, out
    assert f"OA-Flow 已启动：{served_demo.url}/" in out
    assert "演示账号（密码均为 demo）" in out
    for login, name in (
        ("csd.head", "马丽娟"),
        ("prd.head", "陈志强"),
        ("fin.head", "林志华"),
        ("vp.market", "宋文博"),
        ("gm", "冯国栋"),
        ("admin", "曹宁"),
        ("auditor", "邱静"),
    ):
        assert re.search(rf"│ {re.escape(login)} +│ {name} +│", out), out


def test_the_demo_on_an_existing_database_serves_it_as_it_is(
    demo_template: Path, tmp_path: Path
) -> None:
    shutil.copyfile(demo_template, tmp_path / "oaflow.db")
    served = start_server(tmp_path, "--demo", env={"OAFLOW_LANG": "en"})
    try:
        with signed_in(served, "gm") as gm:
            assert gm.get("/api/instances").json()["total"] == 0  # no history added
    finally:
        code, out = served.stop()
    assert code == 0, out
    assert "the database exists: served as it is" in out
    assert "Demo sign-ins (password: demo)" in out and "Ma Lijuan (马丽娟)" in out
    assert f"OA-Flow on {served.url}/ " in out


def test_bad_options_and_a_port_in_use_are_clear_errors(tmp_path: Path) -> None:
    for args in (["--port", "0"], ["--port", "70000"], ["--now", "2024-03-01T09:00"]):
        now = args[1:] if args[0] == "--now" else []
        rest = [] if now else args
        result = run_oaflow([*(["--now", now[0]] if now else []), "serve", *rest], tmp_path, None)
        assert result.code == 2, str(result)
        assert "Traceback" not in result.err
    assert not (tmp_path / "oaflow.db").exists()  # nothing was created

    nothing = run_oaflow(["serve", "--port", "8765"], tmp_path, None)
    assert nothing.code == 1 and "init" in nothing.err, str(nothing)  # no database yet

    first = start_server(tmp_path, "--demo")
    try:
        port = first.url.rsplit(":", 1)[1]
        second = run_oaflow(["serve", "--port", port, "--no-worker"], tmp_path, None)
        assert second.code == 1, str(second)
        assert port in second.err and "Traceback" not in second.err + second.out
    finally:
        first.stop()


def test_a_server_or_worker_on_an_older_schema_asks_for_init_and_starts_after_it(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'oaflow.db'}")
    upgrade(db, to="0023")  # what an older OA-Flow left
    db.dispose()
    for command in (["serve", "--no-worker"], ["worker", "--exit-when-idle"]):
        refused = run_oaflow(command, tmp_path, None)
        assert refused.code == 1, str(refused)
        assert "0023" in refused.err and "init" in refused.err, str(refused)
        assert "Traceback" not in refused.err + refused.out
    assert run_oaflow(["init"], tmp_path, None).code == 0
    worker = run_oaflow(["worker", "--exit-when-idle"], tmp_path, None)
    assert worker.code == 0, str(worker)
