"""The audit log's hash chains (SEC-4, docs/adr/0007) on SQLite and PostgreSQL: a run of the
complaint process verifies intact; an edited, deleted or inserted history entry or audit
entry is named by ``verify``; a refused request is recorded; appends from several
connections at once keep one unbroken chain; the migration chains history stored before it.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Executable, delete, insert, select, update

from oaflow.domain.audit_chain import Finding, canonical, chained, entry_content, event_content
from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ForbiddenError, NotFoundError
from oaflow.domain.security import Principal
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import audit, queries, runtime, setup
from oaflow.services.app import App
from oaflow.storage import audit_repo
from oaflow.storage.database import Database
from oaflow.storage.migrate import alembic_config, upgrade
from oaflow.storage.tables import audit as audit_table
from oaflow.storage.tables import history, instances

from .driver import COMPLAINT, Driver, who

KEY = "TS202403001"


def verified(app: App) -> audit.Verification:
    return audit.verify(app, who(app, "auditor"))


def findings(app: App) -> list[Finding]:
    return list(verified(app).findings)


def tamper(app: App, *statements: Executable) -> None:
    """Change the database behind OA-Flow's back, as someone with write access to it."""
    with app.db.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)


def instance_id(app: App, key: str = KEY) -> int:
    with app.db.read() as conn:
        found = conn.execute(select(instances.c.id).where(instances.c.business_key == key))
        return int(found.scalar_one())


def entry(app: App, seq: int) -> dict[str, Any]:
    """History entry ``seq`` of the complaint."""
    with app.db.read() as conn:
        row = conn.execute(
            select(history).where(history.c.instance_id == instance_id(app), history.c.seq == seq)
        ).one()
    return dict(row._mapping)


def this_entry(app: App, seq: int) -> Any:
    return (history.c.instance_id == instance_id(app)) & (history.c.seq == seq)


@pytest.fixture
def ran(demo_app: App) -> App:
    """The demo with one complaint run to its end, and the configuration changes of init."""
    Driver(demo_app).run_complaint("quality")
    return demo_app


def test_a_run_of_the_complaint_process_verifies_intact(ran: App) -> None:
    found = verified(ran)
    assert found.intact, found.findings
    assert found.instances == 1 and found.history_entries > 10
    assert found.audit_entries >= 4  # init: calendar, organisation, passwords, processes
    with ran.db.read() as conn:
        hashes = conn.execute(select(history.c.hash)).scalars().all()
    assert len(set(hashes)) == len(hashes) and all(len(h) == 64 for h in hashes)


def test_an_edited_history_entry_is_named(ran: App) -> None:
    tamper(ran, update(history).where(this_entry(ran, 5)).values(data={"note": "改过"}))
    assert findings(ran) == [Finding("history", KEY, 5, "edited")]


def test_an_edited_actor_or_time_is_named_too(ran: App) -> None:
    at = entry(ran, 3)["at"]
    tamper(
        ran,
        update(history).where(this_entry(ran, 3)).values(actor="gm"),
        update(history).where(this_entry(ran, 7)).values(at=at.replace(microsecond=1)),
    )
    assert findings(ran) == [
        Finding("history", KEY, 3, "edited"),
        Finding("history", KEY, 7, "edited"),
    ]


def last_seq(app: App) -> int:
    with app.db.read() as conn:
        return int(conn.execute(select(instances.c.event_seq)).scalar_one())


def rewritten(app: App, seq: int, **changes: Any) -> Executable:
    """Entry ``seq`` changed and given the hash its new content chains to (a forger who
    knows the rule, but leaves the rest of the chain alone)."""
    row = {**entry(app, seq), **changes}
    content = event_content(
        row["instance_id"],
        seq,
        row["at"],
        row["kind"],
        row["node_id"],
        row["task_id"],
        row["actor"],
        canonical(row["data"]),
    )
    fresh = chained(entry(app, seq - 1)["hash"], content)
    return update(history).where(this_entry(app, seq)).values(**changes, hash=fresh)


def test_a_last_entry_rewritten_with_a_fresh_hash_is_named_by_the_instance_row(
    ran: App,
) -> None:
    last = last_seq(ran)
    tamper(ran, rewritten(ran, last, actor="gm"))
    assert findings(ran) == [Finding("history", KEY, last, "edited")]


def test_a_middle_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(ran: App) -> None:
    """Without a key the chain cannot tell which of two neighbours changed: the broken
    link is named by the later one (docs/adr/0007)."""
    tamper(ran, rewritten(ran, 5, actor="gm"))
    assert findings(ran) == [Finding("history", KEY, 6, "edited")]


def test_a_deleted_history_entry_is_named(ran: App) -> None:
    tamper(ran, delete(history).where(this_entry(ran, 4)))
    assert findings(ran) == [Finding("history", KEY, 4, "deleted")]


def test_a_deleted_last_history_entry_is_named(ran: App) -> None:
    last = last_seq(ran)
    tamper(ran, delete(history).where(this_entry(ran, last)))
    assert findings(ran) == [Finding("history", KEY, last, "deleted")]


def test_an_inserted_history_entry_is_named(ran: App) -> None:
    last = last_seq(ran)
    forged = {**entry(ran, last), "seq": last + 1, "kind": "task_approved", "actor": "gm"}
    del forged["id"]
    tamper(ran, insert(history).values(forged))
    assert findings(ran) == [Finding("history", KEY, last + 1, "inserted")]


def test_an_entry_replaced_by_a_forged_one_is_named(ran: App) -> None:
    """Entry 6 deleted and a forged one written in its place (a later row id)."""
    forged = {**entry(ran, 6), "actor": "gm"}
    del forged["id"]
    tamper(ran, delete(history).where(this_entry(ran, 6)), insert(history).values(forged))
    assert findings(ran) == [
        Finding("history", KEY, 6, "inserted"),
        Finding("history", KEY, 6, "deleted"),
    ]


# -- the audit table --------------------------------------------------------------------------
def test_an_edited_audit_entry_is_named(ran: App) -> None:
    tamper(ran, update(audit_table).where(audit_table.c.seq == 2).values(actor="gm"))
    assert findings(ran) == [Finding("audit", "", 2, "edited")]


def test_an_audit_entry_rewritten_with_a_fresh_hash_is_named(ran: App) -> None:
    """Entry 2 whole in itself again, but entry 3 was chained to its old hash."""
    with ran.db.read() as conn:
        row = conn.execute(select(audit_table).where(audit_table.c.seq == 2)).one()
    content = entry_content(
        2, row.at, "gm", row.action, row.target, canonical(row.detail), row.address
    )
    fresh = chained(row.prev, content)
    tamper(ran, update(audit_table).where(audit_table.c.seq == 2).values(actor="gm", hash=fresh))
    assert findings(ran) == [Finding("audit", "", 2, "edited")]


def test_a_deleted_audit_entry_is_named(ran: App) -> None:
    tamper(ran, delete(audit_table).where(audit_table.c.seq == 3))
    assert findings(ran) == [Finding("audit", "", 3, "deleted")]


def test_a_deleted_last_audit_entry_is_named(ran: App) -> None:
    last = verified(ran).audit_entries
    tamper(ran, delete(audit_table).where(audit_table.c.seq == last))
    assert findings(ran) == [Finding("audit", "", last, "deleted")]


def test_an_inserted_audit_entry_is_named(ran: App) -> None:
    last = verified(ran).audit_entries
    with ran.db.read() as conn:
        row = dict(
            conn.execute(select(audit_table).where(audit_table.c.seq == last)).one()._mapping
        )
    forged = {**row, "seq": last + 1, "action": "access.grant", "prev": row["hash"]}
    tamper(ran, insert(audit_table).values(forged))
    assert findings(ran) == [Finding("audit", "", last + 1, "inserted")]


# -- refused requests -------------------------------------------------------------------------
def refused(app: App, who: Principal, call: Any) -> None:
    """Run ``call`` as an adapter does: a refusal goes to the log, and on to the caller."""
    with pytest.raises((NotFoundError, ForbiddenError)), audit.denials_recorded(app, who):
        call()


def last_entry(app: App) -> audit.AuditEntry:
    return audit.entries(app, who(app, "auditor"), limit=1)[0]


def test_reading_an_instance_outside_ones_scope_is_recorded(ran: App) -> None:
    outsider = replace(who(ran, "log.head"), address="10.0.0.7")
    refused(ran, outsider, lambda: queries.instance_detail(ran, outsider, KEY))
    found = last_entry(ran)
    assert (found.actor, found.action, found.target) == (
        "log.head",
        "access.denied",
        f"instance:{KEY}",
    )
    assert found.detail == {"permission": "view", "code": "instance.not_found"}
    assert found.address == "10.0.0.7" and found.at == ran.now()
    assert verified(ran).intact


def test_acting_on_a_task_outside_ones_scope_or_without_the_permission_is_recorded(
    demo_app: App,
) -> None:
    d = Driver(demo_app)
    d.start("customer-complaint", "csd.head", COMPLAINT)
    task = d.task("csd.head", "triage")
    outsider = who(demo_app, "log.head")
    refused(
        demo_app,
        outsider,
        lambda: runtime.act(demo_app, outsider, task, Command(Action.APPROVE, "log.head")),
    )
    found = last_entry(demo_app)
    assert (found.actor, found.target, found.detail["permission"]) == (
        "log.head",
        f"task:{task}",
        "handle",
    )
    staff = who(demo_app, "csd.staff")
    refused(demo_app, staff, lambda: audit.entries(demo_app, staff))
    found = last_entry(demo_app)
    assert (found.actor, found.target, found.detail) == (
        "csd.staff",
        "system",
        {"permission": "audit", "code": "access.denied"},
    )


def test_an_error_that_refuses_nothing_is_not_recorded(ran: App) -> None:
    before = verified(ran).audit_entries
    nobody = who(ran, "sal.head")
    with pytest.raises(NotFoundError), audit.denials_recorded(ran, nobody):
        queries.instance_detail(ran, who(ran, "auditor"), "TS209912999")  # really missing
    assert verified(ran).audit_entries == before


# -- concurrency and migration ----------------------------------------------------------------
def test_appends_from_many_connections_at_once_keep_one_chain(demo_app: App) -> None:
    apps = [App(Database(demo_app.db.url), demo_app.clock, demo_app.calendar) for _ in range(4)]
    before = verified(demo_app).audit_entries
    barrier = threading.Barrier(len(apps))
    errors: list[BaseException] = []

    def append(app: App, n: int) -> None:
        barrier.wait()
        try:
            for i in range(25):
                with app.db.write() as conn:
                    audit.record(app, conn, "admin", "test.append", f"thread:{n}", i=i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(a, n)) for n, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for app in apps:
        app.db.dispose()
    assert errors == []
    found = verified(demo_app)
    assert found.intact, found.findings
    assert found.audit_entries == before + 100


def test_verifying_while_people_work_finds_nothing_broken(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verification reads in many statements (pages of two rows here) while complaints run
    and configuration changes: it sees one moment throughout, so a chain that grows
    meanwhile is never half seen (an "inserted" or "deleted" entry that is not)."""
    monkeypatch.setattr(audit_repo, "PAGE", 2)
    worker = App(Database(demo_app.db.url), demo_app.clock, demo_app.calendar)
    done = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for i in range(4):
                Driver(worker).run_complaint("quality")
                with worker.db.write() as conn:
                    audit.record(worker, conn, "admin", "test.append", f"round:{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=work)
    thread.start()
    checks = 0
    while not done.is_set() or checks == 0:
        found = verified(demo_app)
        assert found.intact, found.findings
        checks += 1
    thread.join(60)
    worker.db.dispose()
    assert errors == []
    assert verified(demo_app).instances == 4
    print(f"\n{checks} verifications while 4 complaints ran")


def test_the_migration_chains_the_history_stored_before_it(db_url: str) -> None:
    """Instances run before 0014 get their chains, and verify finds them intact."""
    db = Database(db_url)
    app = App(db, FixedClock(datetime(2024, 3, 1, 1, 0, tzinfo=UTC)))
    try:
        setup.init(app, demo=True)
        Driver(app).run_complaint("quality")
        with db.engine.begin() as conn:
            conn.execute(update(history).values(hash=""))
            conn.execute(update(instances).values(last_hash=""))
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0013")
        upgrade(db)
        found = verified(app)
        assert found.intact and found.history_entries > 10, found.findings
    finally:
        db.dispose()
