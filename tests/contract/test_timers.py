"""SLA checks fire exactly once, never early, catch up after downtime, and do nothing for a
task finished first (TIME-7, QUALITY "Correctness under concurrency", ADR 0003).

The race tests pause one transaction just before its commit (see test_concurrency.py). The
last test runs four real `oaflow worker` processes over 10,000 due checks on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from oaflow.domain.clock import FixedClock, SystemClock
from oaflow.domain.errors import ConflictError, InputError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import audit, runtime, timers
from oaflow.services.app import App
from oaflow.storage import bulk
from oaflow.storage.runtime_store import RuntimeStore
from oaflow.storage.tables import history, instances, outbox, tasks
from served import oaflow_command

from .driver import COMPLAINT, NOTICES, Driver, who
from .races import wait_for_lock_waiter
from .test_concurrency import WAIT, Paused, second_app

T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # the `clock` fixture's start (tests/conftest.py)
H = timedelta(hours=1)
ACK_KEYS = ["ack1", "ack2", "ack_escalation"]
OUTPUTS = {"cause": "包装材料强度不足", "solution": "更换包装并补发"}


def unacknowledged_handle_task(app: App, form: dict[str, Any] = COMPLAINT) -> tuple[str, int]:
    """A complaint started at the clock's time whose handling task (created then) nobody
    acknowledges: its business key and the task's id."""
    d = Driver(app)
    key = d.start("customer-complaint", "csd.head", form)
    d.approve("csd.head", "triage")
    query = select(tasks.c.id).where(
        tasks.c.node_id == "handle",
        tasks.c.instance_id
        == select(instances.c.id).where(instances.c.business_key == key).scalar_subquery(),
    )
    with app.db.read() as conn:
        return key, conn.execute(query).scalar_one()


def task_row(app: App, task_id: int) -> dict[str, Any]:
    with app.db.read() as conn:
        return dict(conn.execute(select(tasks).where(tasks.c.id == task_id)).one()._mapping)


def messages_of(app: App, task_id: int) -> list[str]:
    query = (
        select(outbox.c.message_id)
        .where(outbox.c.task_id == task_id, outbox.c.event.not_in(NOTICES))
        .order_by(outbox.c.id)
    )
    with app.db.read() as conn:
        return list(conn.execute(query).scalars())


def sla_history_of(app: App, task_id: int) -> list[str]:
    query = (
        select(history.c.kind)
        .where(history.c.task_id == task_id, history.c.kind.like("sla_%"))
        .order_by(history.c.seq)
    )
    with app.db.read() as conn:
        return list(conn.execute(query).scalars())


def test_catch_up_after_downtime_handles_each_missed_event_once(
    demo_app: App, clock: FixedClock
) -> None:
    key, task_id = unacknowledged_handle_task(demo_app)
    clock.set(T0 + 50 * H)  # the worker was down for the 24 h, 36 h and 48 h events
    assert timers.fire_due(demo_app, clock.now()) == 1
    assert messages_of(demo_app, task_id) == [f"{key}/{task_id}/{k}" for k in ACK_KEYS]
    row = task_row(demo_app, task_id)
    assert row["sla_fired"] == ACK_KEYS
    assert row["check_at"] > clock.now()  # the next event (the deadline warning) is later
    assert sla_history_of(demo_app, task_id) == [
        "sla_ack_reminder",
        "sla_ack_reminder",
        "sla_ack_escalation",
    ]
    assert timers.fire_due(demo_app, clock.now()) == 0
    assert len(messages_of(demo_app, task_id)) == 3


def savepoints_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []
    real = RuntimeStore.savepoint

    def counted(self: RuntimeStore) -> Any:
        made.append(1)
        return real(self)

    monkeypatch.setattr(RuntimeStore, "savepoint", counted)
    return made


def test_a_batch_that_succeeds_is_written_whole_without_savepoints(
    demo_app: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A savepoint is two round trips per check on PostgreSQL: a batch is first tried
    whole, and only a batch in which a check failed is done again check by check."""
    made = [unacknowledged_handle_task(demo_app) for _ in range(3)]
    savepoints = savepoints_counted(monkeypatch)
    clock.set(T0 + 25 * H)
    assert timers.fire_tasks(demo_app, clock.now(), limit=10) == 3
    assert savepoints == []
    for key, task_id in made:
        assert messages_of(demo_app, task_id) == [f"{key}/{task_id}/ack1"]


def test_a_batch_writes_its_history_and_messages_together_at_its_end(
    demo_app: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks of a batch hold their history rows and messages until the batch ends, then
    write them in two statements (two round trips instead of two per check on PostgreSQL);
    the history chains stay intact and each reminder is sent once."""
    made = [unacknowledged_handle_task(demo_app) for _ in range(3)]
    written: list[int] = []
    real_write = RuntimeStore._write_messages

    def counted(store: RuntimeStore, rows: list[dict[str, Any]]) -> int:
        written.append(len(rows))
        return real_write(store, rows)

    monkeypatch.setattr(RuntimeStore, "_write_messages", counted)
    clock.set(T0 + 25 * H)
    assert timers.fire_tasks(demo_app, clock.now(), limit=10) == 3
    assert written == [3]  # one write, the three reminders
    for key, task_id in made:
        assert messages_of(demo_app, task_id) == [f"{key}/{task_id}/ack1"]
        assert sla_history_of(demo_app, task_id) == ["sla_ack_reminder"]
    assert audit.verify(demo_app, SYSTEM).intact


def test_due_checks_of_one_instance_in_one_batch_each_read_it_as_the_last_left_it(
    demo_app: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's tasks are read in one query (PostgreSQL); when several belong to one
    instance, the first check writes the instance and the next are read again, so that they
    see its new version: no check is redone (no savepoint), each reminder is sent once and
    the instance's history chain holds."""
    d = Driver(demo_app)
    form = {"title": "新产品F", "collaborating_departments": ["rnd", "prd", "fin"]}
    d.start("new-product-launch", "mkt.head", form)
    d.complete("mkt.head", "n001")
    with demo_app.db.read() as conn:
        confirms = list(
            conn.execute(
                select(tasks.c.id).where(tasks.c.node_id == "confirm_requirements")
            ).scalars()
        )
    assert len(confirms) == 3
    preloaded: list[bool] = []
    real_rows = RuntimeStore._preloaded_rows

    def spied(store: RuntimeStore, task_id: int) -> Any:
        rows = real_rows(store, task_id)
        preloaded.append(rows is not None)
        return rows

    monkeypatch.setattr(RuntimeStore, "_preloaded_rows", spied)
    savepoints = savepoints_counted(monkeypatch)
    clock.set(T0 + 30 * H)
    assert timers.fire_tasks(demo_app, clock.now(), limit=10) == 3
    assert savepoints == []
    postgresql = demo_app.db.dialect == "postgresql"
    assert preloaded == ([True, False, False] if postgresql else [False, False, False])
    sent = [messages_of(demo_app, task_id) for task_id in confirms]
    assert all(sent) and all(len(set(m)) == len(m) for m in sent), sent
    assert audit.verify(demo_app, SYSTEM).intact
    assert timers.fire_tasks(demo_app, clock.now(), limit=10) == 0


def test_a_batch_sets_aside_the_check_that_fails_and_keeps_the_others(
    demo_app: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checks are claimed and written in batches; when one fails, the batch is done again
    with each check a savepoint of its own."""
    made = [unacknowledged_handle_task(demo_app) for _ in range(3)]
    broken = made[1][1]
    real_check = timers.check_sla

    def check(world: Any, instance: Any, task: Any, related: Any) -> Any:
        decision = real_check(world, instance, task, related)
        if task.id == broken:  # after the engine decided: its writes are under way
            raise InputError("definition.sla.unknown_recipient", name="nobody", roles="")
        return decision

    monkeypatch.setattr(timers, "check_sla", check)
    savepoints = savepoints_counted(monkeypatch)
    clock.set(T0 + 25 * H)
    assert timers.fire_tasks(demo_app, clock.now(), limit=10) == 3
    assert len(savepoints) == 3  # the second try, check by check
    for key, task_id in made:
        if task_id == broken:
            assert messages_of(demo_app, task_id) == []
            assert sla_history_of(demo_app, task_id) == []
            assert task_row(demo_app, task_id)["check_at"] == clock.now() + timers.RETRY_FAILED
        else:
            assert messages_of(demo_app, task_id) == [f"{key}/{task_id}/ack1"]
    monkeypatch.setattr(timers, "check_sla", real_check)
    clock.set(clock.now() + timers.RETRY_FAILED)
    assert timers.fire_tasks(demo_app, clock.now(), limit=10) == 1  # set aside, then retried
    assert messages_of(demo_app, broken) == [f"{made[1][0]}/{broken}/ack1"]


def test_a_batch_leaves_due_the_check_whose_instance_moved_meanwhile(
    demo_app: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [unacknowledged_handle_task(demo_app) for _ in range(2)]
    moved = made[0][1]
    real_load = timers.load_world

    def load(app: App, store: Any, task_id: int, now: datetime) -> Any:
        found = real_load(app, store, task_id, now)
        if task_id == moved:  # as if a person changed the instance after this read
            found[1].version -= 1
        return found

    monkeypatch.setattr(timers, "load_world", load)
    clock.set(T0 + 25 * H)
    assert timers.fire_tasks(demo_app, clock.now(), limit=10) == 1
    assert messages_of(demo_app, moved) == []
    assert task_row(demo_app, moved)["check_at"] <= clock.now()  # still due
    monkeypatch.setattr(timers, "load_world", real_load)
    assert timers.fire_due(demo_app, clock.now()) == 1
    assert messages_of(demo_app, moved) == [f"{made[0][0]}/{moved}/ack1"]


def test_nothing_fires_before_it_is_due(demo_app: App, clock: FixedClock) -> None:
    key, task_id = unacknowledged_handle_task(demo_app)
    clock.set(T0 + 24 * H - timedelta(minutes=1))
    assert timers.fire_due(demo_app, clock.now()) == 0
    assert messages_of(demo_app, task_id) == []
    assert timers.next_due(demo_app) == T0 + 24 * H
    clock.set(T0 + 24 * H)  # due exactly now: handled, and only the first reminder
    assert timers.fire_due(demo_app, clock.now()) == 1
    assert messages_of(demo_app, task_id) == [f"{key}/{task_id}/ack1"]
    assert task_row(demo_app, task_id)["check_at"] == T0 + 36 * H


def test_fire_due_decides_and_writes_at_the_instant_it_is_given(
    demo_app: App, clock: FixedClock
) -> None:
    """The worker claims with one `now` and may decide a moment later: the check uses the
    instant it was given, not the app's clock (here left at T0)."""
    key, task_id = unacknowledged_handle_task(demo_app)
    assert timers.fire_due(demo_app, T0 + 50 * H) == 1
    query = select(outbox.c.message_id, outbox.c.created_at).where(
        outbox.c.task_id == task_id, outbox.c.event.not_in(NOTICES)
    )
    with demo_app.db.read() as conn:
        sent = conn.execute(query.order_by(outbox.c.id)).all()
    assert [(m, at) for m, at in sent] == [(f"{key}/{task_id}/{k}", T0 + 50 * H) for k in ACK_KEYS]
    assert timers.fire_due(demo_app, T0 + 50 * H) == 0


def test_tick_handles_each_check_at_its_own_instant_and_never_goes_back(
    demo_app: App, clock: FixedClock
) -> None:
    key, task_id = unacknowledged_handle_task(demo_app)
    assert timers.tick(demo_app, clock, T0 + 50 * H) == 3
    query = select(outbox.c.message_id, outbox.c.created_at).where(
        outbox.c.task_id == task_id, outbox.c.event.not_in(NOTICES)
    )
    with demo_app.db.read() as conn:
        sent = sorted(conn.execute(query).all(), key=lambda r: r.created_at)
    assert [(m, at - T0) for m, at in sent] == [
        (f"{key}/{task_id}/ack1", 24 * H),
        (f"{key}/{task_id}/ack2", 36 * H),
        (f"{key}/{task_id}/ack_escalation", 48 * H),
    ]
    assert clock.now() == T0 + 50 * H
    with pytest.raises(InputError, match="cannot tick back"):
        timers.tick(demo_app, clock, T0 + 49 * H)
    assert len(messages_of(demo_app, task_id)) == 3


def test_tick_refuses_an_until_before_the_clock(demo_app: App, clock: FixedClock) -> None:
    _, task_id = unacknowledged_handle_task(demo_app)
    clock.set(T0 + 50 * H)
    with pytest.raises(InputError):
        timers.tick(demo_app, clock, T0 + 30 * H)
    assert messages_of(demo_app, task_id) == []


def acknowledged_handle_task(app: App, clock: FixedClock) -> tuple[str, int, datetime]:
    """A handling task acknowledged at once; its next check (the deadline warning) is the
    instant returned, and the clock is moved there."""
    key, task_id = unacknowledged_handle_task(app)
    Driver(app).do(task_id, Action.ACK, "prd.head")
    due = task_row(app, task_id)["check_at"]
    assert due is not None and due > T0 + 50 * H
    clock.set(due)
    return key, task_id, due


def complete(app: App, task_id: int) -> None:
    runtime.act(
        app, who(app, "prd.head"), task_id, Command(Action.COMPLETE, "prd.head", outputs=OUTPUTS)
    )


def review_tasks(app: App, key: str) -> int:
    return sum(r["node"] == "处理结果审核" for r in Driver(app).instance(key)["progress"])


def test_a_check_due_when_the_task_was_just_completed_sends_nothing(
    demo_app: App, clock: FixedClock
) -> None:
    key, task_id, due = acknowledged_handle_task(demo_app, clock)
    complete(demo_app, task_id)
    assert timers.fire_due(demo_app, due) == 0
    assert messages_of(demo_app, task_id) == []
    assert task_row(demo_app, task_id)["check_at"] is None
    assert review_tasks(demo_app, key) == 1


def run_against_paused(
    app: App, first: Callable[[App], object], second: Callable[[App], object]
) -> tuple[object, BaseException | None]:
    """Run ``first`` up to just before its commit, then ``second`` on another connection
    (PostgreSQL: until it waits for a lock or ends), then let ``first`` commit.
    Returns what ``second`` returned, or its error; ``first`` must succeed."""
    other = second_app(app)
    paused = Paused(app, lambda: first(app))
    paused.thread.start()
    assert paused.reached.wait(WAIT)
    outcome: list[Any] = [None, None]

    def run_second() -> None:
        try:
            outcome[0] = second(other)
        except BaseException as exc:  # handed to the test
            outcome[1] = exc

    thread = threading.Thread(target=run_second)
    thread.start()
    if app.db.dialect == "postgresql":
        wait_for_lock_waiter(app, thread)
    paused.resume.set()
    paused.thread.join(WAIT)
    thread.join(WAIT)
    app.db.before_commit = None
    other.db.dispose()
    assert not paused.thread.is_alive() and not thread.is_alive()
    assert paused.error is None, paused.error
    return outcome[0], outcome[1]


def test_check_commits_first_then_the_completion_conflicts_cleanly_or_follows(
    demo_app: App, clock: FixedClock
) -> None:
    key, task_id, due = acknowledged_handle_task(demo_app, clock)
    _, error = run_against_paused(
        demo_app, lambda a: timers.fire_due(a, due), lambda a: complete(a, task_id)
    )
    if demo_app.db.dialect == "postgresql":
        # it read the task before the check committed, then lost the version check
        assert isinstance(error, ConflictError), error
        complete(demo_app, task_id)  # the person tries again: it works
    else:
        assert error is None  # SQLite: it queued behind the check's write lock
    assert messages_of(demo_app, task_id) == [f"{key}/{task_id}/warn75"]
    assert task_row(demo_app, task_id)["state"] == "done"
    assert review_tasks(demo_app, key) == 1


def test_completion_commits_first_then_the_check_sends_nothing(
    demo_app: App, clock: FixedClock
) -> None:
    key, task_id, due = acknowledged_handle_task(demo_app, clock)
    handled, error = run_against_paused(
        demo_app, lambda a: complete(a, task_id), lambda a: timers.fire_due(a, due)
    )
    assert (handled, error) == (0, None)  # PostgreSQL: skipped the locked row; SQLite: queued
    assert timers.fire_due(demo_app, due) == 0
    assert messages_of(demo_app, task_id) == []
    assert task_row(demo_app, task_id)["state"] == "done"
    assert review_tasks(demo_app, key) == 1


# -- several worker processes ------------------------------------------------------------

DUE = 10_000
FUTURE = 500
REAL = 5
WORKERS = 4


def copy_task(app: App, template_id: int, count: int, prefix: str, created: datetime) -> None:
    """``count`` copies of an open task, each in its own copy of the task's instance (as
    many independent processes waiting on one step), created at ``created``."""
    bulk.copy_task(app.db, template_id, count, prefix, created, created + 24 * H)  # ack1


def run_workers(url: str, count: int, keys: str) -> list[subprocess.CompletedProcess[str]]:
    """``count`` `oaflow worker --exit-when-idle` processes at once; their results."""
    command = [*oaflow_command(), "--db", url, "worker", "--exit-when-idle", "--batch", "200"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAFLOW_")}
    env["OAFLOW_KEYS"] = keys
    procs = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(command, proc.returncode, out, err))
    return results


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_four_workers_fire_ten_thousand_due_checks_exactly_once(
    demo_app: App, clock: FixedClock, keys_setting: str
) -> None:
    real_now = SystemClock().now()  # the workers run on the real clock
    clock.set(real_now - 30 * H)  # ack1 (24 h) is due, ack2 (36 h) is 6 h away
    # bulk copies keep the template's data: no sealed value (it opens in its own place only)
    form = {k: v for k, v in COMPLAINT.items() if k != "phone"}
    real = [unacknowledged_handle_task(demo_app, form)[1] for _ in range(REAL)]
    copy_task(demo_app, real[0], DUE - REAL, "BULK-DUE-", real_now - 30 * H)
    copy_task(demo_app, real[0], FUTURE, "BULK-LATER-", real_now - 1 * H)

    results = run_workers(demo_app.db.url, WORKERS, keys_setting)
    for result in results:
        assert result.returncode == 0 and "Traceback" not in result.stderr, result
    counts = [int(n) for r in results for n in re.findall(r"已处理 (\d+)", r.stdout)]
    assert sum(counts) == DUE

    with demo_app.db.read() as conn:
        rows = conn.execute(
            select(tasks.c.id, tasks.c.created_at, tasks.c.check_at, tasks.c.sla_fired).where(
                tasks.c.node_id == "handle"
            )
        ).all()
        fired = conn.execute(
            select(outbox.c.task_id, outbox.c.message_id).where(outbox.c.event == "ack_reminder")
        ).all()
        reminders = conn.execute(
            select(history.c.task_id).where(history.c.kind == "sla_ack_reminder")
        ).all()
        duplicate_seqs = conn.execute(
            select(history.c.instance_id, history.c.seq)
            .group_by(history.c.instance_id, history.c.seq)
            .having(func.count() > 1)
        ).all()
    due = {r.id for r in rows if r.created_at == real_now - 30 * H}
    later = {r.id for r in rows if r.created_at == real_now - 1 * H}
    assert (len(due), len(later)) == (DUE, FUTURE)
    # the outbox ignores a repeated message id, so doubles are counted in the history
    assert sorted(t for (t,) in reminders) == sorted(due), "each due task reminded once"
    assert len(fired) == DUE and {t for t, _ in fired} == due
    assert len({m for _, m in fired}) == DUE and all(m.endswith("/ack1") for _, m in fired)
    for r in rows:
        if r.id in due:
            assert (r.sla_fired, r.check_at) == (["ack1"], r.created_at + 36 * H), r
        else:
            assert (r.sla_fired, r.check_at) == ([], r.created_at + 24 * H), r
    assert duplicate_seqs == []
