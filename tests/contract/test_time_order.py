"""History never goes back in time (issue 10, 7a): a person's command at an instant before
the last recorded change of its task or instance is refused and writes nothing; the
worker's SLA checks, which run at their own due instants, still run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import insert, select

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ConflictError
from oaflow.domain.states import Action
from oaflow.services import exceptions, runtime, timers
from oaflow.services.app import App
from oaflow.storage.database import Database
from oaflow.storage.migrate import alembic_config, upgrade
from oaflow.storage.tables import definitions, history, instances

from .driver import COMPLAINT, Driver, instance_view, who

HOUR = timedelta(hours=1)


def dump(app: App) -> list[object]:
    with app.db.read() as conn:
        rows = conn.execute(select(history).order_by(history.c.id)).all()
        state = conn.execute(select(instances)).all()
    return [*rows, *state]


def test_a_completion_before_the_task_was_created_is_refused(
    demo_app: App, clock: FixedClock
) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.staff", COMPLAINT)
    clock.advance(2 * HOUR)
    d.approve("csd.head", "triage")  # the handling task is created now
    handle = d.task("prd.head", "handle")
    clock.advance(-HOUR)
    before = dump(demo_app)
    with pytest.raises(ConflictError, match=f"task {handle} was last changed at") as refused:
        d.do(handle, Action.ACK, "prd.head")
    assert "2024-03-01 11:00:00" in refused.value.text("zh")
    assert "+08:00" not in refused.value.text("zh")
    assert dump(demo_app) == before
    clock.advance(HOUR)  # at the instant of the last change it is fine
    d.complete("prd.head", "handle", cause="包装", solution="补发")


def test_a_command_before_the_instances_last_change_is_refused(
    demo_app: App, clock: FixedClock
) -> None:
    """The triage task did not change, but its instance did (a comment): approving it
    earlier than that comment would put the approval before it in the history."""
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.staff", COMPLAINT)
    triage = d.task("csd.head", "triage")
    clock.advance(2 * HOUR)
    runtime.annotate(demo_app, who(demo_app, "csd.staff"), triage, Action.COMMENT, note="请尽快")
    clock.advance(-HOUR)
    before = dump(demo_app)
    for refused in (
        lambda: d.approve("csd.head", "triage"),
        lambda: runtime.annotate(demo_app, who(demo_app, "csd.staff"), triage, Action.URGE),
        lambda: runtime.withdraw(demo_app, who(demo_app, "csd.staff"), key),
        lambda: exceptions.open_exception(
            demo_app, who(demo_app, "csd.staff"), key, "triage", "客户催促"
        ),
    ):
        with pytest.raises(ConflictError, match="was last changed at"):
            refused()
    assert dump(demo_app) == before


def test_the_workers_checks_at_their_due_instants_still_run(
    demo_app: App, clock: FixedClock
) -> None:
    """The handling task's acknowledgement reminder is due 24 h after dispatch; a person
    commented later than that before the worker got to it: the check runs at its due
    instant all the same, and the instance's last change stays where it was."""
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.staff", COMPLAINT)
    d.approve("csd.head", "triage")
    handle = d.task("prd.head", "handle")
    clock.advance(30 * HOUR)
    runtime.annotate(demo_app, who(demo_app, "prd.head"), handle, Action.COMMENT, note="在查")
    assert timers.fire_due(demo_app, clock.now() - 6 * HOUR) == 1
    kinds = [e["kind"] for e in instance_view(demo_app, key)["timeline"]]
    assert "sla_ack_reminder" in kinds
    with demo_app.db.read() as conn:
        changed = conn.execute(select(instances.c.changed_at)).scalar_one()
    assert changed == clock.now()
    d.complete("prd.head", "handle", cause="包装", solution="补发")


def test_the_migration_gives_existing_instances_their_last_change(db_url: str) -> None:
    """An instance stored before 0011 gets the time of its last history entry."""
    db = Database(db_url)
    try:
        with db.engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0010")
        with db.engine.begin() as conn:
            conn.execute(insert(definitions).values(DEFINITION))
            conn.execute(insert(instances).values(INSTANCE))
            conn.execute(insert(history), [event(1, T0), event(2, T0 + 3 * HOUR)])
        upgrade(db)
        with db.engine.connect() as conn:
            assert conn.execute(select(instances.c.changed_at)).scalar_one() == T0 + 3 * HOUR
    finally:
        db.dispose()


T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
DEFINITION = {
    "id": 1,
    "key": "p",
    "version": 1,
    "label": "p",
    "name_zh": "流程",
    "source": "",
    "published_at": T0,
}
INSTANCE = {
    "id": 1,
    "business_key": "P1",
    "definition_id": 1,
    "definition_key": "p",
    "state": "running",
    "title": "t",
    "initiator": "a",
    "department": "d",
    "priority": "normal",
    "data": {},
    "tokens": {},
    "started_at": T0,
    "version": 1,
    "event_seq": 2,
}


def event(seq: int, at: datetime) -> dict[str, object]:
    return {"instance_id": 1, "seq": seq, "at": at, "kind": "x", "data": {}}
