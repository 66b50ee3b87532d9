"""The locust users of bench/http_load.py, which runs locust on this file as a subprocess
(locust patches the standard library for gevent; the bench process is never touched).

``FlowUser`` — a person at work in `oaflow serve`: signs in once (POST /api/session), then
over and over: lists the inbox (GET /api/tasks), opens the first task of it
(GET /api/tasks/{id}) and finishes it (POST /api/tasks/{id}/complete with the fields of a
handling or a reply task, /approve for an acceptance or a review; with the session's form
token and an Idempotency-Key, as a careful client sends) — finishing a task makes the
complaint's next task, for the department head or the clerk. Several users may share a
login: each then takes only the tasks whose id falls in its own share (a hash of the id
modulo their number), so that two never finish the same task.

``BareUser`` — the reference: one POST /bare per iteration (bench/bare_api.py).

Both start their figures only when every user is running: the statistics are reset once the
last one has signed in (sign-ins hash a password and are not part of the flow).

Set by bench/http_load.py in the environment:
``BENCH_LOGINS`` the logins, comma separated (user n signs in as the n-th, round robin);
``BENCH_USERS`` how many users the run has (-u); ``BENCH_THINK`` a person's mean pause in
seconds before each step (0: none — the users load the server as fast as it answers);
``BENCH_PASSWORD`` (default ``demo``). A user whose inbox holds no task of its share prints
``BENCH inbox empty: LOGIN`` on stderr and stops.
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import uuid
import zlib
from typing import Any

import gevent
from flow_steps import ACTIONS
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

LOGINS = [s for s in os.environ.get("BENCH_LOGINS", "csd.head").split(",") if s]
USERS = int(os.environ.get("BENCH_USERS", "1"))
THINK = float(os.environ.get("BENCH_THINK", "0"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "demo")
NUMBERS = itertools.count()
READY = [0]


def ready(user: Any) -> None:
    """One more user is running; after the last, the figures start from zero."""
    READY[0] += 1
    runner = user.environment.runner
    if READY[0] == USERS and runner is not None:
        runner.stats.reset_all()


def think() -> None:
    if THINK > 0:
        gevent.sleep(random.uniform(0.5, 1.5) * THINK)


class FlowUser(FastHttpUser):
    wait_time = constant(0)  # the pauses are the steps' own (think)

    def on_start(self) -> None:
        number = next(NUMBERS)
        index = number % len(LOGINS)
        self.login = LOGINS[index]
        sharing = [n for n in range(max(USERS, number + 1)) if n % len(LOGINS) == index]
        self.share, self.shares = sharing.index(number), len(sharing)
        body = {"login": self.login, "password": PASSWORD}
        with self.client.post(
            "/api/session", json=body, name="POST /api/session", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"sign-in of {self.login}: {answer.status_code}")
                raise StopUser()
            self.csrf = answer.json()["csrf"]
        ready(self)

    @task
    def flow(self) -> None:
        think()
        with self.client.get(
            "/api/tasks?limit=50", name="GET /api/tasks", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"inbox: {answer.status_code}")
                return
            items = answer.json()["items"]
        mine = [
            (t["id"], t["node"]["id"])
            for t in items
            if zlib.crc32(b"%d" % t["id"]) % self.shares == self.share
            and t["node"]["id"] in ACTIONS
        ]
        if not mine:
            print(f"BENCH inbox empty: {self.login}", file=sys.stderr, flush=True)
            raise StopUser()
        task_id, node = mine[0]
        think()
        self.client.get(f"/api/tasks/{task_id}", name="GET /api/tasks/{id}")
        think()
        action, body = ACTIONS[node]
        self.client.post(
            f"/api/tasks/{task_id}/{action}",
            json=body,
            headers={"X-CSRF-Token": self.csrf, "Idempotency-Key": uuid.uuid4().hex},
            name=f"POST /api/tasks/{{id}}/{action}",
        )


class BareUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        ready(self)

    @task
    def transaction(self) -> None:
        self.client.post("/bare", name="POST /bare")
