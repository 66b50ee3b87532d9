"""The reliability harness (scripts/reliability.py) in small: kill -9 of API processes and
workers while HTTP clients complete tasks, on SQLite (one API process, two workers) and on
PostgreSQL (two API processes, two workers); then every acknowledged completion present, no
half-applied transition, every outbox message delivered or dead-lettered, no 5xx and no
"database is locked" at a client, timers fired exactly once and none early.

The verifier itself is checked on a small hand-made database state: it passes on the intact
state and reports each kind of damage done to a copy of it."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, delete, select, text, update

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from reliability import WEBHOOK, Options, run  # noqa: E402
from reliability_checks import (  # noqa: E402
    FORM,
    PROCESS,
    STEPS,
    Ack,
    ClientLog,
    ReceiverLog,
    Step,
    Verdict,
    verify,
)

from oaflow.domain.clock import FixedClock  # noqa: E402
from oaflow.domain.holidays_cn import china_calendar  # noqa: E402
from oaflow.domain.states import Action  # noqa: E402
from oaflow.engine.runtime import Command  # noqa: E402
from oaflow.services import authz, delivery, notify_admin, runtime, setup  # noqa: E402
from oaflow.services.app import App  # noqa: E402
from oaflow.storage.database import Database  # noqa: E402
from oaflow.storage.tables import deliveries, history, outbox, tasks  # noqa: E402

pytestmark = pytest.mark.acceptance

SMALL = Options(completions=160, clients=6, kills=1, timers=250, workers=4, progress=False)


def test_kill_9_during_completions_on_sqlite_loses_and_half_applies_nothing() -> None:
    report = run(Options(**{**SMALL.__dict__, "db": "sqlite"}), say=lambda _line: None)
    assert report.ok, report.text()
    assert report.verdict.check("acknowledged completions present").looked_at > 0
    assert "2 kills" in report.verdict.check("harness: work done, kills, clean stops").note


@pytest.mark.postgres
def test_kill_9_during_completions_on_postgresql_with_two_api_processes(
    pg_admin_url: str,
) -> None:
    options = Options(**{**SMALL.__dict__, "db": "pg", "pg": pg_admin_url})
    report = run(options, say=lambda _line: None)
    assert report.ok, report.text()
    assert report.verdict.check("acknowledged completions present").looked_at > 0
    assert "2 kills" in report.verdict.check("harness: work done, kills, clean stops").note


# -- the verifier on a hand-made state ----------------------------------------------------
@dataclass
class Made:
    """A database after two complaints: one finished (4 steps), one half way (2 steps), its
    messages routed to the webhook and accepted by the receiver."""

    path: Path
    acks: list[Ack]
    answers: dict[str, list[int]]

    def url(self, path: Path | None = None) -> str:
        return f"sqlite:///{path or self.path}"


def command(step: Step) -> Command:
    if step.action == "approve":
        return Command(Action.APPROVE, step.login)
    return Command(Action.COMPLETE, step.login, outputs=dict(step.body["fields"]))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    path = tmp_path_factory.mktemp("verifier") / "made.db"
    clock = FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    app = App(db=Database(f"sqlite:///{path}"), clock=clock, calendar=china_calendar())
    try:
        setup.init(app, demo=True)
        admin = authz.principal(app, "admin")
        settings = {"url": "http://127.0.0.1:9/hook", "secret": "s"}
        notify_admin.add_channel(app, admin, WEBHOOK, "webhook", settings)
        head = authz.principal(app, "csd.head")
        acks = []
        for steps in (4, 2):
            instance = runtime.start(app, head, PROCESS, FORM)
            for step in STEPS[:steps]:
                with app.db.read() as conn:
                    task_id = conn.execute(
                        select(tasks.c.id).where(
                            tasks.c.instance_id == instance.id, tasks.c.finished_at.is_(None)
                        )
                    ).scalar_one()
                who = authz.principal(app, step.login)
                runtime.act(app, who, task_id, command(step))
                acks.append(Ack(task_id, step.action, step.login))
        delivery.route_pending(app, clock.now())
        with app.db.write() as conn:
            conn.execute(update(deliveries).values(status="sent", attempts=1))
            ids = list(conn.execute(select(outbox.c.message_id)).scalars())
    finally:
        app.db.dispose()
    return Made(path, acks, {m: [500, 200] for m in ids})


def verdict_of(
    made: Made,
    tmp_path: Path,
    damage: Callable[[Connection], None] | None = None,
    answers: dict[str, list[int]] | None = None,
    clients: ClientLog | None = None,
) -> Verdict:
    copy = tmp_path / "copy.db"
    shutil.copyfile(made.path, copy)
    if damage is not None:
        engine = create_engine(made.url(copy))
        with engine.begin() as conn:
            damage(conn)
        engine.dispose()
    log = clients or ClientLog(acks=list(made.acks))
    receiver = ReceiverLog()
    for message_id, statuses in (made.answers if answers is None else answers).items():
        for status in statuses:
            receiver.add(message_id, status)
    return verify(made.url(copy), log, receiver, WEBHOOK, sqlite=True)


def test_the_verifier_passes_the_intact_state(made: Made, tmp_path: Path) -> None:
    verdict = verdict_of(made, tmp_path)
    assert verdict.ok, verdict.table()
    assert verdict.check("acknowledged completions present").looked_at == 6
    assert verdict.check("transitions have their outbox rows").looked_at == 8  # 7 tasks, 1 end
    assert "8 delivered, 0 dead letters" in verdict.check("outbox delivered or dead-lettered").note


def first_message(conn: Connection, event: str = "task_assigned") -> str:
    query = select(outbox.c.message_id).where(outbox.c.event == event).order_by(outbox.c.id)
    return str(conn.execute(query.limit(1)).scalar_one())


def test_a_missing_outbox_row_is_reported(made: Made, tmp_path: Path) -> None:
    gone: list[str] = []

    def damage(conn: Connection) -> None:
        gone.append(first_message(conn))
        conn.execute(delete(outbox).where(outbox.c.message_id == gone[0]))

    verdict = verdict_of(made, tmp_path, damage)
    assert not verdict.ok
    found = verdict.check("transitions have their outbox rows").violations
    assert found == [f"{gone[0].split('/')[0]}: task_created (seq 3) without {gone[0]}"], found
    # and the receiver got a message the outbox does not have
    assert any(gone[0] in v for v in verdict.check("outbox delivered or dead-lettered").violations)


def test_a_finished_task_without_its_successor_is_reported(made: Made, tmp_path: Path) -> None:
    def damage(conn: Connection) -> None:
        # the half-way complaint's open review task vanishes, as if only half committed
        found = conn.execute(
            select(tasks.c.id).where(tasks.c.node_id == "review", tasks.c.finished_at.is_(None))
        ).scalar_one()
        conn.execute(delete(history).where(history.c.task_id == found))
        conn.execute(delete(tasks).where(tasks.c.id == found))

    verdict = verdict_of(made, tmp_path, damage)
    found = verdict.check("no half-applied transition").violations
    assert any("finished without its successor review" in v for v in found), found
    assert any("running with 0 open tasks" in v for v in found), found


def test_an_acknowledged_completion_not_in_the_database_is_reported(
    made: Made, tmp_path: Path
) -> None:
    def damage(conn: Connection) -> None:
        conn.execute(
            update(tasks)
            .where(tasks.c.id == made.acks[-1].task_id)
            .values(state="pending", finished_at=None, finished_by=None)
        )

    verdict = verdict_of(made, tmp_path, damage)
    found = verdict.check("acknowledged completions present").violations
    assert found == [
        f"task {made.acks[-1].task_id} got 2xx for complete by prd.head but is pending "
        "(finished by None)"
    ], found


def test_a_lost_or_stuck_delivery_is_reported(made: Made, tmp_path: Path) -> None:
    lost = sorted(made.answers)[0]
    answers = {m: a for m, a in made.answers.items() if m != lost}
    verdict = verdict_of(made, tmp_path, answers=answers)
    found = verdict.check("outbox delivered or dead-lettered").violations
    assert found == [f"{lost}: sent, but the receiver never accepted it []"], found

    def stuck(conn: Connection) -> None:
        conn.execute(text("UPDATE deliveries SET status = 'sending' WHERE id = 1"))

    verdict = verdict_of(made, tmp_path, stuck)
    found = verdict.check("outbox delivered or dead-lettered").violations
    assert len(found) == 1 and "sending after 1 attempts" in found[0], found


def test_a_repeated_delivery_is_counted_apart_not_a_violation(made: Made, tmp_path: Path) -> None:
    again = sorted(made.answers)[0]
    answers = {**made.answers, again: [200, 200]}
    verdict = verdict_of(made, tmp_path, answers=answers)
    assert verdict.ok, verdict.table()
    assert "1 accepted more than once" in verdict.check("receiver: distinct ids").note


def test_a_locked_database_at_a_client_is_reported(made: Made, tmp_path: Path) -> None:
    line = '500 POST /api/tasks/3/approve: {"detail": "database is locked"}'
    clients = ClientLog(acks=list(made.acks), server_errors=[line], locked=[line], requests=9)
    verdict = verdict_of(made, tmp_path, clients=clients)
    found = verdict.check("clients: no 5xx, no locked").violations
    assert found == [f"database locked reached a client (SQLite): {line}"], found
