"""HTTP under concurrent load: a scripted flow against `oaflow serve`, beside a bare FastAPI
endpoint that runs the bare 3-statement transaction on the same server settings.

    python bench/http_load.py [--http-users 50] [--http-seconds 30] [--http-tasks 5000]
                              [--http-think 1.0] [--http-profile] [--quick]

1. A SQLite file set up the normal way (migrations, the demo organisation, the four
   processes) with a key sealing the sensitive fields, as a production system runs, one
   login per locust user (the demo's 27 people but admin and auditor, then members
   ``bench.NN`` spread over the departments), and ``--http-tasks`` open tasks made through
   the services: customer complaints registered by csd.staff, accepted by csd.head, their
   handling task transferred by the department head to one of those people: each signed-in
   person starts with an inbox of their own, --http-tasks / --http-users tasks (60 by
   default; finishing a task makes the complaint's next one, for csd.head or csd.staff).
2. `oaflow serve --no-worker` on that file (its own process, a free port of 127.0.0.1), and
   locust (headless, as a subprocess: its gevent patches never reach this process) with
   ``--http-users`` users spawned at once for ``--http-seconds`` (bench/locustfile.py
   FlowUser): each signs in once, then lists its inbox, opens a task of it and completes it
   (form token, Idempotency-Key), again and again without pause. Figures from locust's
   statistics CSV (reset once every user has signed in): requests per second over the three
   kinds of request, and their p50 and p99 ("at full load").
3. The reference, the same way: bench/bare_api.py (`oaflow serve`'s uvicorn Config and
   socket, one process) on a file of the same schema and PRAGMAs, loaded by the same number
   of locust users doing one POST /bare each (the bare 3-statement transaction).
4. The latency at 50 users: the flow again on a fresh copy of the seeded file, each user
   pausing ``--http-think`` seconds on average (uniformly 0.5-1.5 ×) before each step, as a
   person clicking through quickly does. This is the "p99 < 100 ms at 50 users" figure: with
   no pause at all, 50 users keep 50 requests waiting at every moment, so that each waits for
   the 49 others (Little's law: the mean latency is 50 / requests per second); a p99 under
   100 ms at full load would need over 500 flow requests/s from one Python process.

Locust runs on the same 2-core machine as the server and takes CPU from it (one locust
process, FastHttpUser): the requests/s of both runs are lower bounds, the bare one more so
(its requests are cheaper, so the client's share of the machine is larger).

5. The ceiling: the flow's route bodies (the same services and JSON answers, the logins in
   turn) run in the bench's own process for as long, with no HTTP, server, session or
   idempotency key at all — beside the bare endpoint, the most the flow's ratio could be if
   HTTP cost nothing (``in_process``).

``--http-profile`` then serves a fresh copy once more under cProfile (every thread) and
runs the flow with one user for 10 seconds: with nobody to wait for (the profiler counts
wall time per thread, a function's waits for the GIL and SQLite's write lock included),
each request's time is its own work. It prints the functions the pool threads (the routes'
work) spend their time in, and the cumulative time of OA-Flow's own functions.
``--quick``: 5 users, 5 seconds, 300 tasks.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from figures import Figure, Target, at_least_ratio, below
from flow_steps import ACTIONS

from oaflow.api.answers import typed
from oaflow.bootstrap import build_app
from oaflow.config import Settings
from oaflow.domain.org import Organisation, User
from oaflow.domain.states import Action
from oaflow.domain.text import Text
from oaflow.engine.runtime import Command
from oaflow.services import auth, authz, organisation, queries, runtime, setup
from oaflow.services.views import InboxFilter

HERE = Path(__file__).parent
#: the key that seals the complaint's phone (the format of OAFLOW_KEYS)
KEYS = "bench:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
FORM = {
    "title": "投诉：包装破损",
    "customer": "某公司",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "外包装破损",
}
KINDS = ("quality", "logistics", "service")

#: the ceiling of the flow's ratio (no target of its own): see in_process
IN_PROCESS = "the flow's route bodies in one process, no HTTP, requests/s"
TARGETS: list[Target] = [
    Target("HTTP flow requests/s", "≥ 0.3 × bare FastAPI", at_least_ratio(0.3)),
    Target("HTTP flow p99 ms", "< 100 ms at 50 users", below(100.0)),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("HTTP load (bench/http_load.py)")
    group.add_argument("--http-users", type=int, default=50, help="locust users")
    group.add_argument("--http-seconds", type=int, default=30, help="seconds per locust run")
    group.add_argument("--http-tasks", type=int, default=3000, help="open tasks seeded")
    group.add_argument(
        "--http-think", type=float, default=1.0, help="mean pause before each step (latency run)"
    )
    group.add_argument(
        "--http-profile", action="store_true", help="then profile the server under load"
    )


# -- the database --------------------------------------------------------------------------


def settings(path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{path}", keys=KEYS, files_dir=str(path.parent))


def people_for(org: Organisation, users: int) -> tuple[Organisation, list[str]]:
    """The logins the users sign in as, one each: the demo organisation's people (all but
    admin and auditor), then as many more members as needed, spread over its departments."""
    demo = sorted(set(org.users) - {"admin", "auditor"})
    codes = sorted(c for c in org.departments if c != "hq")
    extra = {
        f"bench.{n:02}": User(
            login=f"bench.{n:02}",
            name=Text(f"测试员{n:02}", f"Tester {n:02}"),
            departments=(codes[n % len(codes)],),
            roles=frozenset({"member"}),
        )
        for n in range(1, max(0, users - len(demo)) + 1)
    }
    bigger = Organisation(departments=org.departments, users={**org.users, **extra})
    return bigger, [*demo, *extra][:users]


def seed(path: Path, tasks: int, users: int) -> list[str]:
    """The demo database with ``tasks`` open handling tasks spread over one login per user;
    those logins."""
    app = build_app(settings(path))
    setup.init(app, demo=True)
    with app.db.read() as conn:
        org, people = people_for(app.org(conn), users)
    organisation.store(app, org)
    auth.seed_passwords(app, people, setup.DEMO_PASSWORD)
    staff = authz.principal(app, "csd.staff")
    head = authz.principal(app, "csd.head")
    routes = (("quality", "prd"), ("logistics", "log"), ("service", "svc"))
    heads = {kind: authz.principal(app, f"{code}.head") for kind, code in routes}
    for n in range(tasks):
        kind = KINDS[n % len(KINDS)]
        instance = runtime.start(app, staff, "customer-complaint", {**FORM, "complaint_type": kind})
        triage = queries.instance_detail(app, head, instance.business_key).progress[-1].task_id
        runtime.act(app, head, triage, Command(Action.APPROVE, head.login))
        handle = queries.instance_detail(app, head, instance.business_key).progress[-1].task_id
        to = people[n % len(people)]
        if to != heads[kind].login:
            runtime.annotate(app, heads[kind], handle, Action.TRANSFER, (to,), "请处理")
    app.db.dispose()
    return people


# -- the servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")}
    env.update(
        OAFLOW_DATABASE_URL=f"sqlite:///{path}",
        OAFLOW_KEYS=KEYS,
        OAFLOW_FILES_DIR=str(path.parent / "files"),
        PYTHONIOENCODING="utf-8",
    )
    return env


def oaflow_command() -> list[str]:
    here = shutil.which("oaflow", path=str(Path(sys.executable).parent))
    return [here] if here else [sys.executable, "-c", "from oaflow.cli.main import run; run()"]


#: `oaflow serve` with cProfile in every thread it starts — the thread pool, where the
#: routes, the session look-up and the idempotency keys' reads and writes run; not the main
#: thread (start-up, the event loop's HTTP parsing); merged into sys.argv[1] at the end
PROFILED = """
import cProfile, sys, threading
out, profiles = sys.argv[1], []
def hook(frame, event, arg):
    profiler = cProfile.Profile()
    profiles.append(profiler)
    profiler.enable()
threading.setprofile(hook)
sys.argv = ["oaflow", *sys.argv[2:]]
from oaflow.cli.main import run
try:
    run()
except SystemExit:
    pass
finally:
    import pstats
    if profiles:
        stats = pstats.Stats(profiles[0])
        for profiler in profiles[1:]:
            stats.add(profiler)
        stats.dump_stats(out)
"""


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(command: list[str], env: dict[str, str], cwd: Path, port: int, ready: str) -> Server:
    """Start a server, its output into a file (an unread pipe would block it), and wait
    until ``ready`` answers 200."""
    log = cwd / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(server.url + ready, timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server did not get ready:\n{log.read_text(errors='replace')[-3000:]}")


def serve_oaflow(path: Path, profile_to: Path | None = None) -> Server:
    port = free_port()
    args = ["serve", "--no-worker", "--port", str(port)]
    if profile_to is None:
        command = [*oaflow_command(), *args]
    else:
        command = [sys.executable, "-c", PROFILED, str(profile_to), *args]
    return start(command, server_env(path), path.parent, port, "/readyz")


def serve_bare(path: Path) -> Server:
    port = free_port()
    command = [sys.executable, str(HERE / "bare_api.py"), "--db", str(path), "--port", str(port)]
    return start(command, server_env(path), path.parent, port, "/openapi.json")


# -- locust --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What one locust run measured (its statistics CSV, Aggregated row)."""

    requests: int
    failures: int
    per_second: float
    p50: float
    p99: float
    rows: dict[str, tuple[int, int, float, float]]  # name: (requests, failures, p50, p99)
    empty: int  # users that found no task left in their inbox
    errors: list[str]  # locust's failures: how often, which request, the error


def run_locust(
    user: str,
    server: Server,
    users: int,
    seconds: int,
    folder: Path,
    logins: list[str],
    think: float = 0.0,
) -> Load:
    prefix = folder / f"locust-{user}-{int(think * 1000)}"
    # the figures start when the last user has signed in (bench/locustfile.py ready): the
    # run lasts that much longer, so that ``seconds`` are measured however slow the
    # sign-ins (a password hash each: seconds for five on a loaded 2-core machine)
    signing_in = 3 + users // 2
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")}
    env.update(BENCH_LOGINS=",".join(logins), BENCH_USERS=str(users), BENCH_THINK=str(think))
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        user,
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds + signing_in}s",
        "--host",
        server.url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
        "--exit-code-on-error",
        "0",
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + signing_in + 120
    )
    if done.returncode != 0:
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    rows: dict[str, tuple[int, int, float, float]] = {}
    errors: list[str] = []
    with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            errors.append(f"{row['Occurrences']}× {row['Name']}: {row['Error'][:300]}")
    total = None
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if int(row["Request Count"]) == 0:
                continue  # e.g. the sign-ins, made before the statistics were reset
            figures = (
                int(row["Request Count"]),
                int(row["Failure Count"]),
                float(row["50%"]),
                float(row["99%"]),
            )
            if row["Name"] == "Aggregated":
                total = row
            else:
                rows[row["Name"]] = figures
    if total is None or int(total["Request Count"]) == 0:
        raise RuntimeError(f"locust made no request:\n{done.stderr[-3000:]}")
    return Load(
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        per_second=float(total["Requests/s"]),
        p50=float(total["50%"]),
        p99=float(total["99%"]),
        rows=rows,
        empty=done.stderr.count("BENCH inbox empty"),
        errors=errors,
    )


def describe(label: str, load: Load) -> list[str]:
    lines = [
        f"http: {label}: {load.requests:,} requests, {load.failures:,} failed,"
        f" {load.per_second:,.0f}/s, p50 {load.p50:.0f} ms, p99 {load.p99:.0f} ms"
        + (f"; {load.empty} users ran out of tasks" if load.empty else "")
    ]
    for name, (count, failed, p50, p99) in load.rows.items():
        lines.append(
            f"http:   {name:<32} {count:>7,} ({failed} failed)  p50 {p50:>5.0f}"
            f" ms  p99 {p99:>5.0f} ms"
        )
    lines += [f"http:   failed: {e}" for e in load.errors[:5]]
    return lines


def flow_only(load: Load, server: Server) -> None:
    """The flow's figures must not hide failures or a user without work."""
    if load.failures:
        print(f"http: WARNING {load.failures} requests failed (see the rows above)")
        text = server.log.read_text(encoding="utf-8", errors="replace")
        raised = re.findall(r"^(?:[\w.]+\.)?\w*(?:Error|Exception)\b.*$", text, re.M)
        for line, count in Counter(raised).most_common(3):  # what the server's errors were
            print(f"http:   the server raised {count}×: {line[:300]}")
    if load.empty:
        print(f"http: WARNING {load.empty} users ran out of tasks: give more --http-tasks")


def print_profile(path: Path, top: int = 25) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in entries.values()) or 1.0
    waiting = (
        "acquire",
        "wait",
        "select",
        "poll",
        "epoll",
        "sleep",
        "run_forever",
        "_run_once",
        "_worker",
        "run_until_complete",
    )
    print(
        f"http: the server's own time by function (cProfile, every thread; {total:.1f} s,"
        " waiting for work left out)"
    )
    shown = 0
    for (file, line, name), (_, calls, own, cumulative, _) in sorted(
        entries.items(), key=lambda kv: -kv[1][2]
    ):
        if any(w in name for w in waiting):
            continue
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        print(
            f"http:   {own / total:6.1%} own {cumulative:7.2f} s cum {calls:>9,}×  {name}  {where}"
        )
        shown += 1
        if shown == top:
            break
    print("http: cumulative time of OA-Flow's own functions (the route and what it calls)")
    ours = [(k, v) for k, v in entries.items() if "/oaflow/" in k[0]]
    for (file, line, name), (_, calls, _, cumulative, _) in sorted(ours, key=lambda kv: -kv[1][3])[
        :top
    ]:
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}"
        print(f"http:   {cumulative:7.2f} s cum {calls:>9,}×  {name}  {where}")


# -- the flow without HTTP ------------------------------------------------------------------


def in_process(path: Path, logins: list[str], seconds: float) -> float:
    """Requests/s of the flow's route bodies run in this process, one after another, with no
    HTTP at all: the inbox page, the task, the action and the task again (what the routes
    call, each answer dumped to JSON as the route does), the logins in turn — no server, no
    session look-up, no form token, no idempotency key. The most one Python process could
    serve the flow if HTTP cost nothing: the ceiling of its ratio to the bare endpoint."""
    app = build_app(settings(path))
    people = [authz.principal(app, login) for login in logins]
    requests = 0
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        for who in people:
            page = queries.inbox(app, who, InboxFilter(limit=50))
            typed(page)
            requests += 1
            mine = [t for t in page.items if t.node.id in ACTIONS]
            if not mine:
                continue
            task = mine[0]
            typed(queries.task_detail(app, who, task.id))
            action, body = ACTIONS[task.node.id]
            command = Command(
                Action.APPROVE if action == "approve" else Action.COMPLETE,
                who.login,
                note=body.get("note", ""),
                outputs=body.get("fields", {}),
            )
            runtime.act(app, who, task.id, command)
            typed(queries.task_detail(app, who, task.id))
            requests += 2
    spent = time.perf_counter() - began
    app.db.dispose()
    return requests / spent


# -- the part ------------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> list[Figure]:
    quick = getattr(args, "quick", False)
    users = 5 if quick else args.http_users
    seconds = 5 if quick else args.http_seconds
    tasks = 300 if quick else args.http_tasks
    with tempfile.TemporaryDirectory(prefix="oaflow-http-") as tmp:
        folder = Path(tmp)
        seeded = folder / "seeded" / "oaflow.db"
        seeded.parent.mkdir()
        began = time.perf_counter()
        logins = seed(seeded, tasks, users)
        print(
            f"http: {tasks:,} open tasks over {len(logins)} people, seeded in"
            f" {time.perf_counter() - began:.0f} s",
            flush=True,
        )

        def copy(name: str) -> Path:
            (folder / name).mkdir()
            target = folder / name / "oaflow.db"
            shutil.copyfile(seeded, target)
            return target

        server = serve_oaflow(copy("flow"))
        try:
            flow = run_locust("FlowUser", server, users, seconds, folder, logins)
        finally:
            server.stop()
        for line in describe(f"flow, {users} users, no pause", flow):
            print(line, flush=True)
        flow_only(flow, server)

        bare_db = folder / "bare" / "bare.db"
        bare_db.parent.mkdir()
        subprocess.run(
            [sys.executable, str(HERE / "bare_api.py"), "--db", str(bare_db), "--prepare"],
            check=True,
        )
        server = serve_bare(bare_db)
        try:
            bare = run_locust("BareUser", server, users, seconds, folder, logins)
        finally:
            server.stop()
        for line in describe(f"bare FastAPI, {users} users, no pause", bare):
            print(line, flush=True)

        server = serve_oaflow(copy("paced"))
        try:
            paced = run_locust(
                "FlowUser", server, users, seconds, folder, logins, think=args.http_think
            )
        finally:
            server.stop()
        for line in describe(f"flow, {users} users, pausing {args.http_think:g} s", paced):
            print(line, flush=True)
        flow_only(paced, server)

        alone = in_process(copy("in-process"), logins, seconds)
        print(f"http: the flow's route bodies in one process, no HTTP: {alone:,.0f} requests/s")

        if getattr(args, "http_profile", False) and not quick:
            out = folder / "server.prof"
            server = serve_oaflow(copy("profiled"), profile_to=out)
            try:  # one user: each request's time is its own work, not waits for others
                profiled = run_locust("FlowUser", server, 1, min(seconds, 10), folder, logins)
            finally:
                server.stop()
            for line in describe("flow under cProfile, 1 user (slower)", profiled):
                print(line, flush=True)
            if out.exists():
                print_profile(out)
            else:
                print(f"http: no profile written:\n{server.log.read_text()[-2000:]}")
    return [
        Figure(
            "HTTP flow requests/s",
            flow.per_second,
            "/s",
            "bare FastAPI requests/s",
            bare.per_second,
        ),
        Figure(IN_PROCESS, alone, "/s", "bare FastAPI requests/s", bare.per_second),
        Figure("HTTP flow p50 ms", paced.p50, "ms"),
        Figure("HTTP flow p99 ms", paced.p99, "ms"),
        Figure("HTTP flow p50 ms at full load", flow.p50, "ms"),
        Figure("HTTP flow p99 ms at full load", flow.p99, "ms"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="5 users, 5 s, 300 tasks")
    args = parser.parse_args(argv)
    figures = measure(args)
    print()
    for f in figures:
        against = (
            f" (reference {f.reference_name}: {f.reference:,.1f}, ratio {f.ratio:.2f})"
            if (f.reference is not None and f.ratio is not None)
            else ""
        )
        print(f"{f.name}: {f.value:,.1f} {f.unit}{against}")
    for target in TARGETS:
        found = [f for f in figures if f.name == target.figure]
        if found:
            print(
                f"{target.figure} {target.wording}: {'met' if target.check(found[0]) else 'MISSED'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
