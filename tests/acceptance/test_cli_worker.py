"""`oaflow tick` and `oaflow worker` as real processes (TIME-7, TIME-8, SPEC §18)."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
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
WAIT = 30  # seconds: an upper bound for a stuck process, never a pause
Cli = Any  # the `cli` fixture (tests/acceptance/conftest.py): `oaflow` on a demo database
Run = Callable[..., Any]  # the `oaflow_run` fixture: `oaflow` without a bound --now


def oaflow_command() -> list[str]:
    found = shutil.which("oaflow", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-c", "from oaflow.cli.main import run; run()"]


def complaint_waiting_for_production(cli: Cli) -> None:
    """At 09:00 on 1 March 2024 a complaint is accepted; its handling task (task 2, for
    prd.head) is dispatched at 09:00 and nobody acknowledges it."""
    cli("start", "customer-complaint", "--as", "csd.head", "--data", json.dumps(FORM))
    cli("task", "approve", "1", "--as", "csd.head")


def outbox(db: Path) -> list[tuple[str, str]]:
    """(message id, created at in UTC) of every SLA message, oldest first."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT message_id, created_at FROM outbox WHERE event NOT IN "
            "('task_assigned', 'task_returned') ORDER BY created_at, id"
        )
        return [(str(m), str(at)[:16]) for m, at in rows]
    finally:
        conn.close()


def test_tick_sends_the_reminders_at_their_instants_and_never_goes_back(cli: Cli) -> None:
    complaint_waiting_for_production(cli)
    result = cli("tick", "--until", "2024-03-03T12:00")
    assert "处理了 3 个检查" in result.out, str(result)
    assert outbox(cli.db) == [
        ("TS202403001/2/ack1", "2024-03-02 01:00"),  # 24 h: 09:00 on 2 March in Shanghai
        ("TS202403001/2/ack2", "2024-03-02 13:00"),  # 36 h
        ("TS202403001/2/ack_escalation", "2024-03-03 01:00"),  # 48 h
    ]
    before = cli.dump()
    back = cli("tick", "--until", "2024-03-02T12:00", expect=1)
    assert "不能回退到 2024-03-02 12:00：时间已推进到 2024-03-03 12:00" in back.err, str(back)
    assert cli.dump() == before
    late = cli("tick", "--until", "2024-03-01T12:00", now="2024-03-05T09:00", expect=1)
    assert "不能回退到 2024-03-01 12:00：时间已推进到 2024-03-05 09:00" in late.err, str(late)
    assert cli.dump() == before


def test_tick_without_now_starts_at_the_earliest_due_check(cli: Cli, oaflow_run: Run) -> None:
    complaint_waiting_for_production(cli)
    tick = ["--db", cli.url, "tick", "--until", "2024-03-02T10:00", "--json"]
    first = oaflow_run(tick, cli.db.parent).json()
    assert first == {"from": "2024-03-02 09:00", "until": "2024-03-02 10:00", "handled": 1}
    assert [m for m, _ in outbox(cli.db)] == ["TS202403001/2/ack1"]
    assert oaflow_run(tick, cli.db.parent).json()["handled"] == 0


def test_worker_refuses_simulated_time(cli: Cli) -> None:
    result = cli("worker", "--exit-when-idle", expect=2)
    assert "--now" in result.err and "tick" in result.err, str(result)


def test_worker_catches_up_and_exits_when_idle(cli: Cli, oaflow_run: Run) -> None:
    complaint_waiting_for_production(cli)  # in 2024: every event of it is long due
    worker = ["--db", cli.url, "worker", "--exit-when-idle"]
    first = oaflow_run(worker, cli.db.parent)
    assert "已处理 1" in first.out and "共处理 1 个检查" in first.out, str(first)
    sent = [m for m, _ in outbox(cli.db)]
    assert sent[:3] == [f"TS202403001/2/{k}" for k in ("ack1", "ack2", "ack_escalation")]
    assert len(sent) == len(set(sent))
    second = oaflow_run(worker, cli.db.parent)
    assert "共处理 0 个检查" in second.out, str(second)
    assert [m for m, _ in outbox(cli.db)] == sent


def read_lines(stream: Any, into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


def test_worker_stops_cleanly_on_sigterm(cli: Cli) -> None:
    complaint_waiting_for_production(cli)
    proc = subprocess.Popen(
        [*oaflow_command(), "--db", cli.url, "worker", "--poll", "60"],
        cwd=cli.db.parent,
        env={k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=read_lines, args=(proc.stdout, lines), daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=WAIT)  # it is in its loop: it handled the due check
        assert "已处理 1" in first, first
        proc.send_signal(signal.SIGTERM)  # while it waits up to 60 s for the next look
        code = proc.wait(timeout=WAIT)
        reader.join(WAIT)
        err = proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert code == 0, (code, err)
    assert "Traceback" not in err, err
    assert any("工作进程已停止" in line for line in rest), rest
