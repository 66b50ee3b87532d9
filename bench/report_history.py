"""A year of work on the four built-in processes, written in bulk, for bench/report.py.

``generate(path, tasks)`` makes a SQLite database the normal way (migrations and
``setup.init(demo=True)``: the demo organisation and the four built-in processes published
through the services), then writes about ``tasks`` finished tasks straight into it in one
transaction — the engine would take hours for a million — following the published
definitions: each process's nodes in their order (parallel branches and multi-instance
nodes together), assignees and departments as the definitions pick them, deadlines from the
nodes' time limits (working or calendar) or a milestone's planned date, rejections and
returns sent back to the node the definition names (a second round), rejections that end an
instance. Instances start through 2025 in working hours; what would still be at work on
2026-01-01 is left open (running instances with pending tasks). Every finished task and
ended instance is measured by ``domain.measures.measure`` on the business calendar, as the
engine measures them. A share of the late tasks have an exception record (a cause category
from the default list, found at the deadline, closed); completed instances ask each
participating department for a survey, most answered.

Reproducible: one ``random.Random(seed)``. Not written: the history (audit) entries, the
outbox and the archives, which the metrics never read (``event_seq`` 0, no ``last_hash``).

``load_postgres(path, url)`` copies those rows from the SQLite file into a fresh
PostgreSQL database set up the same way (COPY through psycopg), then VACUUM ANALYZE, as
autovacuum would after a load.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import make_url

from oaflow.domain.calendar import WorkingCalendar, add_calendar_hours
from oaflow.domain.clock import FixedClock
from oaflow.domain.definition import TASK_NODES, Node
from oaflow.domain.definition import ProcessDefinition as Definition
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.measures import measure
from oaflow.engine.plans import planned_completion
from oaflow.services import setup
from oaflow.services.app import App
from oaflow.services.exception_causes import DEFAULT_CAUSES
from oaflow.storage import tables
from oaflow.storage.database import Database, normalise_url

#: bump when the rows made change, so that cached files are made again
VERSION = 1
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: the year of history, and the instant the history stops at ("now")
YEAR_START = datetime(2025, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
NOW = datetime(2026, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
#: the share of the instances each process has
MIX = (
    ("customer-complaint", 0.6),
    ("project-milestones", 0.2),
    ("new-product-launch", 0.1),
    ("annual-budget", 0.1),
)
#: departments that take part in budgets and launches
BUDGET_DEPARTMENTS = ("mkt", "rnd", "prd", "sal", "leg", "cmp", "csd", "log", "svc", "itd")
LAUNCH_DEPARTMENTS = ("rnd", "prd", "sal", "leg", "cmp")
MILESTONE_DEPARTMENTS = ("mkt", "rnd", "prd", "itd", "sal", "log")
COMPLAINT_ROUTE = {"quality": "prd", "logistics": "log", "service": "svc"}
#: cause categories of the exception records: a few causes make most of them (a Pareto)
CAUSE_WEIGHTS = (40, 25, 15, 10, 6, 4)
BATCH = 20_000  # instances per executemany round
#: how each process is played (a method of Maker), and its business keys' prefix
PLAYS = {
    "customer-complaint": "complaint",
    "project-milestones": "milestones",
    "new-product-launch": "launch",
    "annual-budget": "budget",
}
PREFIXES = {
    "customer-complaint": "TS",
    "project-milestones": "XM",
    "new-product-launch": "PROJ",
    "annual-budget": "YS",
}

#: the tables written, and their columns (all of them, from the schema; None where unset)
TABLES = {
    table.name: tuple(c.name for c in table.columns)
    for table in (tables.instances, tables.tasks, tables.exceptions, tables.surveys)
}


@dataclass
class Made:
    """What a generation wrote."""

    instances: int = 0
    running: int = 0
    finished_tasks: int = 0
    open_tasks: int = 0
    late_tasks: int = 0
    sent_back: int = 0
    exceptions: int = 0
    surveys: int = 0
    seconds: float = 0.0


def stamp(moment: datetime | None) -> str | None:
    """A UTC instant as SQLite keeps it (UTCDateTime: naive, microseconds)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


@dataclass
class Step:
    """One task to make: its node, who, and how it ends (the state a person gave it)."""

    node: str
    department: str | None
    assignee: str
    state: str = "done"
    note: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)


class Instance:
    """One instance being made: its tasks, in the order they were created."""

    def __init__(self, maker: Maker, key: str, started: datetime) -> None:
        self.maker = maker
        self.key = key
        self.definition = maker.definitions[key]
        self.started = started
        self.tasks: list[dict[str, Any]] = []
        self.rounds: dict[str, int] = {}
        self.state = "completed"
        self.data: dict[str, Any] = {}
        self.initiator = ""
        self.department = ""

    def run(self, at: datetime, steps: list[Step]) -> datetime:
        """The ``steps`` made at ``at`` together (a parallel group); when the last ends."""
        for node in dict.fromkeys(step.node for step in steps):  # one round per visit
            self.rounds[node] = self.rounds.get(node, 0) + 1
        ends = [self.task(at, step) for step in steps]
        return max(ends)

    def task(self, at: datetime, step: Step) -> datetime:
        maker = self.maker
        node = self.definition.nodes[step.node]  # KeyError: not a node of the definition
        assert node.type in TASK_NODES, (self.key, step.node)
        rnd = maker.rnd
        due = self.due(node, at)
        limit = node.time_limit
        if due is not None and limit is None:  # a milestone: work up to around its date
            hours = maker.calendar.working_hours_between(at, due)
            worked = max(0.2, hours * rnd.lognormvariate(-0.3, 0.3))
        else:
            typical = limit.hours if limit is not None else 8.0
            if limit is not None and limit.basis == "calendar":
                typical = limit.hours * 7.5 / 24  # calendar hours are about a third working
            worked = max(0.05, typical * rnd.lognormvariate(-1.0, 0.7))
        ended = maker.calendar.add_working_hours(at, worked)
        acked = at + (ended - at) * rnd.random() * 0.3
        row: dict[str, Any] = {
            "node_id": step.node,
            "round": self.rounds[step.node],
            "state": step.state,
            "department": step.department,
            "assignee": step.assignee,
            "created_at": at,
            "due_at": due,
            "progress": 100 if step.state == "done" else 0,
            "note": step.note,
            "outputs": step.outputs,
            "acked_at": acked,
            "finished_at": ended,
        }
        self.tasks.append(row)
        return ended

    def due(self, node: Node, at: datetime) -> datetime | None:
        """The task's deadline, worked out as the engine does (engine/flow.py due_time)."""
        if node.due_by_plan:
            return planned_completion(node, self.data, self.maker.calendar)
        limit = node.time_limit
        if limit is None:
            return None
        if limit.basis == "calendar":
            return add_calendar_hours(at, limit.hours)
        return self.maker.calendar.add_working_hours(at, limit.hours)


class Maker:
    """Makes the rows of instances one after another (ids in start order)."""

    def __init__(
        self,
        definitions: dict[str, Definition],
        ids: dict[str, int],
        calendar: WorkingCalendar,
        seed: int,
    ) -> None:
        self.definitions = definitions
        self.definition_ids = ids
        self.calendar = calendar
        self.rnd = random.Random(seed)
        self.keys = [k for k, _ in MIX]
        self.weights = [w for _, w in MIX]
        self.instance_id = 0
        self.task_id = 0
        self.exception_id = 0
        self.survey_id = 0
        self.numbers: dict[str, int] = {}
        self.made = Made()

    # -- the processes ------------------------------------------------------------------

    def complaint(self, inst: Instance, at: datetime) -> datetime:
        rnd = self.rnd
        kind = rnd.choice(tuple(COMPLAINT_ROUTE))
        department = COMPLAINT_ROUTE[kind]
        inst.data = {
            "customer": f"客户{rnd.randint(1, 5000)}",
            "phone": "021-00000000",
            "complaint_type": kind,
            "description": "客户来电投诉",
            "title": f"客户投诉-{kind}",
            "department": "csd",
        }
        inst.initiator, inst.department = "csd.staff", "csd"
        if rnd.random() < 0.02:
            at = inst.run(at, [Step("triage", "csd", "csd.head", "rejected", "不予受理")])
            inst.state = "rejected"
            return at
        at = inst.run(at, [Step("triage", "csd", "csd.head", "approved", "受理")])
        handled = {
            "cause": "包装材料强度不足",
            "solution": "更换加厚包装并补发新品",
            "deliverables": {},
        }
        while True:
            at = inst.run(
                at, [Step("handle", department, f"{department}.head", "done", outputs=handled)]
            )
            draw = rnd.random()
            if inst.rounds.get("review", 0):
                draw = 1.0  # a second review passes
            if draw < 0.06:
                at = inst.run(at, [Step("review", "csd", "csd.head", "rejected", "原因不充分")])
            elif draw < 0.10:
                at = inst.run(at, [Step("review", "csd", "csd.head", "returned", "补充说明")])
            else:
                at = inst.run(at, [Step("review", "csd", "csd.head", "approved", "认可")])
                break
        score = rnd.choice((3, 4, 4, 5, 5, 5))
        reply = {"reply": "已回复客户", "satisfaction": score, "deliverables": {}}
        return inst.run(at, [Step("reply", "csd", "csd.staff", "done", outputs=reply)])

    def milestones(self, inst: Instance, at: datetime) -> datetime:
        rnd = self.rnd
        lead = rnd.choice(("itd.head", "rnd.head", "mkt.head"))
        inst.initiator, inst.department = lead, lead.split(".")[0]
        planned = at
        inst.data = {
            "project_lead": lead,
            "title": f"项目{rnd.randint(1, 9999)}",
            "department": inst.department,
        }
        for n in (1, 2, 3):
            planned = self.calendar.add_working_hours(planned, rnd.uniform(20, 60))
            local = planned.astimezone(SHANGHAI).strftime("%Y-%m-%dT18:00")
            inst.data[f"m{n}_date"] = local
            inst.data[f"m{n}_department"] = rnd.choice(MILESTONE_DEPARTMENTS)
        for n in (1, 2, 3):
            code = inst.data[f"m{n}_department"]
            at = inst.run(
                at,
                [Step(f"m{n}", code, f"{code}.head", "done", "已提交交付物", {"deliverables": {}})],
            )
        return at

    def launch(self, inst: Instance, at: datetime) -> datetime:
        rnd = self.rnd
        inst.initiator, inst.department = "mkt.head", "mkt"
        joining = sorted(rnd.sample(LAUNCH_DEPARTMENTS, rnd.randint(3, 5)))
        inst.data = {
            "product_name": f"新产品{rnd.randint(1, 9999)}",
            "title": "新产品上市推进",
            "collaborating_departments": joining,
            "department": "mkt",
        }
        at = inst.run(at, [Step("n001", "mkt", "mkt.head", "done", "需求已提交")])
        if rnd.random() < 0.03:
            steps = [Step("confirm_requirements", d, f"{d}.head", "approved") for d in joining]
            steps[-1].state = "rejected"
            inst.state = "rejected"
            return inst.run(at, steps)
        at = inst.run(
            at,
            [
                Step("confirm_requirements", d, f"{d}.head", "approved", "确认需求无异议")
                for d in joining
            ],
        )
        if rnd.random() < 0.03:
            inst.state = "rejected"
            return inst.run(at, [Step("n002", "mkt", "vp.market", "rejected", "暂缓")])
        at = inst.run(at, [Step("n002", "mkt", "vp.market", "approved", "同意立项")])
        plan = {"plan_summary": "模块化设计，分两期交付", "deliverables": {}}
        at = inst.run(at, [Step("n003", "rnd", "rnd.head", "done", outputs=plan)])
        at = inst.run(at, [Step("capacity", "prd", "prd.head", "done", "产能可满足")])
        return inst.run(
            at,
            [
                Step("legal_review", "leg", "leg.head", "approved", "合规"),
                Step("sales_training", "sal", "sal.head", "done", "已培训"),
            ],
        )

    def budget(self, inst: Instance, at: datetime) -> datetime:
        rnd = self.rnd
        inst.initiator, inst.department = "fin.head", "fin"
        joining = sorted(rnd.sample(BUDGET_DEPARTMENTS, rnd.randint(3, 6)))
        inst.data = {
            "fiscal_year": 2026,
            "departments": joining,
            "total_cap": 5000000,
            "title": "年度预算编制",
            "department": "fin",
        }
        amount = {
            "budget_amount": 800000,
            "last_year_amount": 720000,
            "budget_items": "人员、设备、差旅",
            "deliverables": {},
        }
        at = inst.run(
            at, [Step("dept_budgets", d, f"{d}.head", "done", outputs=amount) for d in joining]
        )
        revise = Step(
            "fin_revise",
            "fin",
            "fin.head",
            "done",
            outputs={"revision_note": "压缩差旅", "deliverables": {}},
        )
        if rnd.random() < 0.3:
            at = inst.run(at, [revise])
        if rnd.random() < 0.1:
            at = inst.run(at, [Step("leader_approval", "fin", "vp.admin", "rejected", "超支")])
            at = inst.run(at, [revise])
        at = inst.run(at, [Step("leader_approval", "fin", "vp.admin", "approved", "同意")])
        if rnd.random() < 0.4:
            at = inst.run(at, [Step("gm_approval", None, "gm", "approved", "同意")])
        return at

    # -- rows ---------------------------------------------------------------------------

    def instance(self, started: datetime) -> Iterator[tuple[str, dict[str, Any]]]:
        """The rows of one instance started at ``started``: (table, row)."""
        key = self.rnd.choices(self.keys, self.weights)[0]
        inst = Instance(self, key, started)
        ended = getattr(self, PLAYS[key])(inst, started)
        self.instance_id += 1
        iid = self.instance_id
        running = ended > NOW
        yield from self.task_rows(inst, iid)
        made = self.made
        made.instances += 1
        made.running += running
        measured = None if running else measure(started, ended, None, self.calendar)
        if not running and inst.state == "completed":
            yield from self.surveys(inst, iid, ended)
        month = started.astimezone(SHANGHAI).strftime("%Y%m")
        prefix = PREFIXES[key]
        number = self.numbers[prefix + month] = self.numbers.get(prefix + month, 0) + 1
        last = None if running else ended
        yield (
            "instances",
            {
                "id": iid,
                "business_key": f"{prefix}{month}{number:05d}",
                "definition_id": self.definition_ids[key],
                "definition_key": key,
                "state": "running" if running else inst.state,
                "title": inst.data["title"],
                "initiator": inst.initiator,
                "department": inst.department,
                "priority": "high" if self.rnd.random() < 0.1 else "normal",
                "data": json.dumps(inst.data, ensure_ascii=False),
                "tokens": json.dumps({"visits": inst.rounds, "added_signers": {}}),
                "started_at": stamp(started),
                "ended_at": stamp(last),
                "version": 1 + 2 * len(inst.tasks),
                "event_seq": 0,  # no history entries are written
                "changed_at": stamp(last or NOW),
                "last_hash": "",
                "work_seconds": measured.work_seconds if measured else None,
                "span_seconds": measured.span_seconds if measured else None,
            },
        )

    def task_rows(self, inst: Instance, iid: int) -> Iterator[tuple[str, dict[str, Any]]]:
        made = self.made
        for t in inst.tasks:
            if t["created_at"] > NOW:
                continue  # not reached yet
            self.task_id += 1
            row = {
                "id": self.task_id,
                "instance_id": iid,
                "node_id": t["node_id"],
                "round": t["round"],
                "department": t["department"],
                "assignee": t["assignee"],
                "candidates": "[]",
                "created_at": stamp(t["created_at"]),
                "due_at": stamp(t["due_at"]),
                "dispatched_at": None,
                "paused_at": None,
                "on_behalf_of": None,
                "exception": None,
            }
            finished = t["finished_at"]
            if finished > NOW:  # still at work
                made.open_tasks += 1
                row.update(state="pending", progress=0, note="", outputs="{}", acked_at=None,
                           finished_at=None, finished_by=None, check_at=row["due_at"],
                           sla_fired="[]", version=1, work_seconds=None, span_seconds=None,
                           late_seconds=None)  # fmt: skip
                yield "tasks", row
                continue
            found = measure(t["created_at"], finished, t["due_at"], self.calendar)
            late = bool(found.late_seconds)
            made.finished_tasks += 1
            made.late_tasks += late
            made.sent_back += t["state"] in ("rejected", "returned")
            if late and self.rnd.random() < 0.3:
                row["exception"] = self.exception_code(t["due_at"])
                yield "exceptions", self.exception_row(row["exception"], iid, row["id"], t)
            row.update(
                state=t["state"],
                progress=t["progress"],
                note=t["note"],
                outputs=json.dumps(t["outputs"], ensure_ascii=False),
                acked_at=stamp(t["acked_at"]),
                finished_at=stamp(finished),
                finished_by=t["assignee"],
                check_at=None,
                sla_fired='["warn75", "overdue"]' if late else "[]",
                version=3 if late else 2,
                work_seconds=found.work_seconds,
                span_seconds=found.span_seconds,
                late_seconds=found.late_seconds,
            )
            yield "tasks", row

    def exception_code(self, found: datetime) -> str:
        self.exception_id += 1
        return f"ABN{found.astimezone(SHANGHAI):%Y%m}{self.exception_id:07d}"

    def exception_row(self, code: str, iid: int, tid: int, t: dict[str, Any]) -> dict[str, Any]:
        """A closed exception record of late task ``t``, found at its deadline."""
        rnd, cal = self.rnd, self.calendar
        self.made.exceptions += 1
        found: datetime = t["due_at"]
        cause = rnd.choices(DEFAULT_CAUSES, CAUSE_WEIGHTS)[0]
        explained = cal.add_working_hours(found, rnd.uniform(0.5, 4))
        resolved = max(t["finished_at"], explained)
        head = f"{t['department']}.head" if t["department"] else t["assignee"]
        return {
            "id": self.exception_id,
            "code": code,
            "instance_id": iid,
            "task_id": tid,
            "node_id": t["node_id"],
            "description": f"{t['node_id']} 超过时限未完成",
            "reporter": "system",
            "reported_at": stamp(found),
            "state": "closed",
            "found_at": stamp(found),
            "department": t["department"],
            "report_due_at": stamp(cal.add_working_hours(found, 4)),
            "cause_category": cause,
            "cause": f"{cause}，已协调处理",
            "explained_by": head,
            "explained_at": stamp(explained),
            "resolution": "已处理完成",
            "resolved_by": head,
            "resolved_at": stamp(resolved),
            "verified_by": "csd.head",
            "verified_at": stamp(resolved + timedelta(hours=1)),
            "reopened": 0,
            "sla_fired": '["report_reminder"]',
            "version": 5,
        }

    def surveys(
        self, inst: Instance, iid: int, ended: datetime
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """One survey per department that had a task, asked a minute after the end."""
        asked = ended + timedelta(minutes=1)
        for department in sorted({t["department"] for t in inst.tasks if t["department"]}):
            self.survey_id += 1
            self.made.surveys += 1
            row = {
                "id": self.survey_id,
                "instance_id": iid,
                "department": department,
                "asked_at": stamp(asked),
                "score": None,
                "comment": "",
                "answered_by": None,
                "answered_at": None,
            }
            if self.rnd.random() < 0.65:
                row["score"] = self.rnd.choices((1, 2, 3, 4, 5), (2, 5, 18, 40, 35))[0]
                row["answered_by"] = f"{department}.head"
                answered = asked + timedelta(hours=self.rnd.uniform(1, 72))
                row["answered_at"] = stamp(answered)
            yield "surveys", row


def start_instants(calendar: WorkingCalendar, count: int, rnd: random.Random) -> list[datetime]:
    """``count`` instants in the working hours of the year, in order."""
    hours = calendar.working_hours_between(YEAR_START, NOW)
    offsets = sorted(rnd.uniform(0, hours) for _ in range(count))
    # one calendar walk per working day, then plain hours within it
    days: list[tuple[float, datetime]] = []
    at, done = YEAR_START, 0.0
    while done < hours:
        day_start = calendar.add_working_hours(at, 1e-9)
        days.append((done, day_start))
        nxt = calendar.add_working_hours(day_start, calendar.day_length.total_seconds() / 3600)
        done += calendar.working_hours_between(day_start, nxt)
        at = nxt
    marks = [d[0] for d in days]
    return [
        calendar.add_working_hours(days[i][1], offset - days[i][0])
        for offset in offsets
        for i in [max(0, bisect_right(marks, offset) - 1)]
    ]


def published(app: App) -> tuple[dict[str, Definition], dict[str, int]]:
    """The published built-in definitions by key, and their ids."""
    with app.db.read() as conn:
        rows = conn.exec_driver_sql("SELECT key, max(id) FROM definitions GROUP BY key").all()
        ids = {key: int(i) for key, i in rows}
        return {key: app.definition(conn, i) for key, i in ids.items()}, ids


def tasks_per_instance(
    definitions: dict[str, Definition], ids: dict[str, int], calendar: WorkingCalendar, seed: int
) -> float:
    """The average number of finished tasks per instance, from a pilot of 500."""
    pilot = Maker(definitions, ids, calendar, seed + 1)
    for at in start_instants(calendar, 500, random.Random(seed + 2)):
        for _ in pilot.instance(at):
            pass
    return pilot.made.finished_tasks / pilot.made.instances


Progress = Callable[[int, int], None]


def generate(path: Path, tasks: int, seed: int = 15, progress: Progress | None = None) -> Made:
    """A new SQLite database at ``path`` with about ``tasks`` finished tasks."""
    began = time.perf_counter()
    calendar = china_calendar()
    app = App(
        db=Database(f"sqlite:///{path}"),
        clock=FixedClock(YEAR_START - timedelta(days=7)),
        calendar=calendar,
    )
    setup.init(app, demo=True)
    definitions, ids = published(app)
    app.db.dispose()
    count = max(1, math.ceil(tasks / tasks_per_instance(definitions, ids, calendar, seed)))
    maker = Maker(definitions, ids, calendar, seed)
    starts = start_instants(calendar, count, random.Random(seed))
    conn = sqlite3.connect(path, isolation_level=None)
    # for the load only: the database is made again if it fails half way
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    statements = {
        name: f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        for name, cols in TABLES.items()
    }
    conn.execute("BEGIN")
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
    for n, at in enumerate(starts, start=1):
        for table, row in maker.instance(at):
            rows[table].append(tuple(row.get(c) for c in TABLES[table]))
        if n % BATCH == 0 or n == count:
            for name in ("instances", "tasks", "exceptions", "surveys"):  # keys before use
                conn.executemany(statements[name], rows[name])
                rows[name].clear()
            if progress is not None:
                progress(n, count)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")  # as the application keeps it
    conn.close()
    maker.made.seconds = time.perf_counter() - began
    return maker.made


def load_postgres(path: Path, url: str, progress: Progress | None = None) -> float:
    """Copy the generated rows of the SQLite file ``path`` into the PostgreSQL database
    ``url`` (set up here as ``generate`` set up the file); seconds taken."""
    began = time.perf_counter()
    app = App(
        db=Database(url),
        clock=FixedClock(YEAR_START - timedelta(days=7)),
        calendar=china_calendar(),
    )
    setup.init(app, demo=True)
    _, pg_ids = published(app)
    app.db.dispose()
    source = sqlite3.connect(path)
    theirs = dict(source.execute("SELECT id, key FROM definitions").fetchall())
    remap = {i: pg_ids[key] for i, key in theirs.items() if key in pg_ids}
    total = sum(source.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in TABLES)
    done = 0
    dsn = make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(dsn) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        for name, cols in TABLES.items():
            which = cols.index("definition_id") if "definition_id" in cols else -1
            with pg.cursor().copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {', '.join(cols)} FROM {name} ORDER BY id"):
                    if which >= 0:
                        row = (*row[:which], remap[row[which]], *row[which + 1 :])
                    copy.write_row(row)
                    done += 1
                    if progress is not None and done % 50_000 == 0:
                        progress(done, total)
            pg.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                f" (SELECT coalesce(max(id), 1) FROM {name}))"
            )
        pg.commit()
        pg.autocommit = True
        for name in TABLES:
            pg.execute(f"VACUUM ANALYZE {name}")
    source.close()
    if progress is not None:
        progress(total, total)
    return time.perf_counter() - began
