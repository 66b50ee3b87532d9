"""Reliability harness: kill -9 of API processes and workers during task completions by
HTTP clients, then prove from the database that nothing was lost or half-applied
(issue 16 item 3; ../shared/QUALITY.md "Correctness under concurrency and faults").

    python scripts/reliability.py [--completions 10000] [--clients 20] [--db sqlite|pg]
                                  [--pg URL | env OAFLOW_TEST_DATABASE_URL] [--seed N]
                                  [--kills K] [--timers N] [--workers 4]

1. A fresh database (PostgreSQL: a scratch database made through ``--pg`` and dropped
   afterwards; SQLite: a file in a temporary directory) with the demo organisation, enough
   customer complaints for ``--completions`` task completions (4 per complaint), an API
   token for each acting person and a webhook channel to a receiver this script runs on
   127.0.0.1. The receiver records every message id and answer; it answers 500 to a share of
   the attempts (retried by the worker) and 400 to a share of the ids (dead letters).
2. PostgreSQL: two `oaflow serve --no-worker` on two ports and two `oaflow worker`; SQLite:
   one API process and two workers. ``--clients`` threads complete and approve the tasks
   through the API (round-robin over the API processes, each request with an
   Idempotency-Key, a connection error retried with the same key), recording every 2xx.
3. At ``--kills`` random moments (random points of the progress) one API process, and at as
   many others one worker, get SIGKILL and are started again after a random pause.
4. Afterwards everything is started again, then stopped, and ``oaflow worker
   --exit-when-idle`` drains the outbox. Backoff waits and the 5-minute lease of a worker
   killed while sending are fast-forwarded (the drain sets ``next_attempt_at`` of waiting
   deliveries to now: the time the real system would wait), so a run does not last hours.
   Then reliability_checks.verify reads the database: every acknowledged completion
   present, no half-applied transition, every transition's outbox row and in-app copies,
   every webhook message delivered or dead-lettered (the receiver's distinct ids; repeated
   deliveries of one id counted apart: delivery is at-least-once), no 5xx and no "database
   is locked" reaching a client.
5. ``--timers N``: bench/timers.py on a fresh database of the same kind: N due SLA checks
   fired by ``--workers`` worker processes, 0 duplicates, 0 missing, 0 early.

Prints a verdict table and exits 1 on any violation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, update

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent / "bench"
for place in (HERE, BENCH):
    if str(place) not in sys.path:
        sys.path.insert(0, str(place))

from reliability_checks import (  # noqa: E402
    FORM,
    NEXT,
    PROCESS,
    STEPS,
    Ack,
    Check,
    ClientLog,
    ReceiverLog,
    Step,
    Verdict,
    verify,
)

from oaflow.domain.clock import SystemClock  # noqa: E402
from oaflow.domain.holidays_cn import china_calendar  # noqa: E402
from oaflow.services import auth, authz, notify_admin, runtime, setup  # noqa: E402
from oaflow.services.app import App  # noqa: E402
from oaflow.storage.database import Database, normalise_url  # noqa: E402
from oaflow.storage.tables import deliveries, instances, outbox, tasks  # noqa: E402

WEBHOOK = "reliability-hook"
READY_WAIT = 90.0  # seconds: an upper bound for a process to start, never a pause


# -- the webhook receiver ---------------------------------------------------------------
class Receiver:
    """A webhook receiver on 127.0.0.1 that records every message id and its answers:
    400 to ``dead_share`` of the ids (always the same ids: dead letters), 500 to
    ``fail_share`` of the attempts (retried), 200 otherwise."""

    def __init__(self, seed: int, fail_share: float = 0.05, dead_share: float = 0.01) -> None:
        self.log = ReceiverLog()
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.seed, self.fail_share, self.dead_share = seed, fail_share, dead_share
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                message_id = self.headers.get("X-OAFlow-Message-Id", "")
                status = receiver.answer(message_id)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/oaflow/events"

    def answer(self, message_id: str) -> int:
        mark = hashlib.sha256(f"{self.seed}/{message_id}".encode()).digest()[0] / 256
        with self.lock:
            if mark < self.dead_share:
                status = 400
            elif self.random.random() < self.fail_share:
                status = 500
            else:
                status = 200
            self.log.add(message_id, status)  # recorded before the answer leaves
        return status

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the processes ------------------------------------------------------------------------
def oaflow_command() -> list[str]:
    found = shutil.which("oaflow", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-c", "from oaflow.cli.main import run; run()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    """One `oaflow serve --no-worker` (``port`` set) or `oaflow worker` process."""

    name: str
    args: list[str]
    env: dict[str, str]
    cwd: Path
    port: int | None = None
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    exits: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.cwd / f"{self.name}.log"

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [*oaflow_command(), *self.args],
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        if self.port is None:
            return
        deadline = time.monotonic() + READY_WAIT
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not get ready: see {self.log}")

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.exits.append(-9)

    def stop(self) -> int:
        """SIGTERM and the exit code (SIGKILL after 60 s)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.exits.append(code)
        return code

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")}
    env.update(OAFLOW_DATABASE_URL=url, PYTHONIOENCODING="utf-8", NO_COLOR="1", TERM="dumb")
    return env


@dataclass
class Cluster:
    apis: list[Node]
    workers: list[Node]

    @classmethod
    def make(cls, url: str, cwd: Path, apis: int, workers: int) -> Cluster:
        env = environment(url)
        api_nodes = []
        for i in range(apis):
            port = free_port()
            args = ["serve", "--no-worker", "--port", str(port)]
            api_nodes.append(Node(f"api{i + 1}", args, env, cwd, port))
        worker_nodes = [
            Node(f"worker{i + 1}", ["worker", "--poll", "0.2"], env, cwd) for i in range(workers)
        ]
        return cls(api_nodes, worker_nodes)

    @property
    def nodes(self) -> list[Node]:
        return [*self.apis, *self.workers]

    def start(self) -> None:
        for node in self.nodes:
            if not node.running:
                node.start()
        for node in self.apis:
            node.wait_ready()

    def stop(self) -> dict[str, int]:
        for node in self.nodes:
            if node.running and node.proc is not None:
                node.proc.send_signal(signal.SIGTERM)
        return {node.name: node.stop() for node in self.nodes}


# -- preparation ----------------------------------------------------------------------------
@dataclass
class Work:
    """The complaints the clients work on: (business key, first task id, steps to do)."""

    items: list[tuple[str, int, int]]
    tokens: dict[str, str]

    @property
    def completions(self) -> int:
        return sum(n for _, _, n in self.items)


def prepare(url: str, completions: int, receiver_url: str, report: Callable[[str], None]) -> Work:
    app = App(db=Database(url), clock=SystemClock(), calendar=china_calendar())
    try:
        setup.init(app, demo=True)
        admin = authz.principal(app, "admin")
        settings = {"url": receiver_url, "secret": "whsec_reliability", "timeout": 10}
        notify_admin.add_channel(app, admin, WEBHOOK, "webhook", settings)
        tokens = {}
        for login in sorted({s.login for s in STEPS}):
            secret, _ = auth.create_token(app, admin, login, "reliability", ["read", "write"], 2)
            tokens[login] = secret
        count = math.ceil(completions / len(STEPS))
        head = authz.principal(app, "csd.head")
        begin = time.perf_counter()
        keys = []
        for _ in range(count):
            keys.append(runtime.start(app, head, PROCESS, FORM).id)
        report(f"{count:,} complaints started in {time.perf_counter() - begin:.1f} s")
        with app.db.read() as conn:
            rows = conn.execute(
                select(tasks.c.instance_id, tasks.c.id).where(tasks.c.node_id == STEPS[0].node)
            ).all()
            bks = dict(conn.execute(select(instances.c.id, instances.c.business_key)).all())
        first = {i: t for i, t in rows}
        items = []
        left = completions
        for instance_id in keys:
            steps = min(len(STEPS), left)
            left -= steps
            items.append((bks[instance_id], first[instance_id], steps))
        return Work(items, tokens)
    finally:
        app.db.dispose()


# -- the clients ----------------------------------------------------------------------------
@dataclass
class Shared:
    """What the client threads share: the log of answers and the progress."""

    log: ClientLog = field(default_factory=ClientLog)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: int = 0  # tasks finished by the clients (acknowledged or not)
    reissued: int = 0  # a key stuck in flight by a killed server: the state read, sent anew
    unacknowledged: int = 0  # finished, but the client never got the 2xx
    connection_errors: int = 0
    replayed: int = 0  # 2xx answers given again for a retried key (Idempotent-Replayed)
    abandoned: list[str] = field(default_factory=list)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


class GiveUp(Exception):
    pass


class Client(threading.Thread):
    """Works its complaints step by step through the API, as a careful integration does:
    every POST with an Idempotency-Key, resent with the same key after a broken connection
    (to the next API process) or a 5xx; a key left in flight by a killed server: read the
    task and, when it is still open, send the action again with a new key."""

    def __init__(
        self,
        index: int,
        work: list[tuple[str, int, int]],
        bases: list[str],
        tokens: dict[str, str],
        shared: Shared,
        deadline: float,
        seed: int,
    ) -> None:
        super().__init__(name=f"client{index}", daemon=True)
        self.work, self.bases, self.tokens, self.shared = work, bases, tokens, shared
        self.deadline = deadline
        self.turn = index
        self.random = random.Random(seed * 1000 + index)
        self.http = httpx.Client(timeout=30)

    def run(self) -> None:
        try:
            for key, task_id, steps in self.work:
                self.complaint(key, task_id, steps)
        except GiveUp as stop:
            with self.shared.lock:
                self.shared.abandoned.append(f"{self.name}: {stop}")
        finally:
            self.http.close()

    def complaint(self, key: str, task_id: int, steps: int) -> None:
        for n, step in enumerate(STEPS[:steps]):
            self.act(step, task_id)
            after = NEXT[step.node]
            if after is not None and n + 1 < steps:
                task_id = self.open_task(key, after)

    # one request, with retries
    def request(self, method: str, path: str, login: str, **kw: Any) -> httpx.Response:
        failed = 0  # broken connections in a row: wait once every API process failed
        while True:
            if time.monotonic() > self.deadline:
                raise GiveUp(f"deadline passed at {method} {path}")
            base = self.bases[self.turn % len(self.bases)]
            self.turn += 1
            headers = {"Authorization": f"Bearer {self.tokens[login]}", **kw.pop("headers", {})}
            try:
                with self.shared.lock:
                    self.shared.log.requests += 1
                answer = self.http.request(method, base + path, headers=headers, **kw)
            except httpx.TransportError:
                self.shared.add(connection_errors=1)
                kw["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                failed += 1
                if failed % len(self.bases) == 0:
                    time.sleep(self.random.uniform(0.05, 0.3))
                continue
            text = answer.text[:300]
            if answer.status_code >= 500 or "locked" in text.lower():
                with self.shared.lock:
                    line = f"{answer.status_code} {method} {path}: {text}"
                    self.shared.log.server_errors.append(line)
                    if "locked" in text.lower():
                        self.shared.log.locked.append(line)
                if answer.status_code >= 500:
                    kw["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                    time.sleep(self.random.uniform(0.05, 0.3))
                    continue
            return answer

    def act(self, step: Step, task_id: int) -> None:
        path = f"/api/tasks/{task_id}/{step.action}"
        key = uuid.uuid4().hex
        for _ in range(20):
            answer = self.request(
                "POST", path, step.login, json=dict(step.body), headers={"Idempotency-Key": key}
            )
            if answer.is_success:
                state = answer.json()["task"]["state"]
                if state != step.state:
                    with self.shared.lock:
                        self.shared.log.unexpected.append(f"{path}: 2xx with state {state}")
                with self.shared.lock:
                    self.shared.log.acks.append(Ack(task_id, step.action, step.login))
                    self.shared.done += 1
                    self.shared.replayed += answer.headers.get("idempotent-replayed") == "true"
                return
            code = _code(answer)
            if answer.status_code == 409 and code == "idempotency.in_flight":
                if self.task_state(task_id, step.login) == step.state:
                    self.shared.add(unacknowledged=1, done=1)
                    return
                self.shared.add(reissued=1)
                key = uuid.uuid4().hex  # nothing happened: the same action, sent anew
                continue
            if answer.status_code == 409 and self.task_state(task_id, step.login) == step.state:
                self.shared.add(unacknowledged=1, done=1)  # the first attempt got through
                return
            line = f"{answer.status_code} {path}: {answer.text[:200]}"
            with self.shared.lock:
                self.shared.log.unexpected.append(line)
            raise GiveUp(f"{path}: {answer.status_code} {code}")
        raise GiveUp(f"{path}: still not done after 20 attempts")

    def task_state(self, task_id: int, login: str) -> str:
        answer = self.request("GET", f"/api/tasks/{task_id}", login)
        if not answer.is_success:
            raise GiveUp(f"GET task {task_id}: {answer.status_code}")
        return str(answer.json()["task"]["state"])

    def open_task(self, key: str, node: str) -> int:
        answer = self.request("GET", f"/api/instances/{key}", "csd.head")
        if not answer.is_success:
            raise GiveUp(f"GET instance {key}: {answer.status_code}")
        for row in answer.json()["progress"]:
            if row["node"]["id"] == node and row["is_open"]:
                return int(row["task_id"])
        raise GiveUp(f"{key}: no open task of {node}")


def _code(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("code", ""))
    except (json.JSONDecodeError, AttributeError):
        return ""


# -- chaos ----------------------------------------------------------------------------------
@dataclass
class Kill:
    node: str
    at: int  # completions done when it was killed
    pause: float  # seconds before it was started again


class Chaos:
    """Kills one API process at ``kills`` random points of the progress and, independently,
    one worker at as many others; each is started again after a random pause."""

    def __init__(
        self,
        cluster: Cluster,
        shared: Shared,
        total: int,
        kills: int,
        seed: int,
        finished: threading.Event,
    ) -> None:
        self.cluster, self.shared, self.finished = cluster, shared, finished
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.done: list[Kill] = []
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(
                target=self.kill,
                args=(nodes, sorted(self.random.uniform(0.05, 0.7) * total for _ in range(kills))),
                name=f"chaos-{kind}",
                daemon=True,
            )
            for kind, nodes in (("api", cluster.apis), ("worker", cluster.workers))
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()

    def kill(self, nodes: list[Node], plan: list[float]) -> None:
        try:
            for threshold in plan:
                while self.shared.done < threshold and not self.finished.is_set():
                    time.sleep(0.02)
                if self.finished.is_set():
                    return
                with self.lock:
                    node = self.random.choice(nodes)
                    pause = self.random.uniform(0.1, 1.5)
                at = self.shared.done
                node.kill9()
                time.sleep(pause)
                node.start()
                node.wait_ready()
                with self.lock:
                    self.done.append(Kill(node.name, at, pause))
        except BaseException as error:
            self.errors.append(error)


# -- drain ----------------------------------------------------------------------------------
def drain(url: str, cwd: Path, workers: int, report: Callable[[str], None]) -> int:
    """Run ``workers`` `oaflow worker --exit-when-idle` until every message is routed and
    every delivery sent or dead; between rounds, the waits of the deliveries still waiting
    (backoff, or the lease of a worker killed while sending) are fast-forwarded. Rounds."""
    engine = create_engine(normalise_url(url))
    env = environment(url)
    try:
        for round_ in range(1, 31):
            with ExitStack() as logs:
                procs = [
                    subprocess.Popen(
                        [*oaflow_command(), "worker", "--exit-when-idle"],
                        cwd=cwd,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=logs.enter_context((cwd / f"drain{i}.log").open("ab")),
                    )
                    for i in range(workers)
                ]
                for proc in procs:
                    proc.wait()
            with engine.begin() as conn:
                waiting = conn.execute(
                    select(func.count())
                    .select_from(deliveries)
                    .where(deliveries.c.status.in_(("pending", "sending")))
                ).scalar_one()
                unrouted = conn.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.status == "pending")
                ).scalar_one()
                if not waiting and not unrouted:
                    return round_
                report(f"drain round {round_}: {waiting} deliveries waiting, {unrouted} unrouted")
                now = SystemClock().now() - timedelta(seconds=1)
                conn.execute(
                    update(deliveries)
                    .where(deliveries.c.status.in_(("pending", "sending")))
                    .values(next_attempt_at=now)
                )
        raise RuntimeError("the outbox did not drain in 30 rounds")
    finally:
        engine.dispose()


# -- the run --------------------------------------------------------------------------------
@dataclass
class Options:
    completions: int = 10_000
    clients: int = 20
    db: str = "sqlite"
    pg: str = ""
    seed: int = 1
    kills: int = 3
    timers: int = 0
    workers: int = 4
    progress: bool = True
    limit: float = 1800.0  # seconds the clients may take at most


@dataclass
class Report:
    verdict: Verdict
    lines: list[str]

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    def text(self) -> str:
        return "\n".join([*self.lines, "", self.verdict.table()])


@contextmanager
def database(options: Options, folder: Path, name: str) -> Iterator[str]:
    if options.db == "pg":
        if not options.pg:
            raise SystemExit("--db pg needs --pg URL (or OAFLOW_TEST_DATABASE_URL)")
        from scratch_pg import fresh_postgres

        with fresh_postgres(options.pg) as url:
            yield url
    else:
        yield f"sqlite:///{folder / name}"


def run(options: Options, say: Callable[[str], None] = print) -> Report:
    lines: list[str] = []

    def report(line: str) -> None:
        lines.append(line)
        say(line)

    started = time.perf_counter()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="oaflow-rel-")))
        url = stack.enter_context(database(options, folder, "reliability.db"))
        receiver = stack.enter_context(Receiver(options.seed))
        work = prepare(url, options.completions, receiver.url, report)
        apis = 2 if options.db == "pg" else 1
        cluster = Cluster.make(url, folder, apis=apis, workers=2)
        cluster.start()
        try:
            shared, chaos, seconds = drive(cluster, work, options)
        finally:
            cluster.start()  # everything up again after the last kill…
            codes = cluster.stop()  # …then stopped (SIGTERM)
        report(
            f"{options.db}: {work.completions:,} completions by {options.clients} clients "
            f"over {apis} API process(es) and 2 workers in {seconds:.1f} s "
            f"({work.completions / max(seconds, 1e-6):,.0f}/s); {shared.log.requests:,} "
            f"requests, {shared.connection_errors} connection errors, {shared.replayed} "
            f"2xx replayed for a retried key, {shared.reissued} "
            f"actions sent anew after a key left in flight, {shared.unacknowledged} finished "
            "without a 2xx"
        )
        report("kills: " + (", ".join(f"{k.node}@{k.at}" for k in chaos.done) or "none"))
        begin = time.perf_counter()
        rounds = drain(url, folder, 2, report)
        report(f"outbox drained in {rounds} round(s), {time.perf_counter() - begin:.1f} s")
        verdict = verify(url, shared.log, receiver.log, WEBHOOK, sqlite=options.db == "sqlite")
        verdict.checks.append(_harness(work, shared, chaos, options, codes, folder))
        if options.timers:
            verdict.checks.append(timer_check(options, folder, report))
    report(f"total {time.perf_counter() - started:.1f} s")
    return Report(verdict, lines)


def drive(cluster: Cluster, work: Work, options: Options) -> tuple[Shared, Chaos, float]:
    shared = Shared()
    finished = threading.Event()
    chaos = Chaos(cluster, shared, work.completions, options.kills, options.seed, finished)
    deadline = time.monotonic() + options.limit
    bases = [node.url for node in cluster.apis]
    clients = [
        Client(
            i, work.items[i :: options.clients], bases, work.tokens, shared, deadline, options.seed
        )
        for i in range(options.clients)
    ]
    begin = time.perf_counter()
    with progress_bar(options.progress, work.completions) as update_bar:
        chaos.start()
        for client in clients:
            client.start()
        while any(c.is_alive() for c in clients):
            update_bar(shared.done)
            time.sleep(0.2)
        update_bar(shared.done)
    seconds = time.perf_counter() - begin
    finished.set()
    chaos.join()
    if chaos.errors:
        raise chaos.errors[0]
    return shared, chaos, seconds


@contextmanager
def progress_bar(show: bool, total: int) -> Iterator[Callable[[int], None]]:
    if not show:
        yield lambda done: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "completions", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as progress:
        bar = progress.add_task("completions", total=total)
        yield lambda done: progress.update(bar, completed=done)


def _harness(
    work: Work, shared: Shared, chaos: Chaos, options: Options, codes: dict[str, int], folder: Path
) -> Check:
    """The run itself did what it was asked: every complaint worked through, the kills
    done, clean stops, no traceback in a log."""
    check = Check("harness: work done, kills, clean stops", work.completions)
    if shared.done != work.completions:
        check.fail(f"{shared.done} of {work.completions} completions done")
    for line in shared.abandoned:
        check.fail(f"a client gave up: {line}")
    if len(chaos.done) != 2 * options.kills:
        check.fail(f"{len(chaos.done)} of {2 * options.kills} kills done")
    for name, code in codes.items():
        # -SIGTERM: stopped while it was still starting, before its handler was installed
        if code not in (0, -signal.SIGTERM):
            check.fail(f"{name} exited {code} on SIGTERM")
    for log in sorted(folder.glob("*.log")):
        text = log.read_text(encoding="utf-8", errors="replace")
        if "Traceback" in text:
            at = text.index("Traceback")
            check.fail(f"{log.name}: {text[at : at + 600]!r}")
    check.note = f"{len(chaos.done)} kills"
    return check


def timer_check(options: Options, folder: Path, report: Callable[[str], None]) -> Check:
    """bench/timers.py on a fresh database: due SLA checks fired by several workers."""
    import timers as bench_timers

    check = Check(f"timers: {options.workers} workers, exactly once", options.timers)
    backend = "postgresql" if options.db == "pg" else "sqlite"
    args = argparse.Namespace(due=options.timers, future=1000, workers=options.workers, batch=500)
    # bench/timers.py's measurement of one backend (named measure until bench/run.py came)
    measure: Callable[..., Any] = getattr(bench_timers, "measure_backend", bench_timers.measure)
    with database(options, folder, "timers.db") as url:
        outcome = measure(backend, url, args)
    report(outcome.line(options.workers))
    for what in ("duplicates", "missing", "early"):
        n = getattr(outcome, what)
        if n:
            check.fail(f"{n} {what}")
    check.note = f"{outcome.due / outcome.seconds_wall:,.0f}/s wall, {outcome.seconds_wall:.1f} s"
    return check


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--completions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--pg", default=os.environ.get("OAFLOW_TEST_DATABASE_URL", ""))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kills", type=int, default=3, help="kills of each kind")
    parser.add_argument("--timers", type=int, default=0, help="due timers to fire (0: none)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes for timers")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    options = Options(
        completions=args.completions,
        clients=args.clients,
        db=args.db,
        pg=args.pg,
        seed=args.seed,
        kills=args.kills,
        timers=args.timers,
        workers=args.workers,
        progress=not args.no_progress and sys.stdout.isatty(),
    )
    result = run(options)
    print()
    print(result.verdict.table())
    print("verdict: " + ("no violation" if result.ok else "VIOLATIONS"))
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
