"""Server time per page of the web UI over a database with many open tasks.

    python bench/web_pages.py [--tasks 10000] [--repeat 15]

Builds a SQLite database with the demo organisation and TASKS open tasks made through the
services: customer complaints started by csd.staff; half of them accepted by csd.head, so
that their next task goes to Production, Logistics or the Service desk. csd.head's inbox
then holds about TASKS/2 tasks, prd.head's about TASKS/6. Then it asks for each main page
REPEAT times in-process (Starlette's TestClient: the page's whole server time, no network)
as a signed-in head and prints the median and the slowest time per page, and the size of
the HTML. Figures are read by people; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from rich.progress import Progress

from oaflow.domain.clock import FixedClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import auth, authz, queries, runtime, setup
from oaflow.services.app import App
from oaflow.storage.database import Database
from oaflow.web.app import create_site

FORM = {"title": "页面基准投诉", "customer": "某公司", "complaint_type": "quality",
        "description": "包装破损"}  # fmt: skip
KINDS = ("quality", "logistics", "service")
PAGES = (
    "/",
    "/?sort=priority&q=页面",
    "/done",
    "/started",
    "/board",
    "/board?department=prd",
    "/portfolio",
    "/notifications",
    "/processes",
    "/start/customer-complaint",
)


def seed(app: App, tasks: int) -> None:
    staff = authz.principal(app, "csd.staff")
    head = authz.principal(app, "csd.head")
    starts = tasks  # each start makes one open task; an acceptance replaces it by the next
    with Progress(transient=True) as progress:
        made = progress.add_task("seeding", total=starts)
        for n in range(starts):
            form = {**FORM, "complaint_type": KINDS[n % 3]}
            instance = runtime.start(app, staff, "customer-complaint", form)
            if n % 2 == 0:
                task = queries.instance_detail(app, head, instance.business_key).progress[-1]
                runtime.act(app, head, task.task_id, Command(Action.APPROVE, "csd.head"))
            progress.advance(made)


def measure(client: TestClient, path: str, repeat: int) -> tuple[float, float, int]:
    times = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        size = len(answer.content)
    return statistics.median(times) * 1000, max(times) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock(datetime(2025, 3, 3, 1, 0, tzinfo=UTC))
        app = App(db=Database(f"sqlite:///{Path(tmp) / 'pages.db'}"), clock=clock,
                  calendar=china_calendar())  # fmt: skip
        setup.init(app, demo=True)
        began = time.perf_counter()
        seed(app, args.tasks)
        with app.db.read() as conn:
            open_tasks = conn.exec_driver_sql(
                "SELECT count(*) FROM tasks WHERE state IN ('pending', 'acknowledged')"
            ).scalar_one()
        print(f"open tasks: {open_tasks:,} (seeded in {time.perf_counter() - began:.0f} s)")
        task_id = queries.tasks_for(app, authz.principal(app, "prd.head"))[0].id
        key = queries.task_detail(app, authz.principal(app, "prd.head"), task_id).task.business_key
        for login in ("csd.head", "prd.head"):
            signed = auth.sign_in(app, login, "demo")
            client = TestClient(create_site(app), cookies={"oaflow_session": signed.token})
            inbox = len(queries.tasks_for(app, authz.principal(app, login)))
            print(f"\n{login} ({inbox:,} open tasks in the inbox)")
            print(f"{'page':<34}{'median ms':>10}{'max ms':>10}{'HTML kB':>10}")
            for path in (*PAGES, f"/tasks/{task_id}", f"/instances/{key}"):
                if login != "prd.head" and path.startswith(("/tasks/", "/instances/")):
                    continue
                median, slowest, size = measure(client, path, args.repeat)
                print(f"{path:<34}{median:>10.1f}{slowest:>10.1f}{size / 1024:>10.1f}")
        app.db.dispose()


if __name__ == "__main__":
    sys.exit(main())
