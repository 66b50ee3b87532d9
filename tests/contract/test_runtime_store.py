"""The runtime store's plain SQL and the SQLAlchemy reads agree on every column."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from oaflow.domain.model import (
    AddedSigner,
    Event,
    InstanceRecord,
    Message,
    TaskRecord,
    Tokens,
)
from oaflow.domain.states import InstanceState, TaskState
from oaflow.services.app import App
from oaflow.storage import catalog_repo
from oaflow.storage import runtime_reads as repo
from oaflow.storage.runtime_store import RuntimeStore
from oaflow.storage.tables import inbox, instances, outbox

AT = datetime(2024, 3, 18, 10, 0, 0, 123456, tzinfo=UTC)


def an_instance(app: App) -> InstanceRecord:
    with app.db.read() as conn:
        stored = catalog_repo.get_definition(conn, "new-product-launch")
    assert stored is not None
    return InstanceRecord(
        business_key="PROJ20240301",
        definition_id=stored.id,
        definition_key="new-product-launch",
        state=InstanceState.RUNNING,
        title="新产品A上市推进",
        initiator="mkt.head",
        department="mkt",
        priority="high",
        started_at=AT,
        data={"goal": "缩短上市周期30%", "amount": 1.5, "list": [1, "二"]},
        tokens=Tokens(visits={"n003": 2}),
        ended_at=None,
    )


def stored_instance(app: App) -> InstanceRecord:
    instance = an_instance(app)
    with app.db.write() as conn:
        RuntimeStore.on(conn, app.sensitive).insert_instance(instance)
    return instance


def a_task(instance: InstanceRecord, **fields: Any) -> TaskRecord:
    """A pending task of ``instance`` at node n003 (round 1 unless given)."""
    values: dict[str, Any] = {"round": 1, **fields}
    return TaskRecord(
        instance_id=instance.id or 0,
        node_id="n003",
        state=TaskState.PENDING,
        created_at=AT,
        **values,
    )


def test_every_column_round_trips_between_the_two_paths(demo_app: App) -> None:
    instance = stored_instance(demo_app)
    task = a_task(
        instance,
        round=2,
        department="rnd",
        assignee=None,
        candidates=("rnd.head", "rnd.staff"),
        due_at=AT + timedelta(hours=72),
        progress=0,
        note="",
        outputs={"plan_summary": "方案", "deliverables": {"研发方案": "plan.pdf"}},
    )
    with demo_app.db.raw_write() as dbapi:
        store = RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive)
        store.insert_task(task)
        store.insert_events(
            instance, [Event("task_created", "n003", task, "mkt.head", {"x": "中"})], AT
        )
    with demo_app.db.read() as conn:
        assert repo.load_task(conn, demo_app.sensitive, task.id or 0) == task
        assert repo.history_of(conn, instance.id or 0)[0]["data"] == {"x": "中"}
    task.state, task.assignee, task.progress, task.note = (
        TaskState.DONE,
        "rnd.head",
        100,
        "客户需求临时变更",
    )
    task.acked_at, task.finished_at, task.finished_by = AT, AT + timedelta(days=1), "rnd.head"
    instance.state, instance.ended_at, instance.event_seq = InstanceState.COMPLETED, AT, 1
    instance.data["cause"] = "变更"
    with demo_app.db.raw_write() as dbapi:
        store = RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive)
        assert store.update_task(task)
        assert not store.update_task(task)  # the version moved: a second writer loses
        assert store.update_instance(instance, expected_version=1)
        loaded = store.load_action(task.id or 0)
    task.version += 1
    instance.version = 2
    with demo_app.db.read() as conn:
        assert repo.load_instance(conn, demo_app.sensitive, instance.id or 0) == instance
        assert repo.load_task(conn, demo_app.sensitive, task.id or 0) == task
    assert loaded is not None
    assert loaded[0] == [task] and loaded[1] == instance and loaded[2] >= 1


def test_a_failed_raw_transaction_leaves_nothing(demo_app: App) -> None:
    instance = stored_instance(demo_app)
    task = a_task(instance)
    try:
        with demo_app.db.raw_write() as dbapi:
            RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive).insert_task(task)
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with demo_app.db.read() as conn:
        assert repo.instance_tasks(conn, demo_app.sensitive, instance.id or 0) == []


class NotingCursor:
    """A driver cursor that notes the statements run through it."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.statements: list[str] = []

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        self.statements.append(sql)
        return self.cursor.execute(sql, parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


def test_an_update_writes_only_the_columns_that_changed_since_the_read(demo_app: App) -> None:
    """An unchanged indexed column (the instance's state) is not written again: it would
    cost its index pages at commit. A row not read in the transaction is written whole."""
    instance = stored_instance(demo_app)
    task = a_task(instance)
    with demo_app.db.raw_write() as dbapi:
        RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive).insert_task(task)
    with demo_app.db.raw_write() as dbapi:
        store = RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive)
        noted = store.cursor = NotingCursor(store.cursor)
        loaded = store.load_action(task.id or 0)
        assert loaded is not None
        (read_task,), read_instance, _ = loaded
        read_task.state, read_task.progress = TaskState.IN_PROGRESS, 50
        read_instance.tokens.visits["n003"] = 3
        read_instance.event_seq = 1
        assert store.update_task(read_task)
        assert store.update_instance(read_instance, expected_version=1)
        assert store.update_instance(read_instance, expected_version=2)  # nothing but seq
    task_update, first, second = noted.statements[1:]
    assert "state =" in task_update and "progress =" in task_update
    assert "note =" not in task_update and "outputs =" not in task_update
    assert "tokens =" in first and "event_seq =" in first
    assert "state =" not in first and "data =" not in first
    assert "tokens =" not in second
    with demo_app.db.read() as conn:
        stored = repo.load_instance(conn, demo_app.sensitive, instance.id or 0)
        assert stored is not None and stored.tokens == Tokens(visits={"n003": 3})
        assert stored.version == 3 and stored.state is InstanceState.RUNNING
        stored_task = repo.load_task(conn, demo_app.sensitive, task.id or 0)
        assert stored_task is not None and stored_task.progress == 50
    task.state, task.version = TaskState.DONE, 2  # a row not read here: every column
    with demo_app.db.raw_write() as dbapi:
        store = RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive)
        noted = store.cursor = NotingCursor(store.cursor)
        assert store.update_task(task)
    assert all(f"{c} =" in noted.statements[0] for c in ("state", "note", "outputs"))


def every_token() -> Tokens:
    return Tokens(
        visits={"n003": 2, "n004": 1},
        joins={"join": ["n005"]},
        sequence={"n006": ["vp.tech", "vp.ops"]},
        added_signers={
            "n003": [AddedSigner("rnd.staff", "before", 7), AddedSigner("gm", "after", None)]
        },
        last_approver="vp.market",
        urged={7: AT},
    )


#: the same tokens as JSON, in the shape instances have always been stored with
EVERY_TOKEN_JSON = {
    "visits": {"n003": 2, "n004": 1},
    "joins": {"join": ["n005"]},
    "sequence": {"n006": ["vp.tech", "vp.ops"]},
    "added_signers": {
        "n003": [
            {"login": "rnd.staff", "kind": "before", "for": 7},
            {"login": "gm", "kind": "after", "for": -1},
        ]
    },
    "last_approver": "vp.market",
    "urged": {"7": AT.isoformat()},
}


def stored_tokens(app: App, instance_id: int) -> Any:
    with app.db.read() as conn:
        return conn.execute(
            select(instances.c.tokens).where(instances.c.id == instance_id)
        ).scalar_one()


def test_tokens_are_stored_in_the_shape_they_always_had(demo_app: App) -> None:
    instance = an_instance(demo_app)
    instance.tokens = every_token()
    with demo_app.db.write() as conn:
        RuntimeStore.on(conn, demo_app.sensitive).insert_instance(instance)
    assert stored_tokens(demo_app, instance.id or 0) == EVERY_TOKEN_JSON
    with demo_app.db.read() as conn:
        assert repo.load_instance(conn, demo_app.sensitive, instance.id or 0) == instance
    instance.tokens.last_approver = None  # parts that are empty are left out
    instance.tokens.urged.clear()
    with demo_app.db.raw_write() as dbapi:
        assert RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive).update_instance(
            instance, 1
        )
    expected = {k: v for k, v in EVERY_TOKEN_JSON.items() if k not in ("last_approver", "urged")}
    assert stored_tokens(demo_app, instance.id or 0) == expected


def test_tokens_written_before_they_were_typed_are_read(demo_app: App) -> None:
    instance = stored_instance(demo_app)
    with demo_app.db.write() as conn:
        conn.execute(
            update(instances)
            .where(instances.c.id == instance.id)
            .values(tokens={**EVERY_TOKEN_JSON, "joins": {"join": []}})
        )
    task = a_task(instance)
    with demo_app.db.raw_write() as dbapi:
        RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive).insert_task(task)
    with demo_app.db.raw_write() as dbapi:
        loaded = RuntimeStore(dbapi, demo_app.db.dialect, demo_app.sensitive).load_action(
            task.id or 0
        )
    assert loaded is not None
    assert loaded[1].tokens == replace(every_token(), joins={"join": []})


def test_a_message_gets_one_copy_per_recipient_and_a_repeated_one_none(demo_app: App) -> None:
    """An outbox message with its in-app copies (one statement on PostgreSQL, two on
    SQLite): each recipient once, and a message whose id is already there adds nothing."""
    first = Message("probe/1", "reminder", ("csd.head", "prd.head", "csd.head"))
    again = Message("probe/1", "reminder", ("gm",))
    nobody = Message("probe/2", "reminder", ())

    def put(*messages: Message) -> int:
        with demo_app.db.write() as conn:
            return RuntimeStore.on(conn, demo_app.sensitive).insert_messages(None, messages, AT)

    assert put(first, nobody) == 2
    assert put(again, nobody) == 0
    with demo_app.db.read() as conn:
        copies = conn.execute(
            select(inbox.c.message_id, inbox.c.login)
            .where(inbox.c.message_id.in_(["probe/1", "probe/2"]))
            .order_by(inbox.c.login)
        ).all()
        kept = conn.execute(
            select(outbox.c.recipients).where(outbox.c.message_id == "probe/1")
        ).scalar_one()
    assert [tuple(c) for c in copies] == [("probe/1", "csd.head"), ("probe/1", "prd.head")]
    assert kept == ["csd.head", "prd.head", "csd.head"]  # the first one's, as it came
