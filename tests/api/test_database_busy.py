"""A database that stays busy past its wait (SQLite's write lock held elsewhere longer than
the busy timeout) answers 503 "busy, nothing done" with Retry-After — not a 500 — and the
same request, sent again with its Idempotency-Key once the lock is gone, goes through."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from oaflow.bootstrap import build_app
from oaflow.storage import database

from .conftest import Server, demo_settings, serve

#: the wait for a lock in this test (the product's is 10 s)
SHORT_WAIT = "PRAGMA busy_timeout=200"


@pytest.fixture
def impatient(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Server, Path]]:
    """The API on a copy of the demo database whose connections wait 0.2 s for a lock."""
    pragmas = tuple(
        SHORT_WAIT if p.startswith("PRAGMA busy_timeout") else p for p in database.SQLITE_PRAGMAS
    )
    assert SHORT_WAIT in pragmas
    monkeypatch.setattr(database, "SQLITE_PRAGMAS", pragmas)
    path = tmp_path / "oaflow.db"
    shutil.copyfile(demo_template, path)
    app = build_app(demo_settings(tmp_path / "files"), url=f"sqlite:///{path}")
    for server in serve(app):
        yield server, path


def test_a_busy_database_answers_503_and_the_retry_goes_through(
    impatient: tuple[Server, Path],
) -> None:
    server, path = impatient
    form = {
        "title": "投诉：外箱压坏",
        "customer": "某公司",
        "complaint_type": "quality",
        "description": "外箱压坏",
    }
    started = server.signed_in("csd.staff").post(
        "/api/instances", json={"process": "customer-complaint", "form": form}
    )
    assert started.status_code == 201, started.text
    head = server.signed_in("csd.head")
    found = head.get("/api/tasks", params={"q": started.json()["summary"]["business_key"]}).json()
    task_id = found["items"][0]["id"]
    approve = (f"/api/tasks/{task_id}/approve", {"note": "属实"}, {"Idempotency-Key": "busy-1"})

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        refused = head.post(approve[0], json=approve[1], headers=approve[2])
        english = head.post(
            approve[0],
            json=approve[1],
            headers={"Idempotency-Key": "busy-2", "Accept-Language": "en"},
        )
        unchanged = head.get(f"/api/tasks/{task_id}")  # reads are not held up
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.headers["Retry-After"] == "1"
    problem = refused.json()
    assert problem["code"] == "database.busy"
    assert problem["title"] == "数据库正忙，本次操作没有执行"
    assert problem["detail"] == "请稍后再试一次"
    assert english.status_code == 503
    assert english.json()["title"] == "the database is busy: nothing was done"
    assert unchanged.status_code == 200 and unchanged.json()["task"]["state"] == "pending"

    again = head.post(approve[0], json=approve[1], headers=approve[2])
    assert again.status_code == 200, again.text
    assert "Idempotent-Replayed" not in again.headers  # done now, not the 503 kept
    assert head.get(f"/api/tasks/{task_id}").json()["task"]["state"] == "approved"
