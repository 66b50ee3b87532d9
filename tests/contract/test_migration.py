"""VER-4 on both databases: running instances of version 1 checked against version 2 (a dry
run changes nothing), the safe one migrated whole and the others left as they were, and the
migrated instance run to its end on version 2."""

from __future__ import annotations

from typing import Any

import pytest

from migration_scenario import KEY, Instances, act, prepare
from oaflow.domain.errors import ForbiddenError, InputError, NotFoundError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.services import audit, authz, migration
from oaflow.services.app import App
from oaflow.services.migration import Outcome
from oaflow.storage import runtime_reads
from oaflow.storage.database import Database

from .driver import instance_view

MAP = {"review": "head_review"}


def rows(db: Database) -> dict[str, list[Any]]:
    """The runtime tables as they are (to show a dry run or a refusal changed nothing)."""
    from sqlalchemy import select

    from oaflow.storage.tables import exceptions, history, instances, tasks

    with db.read() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(t.c.id))]
            for t in (instances, tasks, history, exceptions)
        }


def codes(outcome: migration.InstanceOutcome) -> list[str]:
    return [p.code for p in outcome.problems]


@pytest.fixture
def scenario(demo_app: App) -> Instances:
    return prepare(demo_app)


def by_key(report: migration.MigrationReport) -> dict[str, migration.InstanceOutcome]:
    return {o.business_key: o for o in report.instances}


def test_a_dry_run_lists_every_outcome_and_changes_nothing(
    demo_app: App, scenario: Instances
) -> None:
    admin = authz.principal(demo_app, "admin")
    before = rows(demo_app.db)
    report = migration.migrate(demo_app, admin, KEY, "1", "2", MAP, dry_run=True)
    assert rows(demo_app.db) == before
    found = by_key(report)
    assert found[scenario.at_review].outcome is Outcome.WOULD_MIGRATE
    assert found[scenario.at_review].moves == (("review", "head_review"),)
    assert codes(found[scenario.at_receive]) == [
        "migration.task_lands_nowhere",
        "migration.form_problem",
    ]
    assert "receive" in found[scenario.at_receive].problems[0].text("en")
    assert codes(found[scenario.at_sign]) == ["migration.form_problem"]
    assert "supplier" in found[scenario.at_sign].problems[0].text("en")
    assert (report.source.version, report.target.version, report.dry_run) == (1, 2, True)


def test_apply_migrates_the_safe_instance_and_leaves_the_others(
    demo_app: App, scenario: Instances
) -> None:
    admin = authz.principal(demo_app, "admin")
    untouched = [scenario.at_receive, scenario.at_sign]
    before = {k: instance_view(demo_app, k) for k in untouched}
    report = migration.migrate(demo_app, admin, KEY, "V1.0", "2", MAP)
    found = by_key(report)
    assert [found[k].outcome for k in (scenario.at_review, *untouched)] == [
        Outcome.MIGRATED,
        Outcome.REFUSED,
        Outcome.REFUSED,
    ]
    assert {k: instance_view(demo_app, k) for k in untouched} == before
    migrated = instance_view(demo_app, scenario.at_review)
    (entry,) = [e for e in migrated["timeline"] if e["kind"] == "migrated"]
    assert entry["actor"] == "admin"
    with demo_app.db.read() as conn:
        instance = runtime_reads.find_instance(conn, demo_app.sensitive, scenario.at_review)
        assert instance is not None
        tasks = runtime_reads.instance_tasks(conn, demo_app.sensitive, instance.id or 0)
    assert [t.node_id for t in tasks if t.is_open] == ["head_review"]
    assert "head_review" in instance.tokens.visits and "review" not in instance.tokens.visits
    logged = [e for e in audit.entries(demo_app, SYSTEM) if e.action == "process.migrate"]
    assert [e.target for e in logged] == [f"instance:{scenario.at_review}"]
    again = migration.migrate(demo_app, admin, KEY, "1", "2", MAP)
    assert scenario.at_review not in by_key(again)  # it runs version 2 now


def test_a_migrated_instance_runs_to_its_end_on_the_new_version(
    demo_app: App, scenario: Instances
) -> None:
    admin = authz.principal(demo_app, "admin")
    migration.migrate(demo_app, admin, KEY, "1", "2", MAP)
    act(demo_app, "mkt.head", scenario.at_review, "head_review", Action.APPROVE)
    act(demo_app, "gm", scenario.at_review, "sign", Action.APPROVE)  # no receive on v2
    view = instance_view(demo_app, scenario.at_review)
    assert view["state"] == "completed"
    assert [e["kind"] for e in view["timeline"]][-1] == "instance_completed"
    verified = audit.verify(demo_app, SYSTEM)
    assert verified.intact, verified.findings  # the history's hash chain holds


def test_a_mapping_naming_an_unknown_node_does_nothing(demo_app: App, scenario: Instances) -> None:
    admin = authz.principal(demo_app, "admin")
    before = rows(demo_app.db)
    with pytest.raises(InputError) as refused:
        migration.migrate(demo_app, admin, KEY, "1", "2", {"reveiw": "head_review", "x": "y"})
    assert refused.value.code == "migration.bad_map"
    text = refused.value.text("en")
    assert "`reveiw`" in text and "`x`" in text and "`y`" in text
    assert rows(demo_app.db) == before
    with pytest.raises(InputError, match="no version `7`"):
        migration.migrate(demo_app, admin, KEY, "1", "7", MAP)
    with pytest.raises(NotFoundError):
        migration.migrate(demo_app, admin, "no-such-process", "1", "2", MAP)


def test_only_administrators_migrate(demo_app: App, scenario: Instances) -> None:
    with pytest.raises(ForbiddenError):
        migration.migrate(demo_app, authz.principal(demo_app, "mkt.head"), KEY, "1", "2", MAP)


SYNC_V1 = """
key: sync-order
name: {zh: 同步单, en: Sync order}
business_key: "SO{yyyy}{seq:03}"
form:
  - {name: amount, type: number, required: true}
  - {name: phone, type: string, label: {zh: 电话, en: Phone}}
nodes:
  - {id: apply, type: initiate, name: {zh: 提交, en: Apply}, next: sync}
  - {id: sync, type: service, name: {zh: 同步财务, en: Sync}, service: finance.sync_budget,
     send: [amount], next: check}
  - {id: check, type: approval, name: {zh: 审批, en: Check}, assignee: {user: mkt.head},
     time_limit: {hours: 24}, next: done}
  - {id: done, type: end, name: {zh: 结束, en: Done}}
"""
#: `sync` renamed `sync_finance`, `phone` now sensitive
SYNC_V2 = (
    SYNC_V1.replace("id: sync,", "id: sync_finance,")
    .replace("next: sync}", "next: sync_finance}")
    .replace("label: {zh: 电话, en: Phone}}", "label: {zh: 电话, en: Phone}, sensitive: true}")
)


def test_an_instance_waiting_for_another_system_moves_with_its_call(demo_app: App) -> None:
    """The call's node follows the mapping; the answer resumes the instance on version 2;
    a field sensitive only in version 2 is sealed when it moves (SEC-3)."""
    from sqlalchemy import select
    from tests.finance_server import SECRET, finance_server

    from oaflow.services import catalog, runtime, service_admin, timers
    from oaflow.storage.crypto import is_sealed
    from oaflow.storage.tables import instances, service_calls

    admin = authz.principal(demo_app, "admin")
    catalog.publish(demo_app, SYSTEM, SYNC_V1, "sync-v1.yaml")
    staff = authz.principal(demo_app, "mkt.staff")
    form = {"title": "同步", "amount": 5, "phone": "13800000000"}
    key = runtime.start(demo_app, staff, "sync-order", form).business_key
    catalog.publish(demo_app, SYSTEM, SYNC_V2, "sync-v2.yaml")
    to_approval = migration.migrate(demo_app, admin, "sync-order", "1", "2", {"sync": "check"})
    assert codes(to_approval.instances[0]) == ["migration.call_not_a_service"]
    unmapped = migration.migrate(demo_app, admin, "sync-order", "1", "2", {}, dry_run=True)
    assert codes(unmapped.instances[0]) == ["migration.call_lands_nowhere"]
    done = migration.migrate(demo_app, admin, "sync-order", "1", "2", {"sync": "sync_finance"})
    assert done.instances[0].outcome is Outcome.MIGRATED
    with demo_app.db.read() as conn:
        (call,) = conn.execute(select(service_calls)).mappings().all()
        data = conn.execute(select(instances.c.data).where(instances.c.business_key == key))
        stored = data.scalar_one()
    assert (call["node_id"], call["state"]) == ("sync_finance", "pending")
    assert is_sealed(stored["phone"]) and not is_sealed(stored["amount"])
    with finance_server(["ok"]) as finance:
        service_admin.set_endpoint(demo_app, admin, "finance.sync_budget", finance.url, SECRET, 5)
        assert timers.fire_due(demo_app, demo_app.now()) == 1
    view = instance_view(demo_app, key)
    assert [r["node_id"] for r in view["progress"] if r["is_open"]] == ["check"]
    phone = [f["value"] for f in view["form"] if f["name"] == "phone"]
    assert phone == ["13800000000"]  # sealed for version 2, read back on it
    act(demo_app, "mkt.head", key, "check", Action.APPROVE)
    assert instance_view(demo_app, key)["state"] == "completed"
