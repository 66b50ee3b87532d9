"""A hypothesis state machine over the runtime services on a real SQLite file.

Random starts of the built-in processes, acknowledgements, progress reports, completions
(sometimes with outputs missing), approvals, rejections, suspensions, acts by the wrong
person, clock steps and restarts (a new App with fresh caches on the same file). After
every step the invariants of tests/unit/engine_model.py must hold; a command that fails
must fail with the error the reference predicts and change no row at all.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from oaflow.domain.clock import FixedClock
from oaflow.domain.definition import FormField, Node, ProcessDefinition
from oaflow.domain.errors import OAFlowError
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import queries, runtime, setup, timers
from oaflow.services.app import App
from oaflow.storage.database import Database

from .engine_model import OPEN, Row, Tables, check_all, expected_error, expected_state

CALENDAR = china_calendar()  # slow to build: once per module
T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # Friday 09:00 in Shanghai
LOGINS = (
    "gm",
    "vp.market",
    "vp.tech",
    "vp.ops",
    "vp.admin",
    "mkt.head",
    "mkt.staff",
    "rnd.head",
    "prd.head",
    "sal.head",
    "leg.head",
    "csd.head",
    "csd.staff",
    "log.head",
    "svc.head",
    "fin.head",
    "fin.staff",
    "nobody",
)
ACTIONS = (
    Action.ACK,
    Action.PROGRESS,
    Action.COMPLETE,
    Action.APPROVE,
    Action.REJECT,
    Action.SUSPEND,
    Action.RESUME,
)
WORDS = st.sampled_from(["研发方案初稿已完成", "包装破损", "ok", "x", "第二版"])
AMOUNTS = st.one_of(
    st.integers(0, 2_000_000), st.sampled_from([999_999, 1_000_000, 1_000_001, 1_500_000])
)


def form_of(process: str, draw: Any) -> dict[str, Any]:
    title = draw(WORDS)
    if process == "customer-complaint":
        kind = draw(st.sampled_from(["quality", "logistics", "service"]))
        return {"title": title, "customer": "某公司", "complaint_type": kind, "description": "破损"}
    if process == "annual-budget":
        return {
            "title": title,
            "fiscal_year": 2025,
            "departments": draw(
                st.lists(
                    st.sampled_from(["mkt", "rnd", "prd", "sal"]),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            ),
            "total_cap": draw(st.sampled_from([800_000, 3_000_000, 10_000_000])),
            "growth_threshold": draw(st.sampled_from([None, 0.1, 0.5])),
        }
    collab = st.lists(st.sampled_from(["rnd", "prd", "sal", "leg"]), max_size=3, unique=True)
    return {"title": title, "collaborating_departments": draw(collab)}


STARTERS = {
    "customer-complaint": "csd.head",
    "annual-budget": "fin.head",
    "new-product-launch": "mkt.head",
}


@cache
def demo_database() -> bytes:
    """The demo organisation and the built-in processes, set up once and copied per example."""
    with tempfile.TemporaryDirectory(prefix="oaflow-template-") as folder:
        path = Path(folder) / "template.db"
        app = App(db=Database(f"sqlite:///{path}"), clock=FixedClock(T0), calendar=CALENDAR)
        setup.init(app, demo=True)
        app.db.dispose()  # the last connection checkpoints the WAL into the file
        return path.read_bytes()


def value_for(field: FormField, draw: Any) -> Any:
    if field.type == "number":
        return draw(AMOUNTS)
    if field.type == "integer":
        return draw(st.integers(1, 5))
    return draw(WORDS)


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.workdir = tempfile.TemporaryDirectory(prefix="oaflow-stateful-")
        path = Path(self.workdir.name) / "oaflow.db"
        path.write_bytes(demo_database())  # a fresh database per example
        self.url = f"sqlite:///{path}"
        self.clock = FixedClock(T0)
        self.app = self.open_app()
        self.t = self.tables()  # the tables after the last step, read by the invariant
        self.checked = self.t

    def open_app(self) -> App:
        return App(db=Database(self.url), clock=self.clock, calendar=CALENDAR)

    def teardown(self) -> None:
        for inst in self.t.instances.values():  # see --hypothesis-show-statistics
            event(f"{inst['definition_key']} {inst['state']}")
        for kind in {e["kind"] for e in self.t.everything["history"]}:
            event(f"history has {kind}")
        self.app.db.dispose()
        self.workdir.cleanup()

    # -- reading ---------------------------------------------------------------------------
    def tables(self) -> Tables:
        with self.app.db.read() as conn:
            return Tables.read(conn)

    def definition(self, definition_id: int) -> ProcessDefinition:
        with self.app.db.read() as conn:
            return self.app.definition(conn, definition_id)

    @property
    def open_ids(self) -> list[int]:
        return [i for i, task in self.t.tasks.items() if task["state"] in OPEN]

    @property
    def closed_ids(self) -> list[int]:
        return [i for i, task in self.t.tasks.items() if task["state"] not in OPEN]

    @property
    def running(self) -> int:
        return sum(i["state"] == "running" for i in self.t.instances.values())

    # -- rules -------------------------------------------------------------------------------
    @precondition(lambda self: self.running < 3)
    @rule(process=st.sampled_from(sorted(STARTERS)), data=st.data(), spoil=st.integers(0, 9))
    def start(self, process: str, data: st.DataObject, spoil: int) -> None:
        form = form_of(process, data.draw)
        if spoil == 0:  # a form without its title is refused and uses no business number
            del form["title"]
        try:
            started = runtime.start(self.app, process, STARTERS[process], form)
        except OAFlowError as exc:
            assert spoil == 0, f"a valid start of {process} failed: {exc}"
            assert self.tables() == self.t, "a refused start changed rows"
            return
        assert spoil != 0, "a start without a title succeeded"
        assert started.state.value == "running", f"{process} ended as it started: {form}"

    @precondition(lambda self: bool(self.open_ids))
    @rule(data=st.data())
    def drive_forward(self, data: st.DataObject) -> None:
        """The owner finishes an open task, nearly always correctly."""
        self.finish_as_owner(data)

    @precondition(lambda self: bool(self.open_ids))
    @rule(data=st.data())
    def drive_forward_too(self, data: st.DataObject) -> None:
        """The same again: rules are drawn evenly, and instances should get to their end."""
        self.finish_as_owner(data)

    def finish_as_owner(self, data: st.DataObject) -> None:
        task_id = data.draw(st.sampled_from(self.open_ids), label="task")
        task, node = self.task_and_node(task_id)
        natural = Action.APPROVE if node.is_decision else Action.COMPLETE
        if task["state"] == "suspended":
            natural = Action.RESUME
        receive = Action.ACK if task["state"] == "pending" else Action.PROGRESS
        others = [receive, receive, Action.SUSPEND, Action.REJECT]
        action = data.draw(st.sampled_from([natural] * 6 + others), label="action")
        self.act(data, task, node, action, owner(task), spoil=False)

    @precondition(lambda self: bool(self.open_ids))
    @rule(data=st.data(), action=st.sampled_from(ACTIONS), wrong_actor=st.integers(0, 2))
    def act_randomly(self, data: st.DataObject, action: Action, wrong_actor: int) -> None:
        """Any action on an open task, allowed or not, by its owner or by someone else."""
        task_id = data.draw(st.sampled_from(self.open_ids), label="task")
        task, node = self.task_and_node(task_id)
        actor = (
            data.draw(st.sampled_from(LOGINS), label="actor") if wrong_actor == 0 else owner(task)
        )
        self.act(data, task, node, action, actor, spoil=True)

    @precondition(lambda self: bool(self.closed_ids))
    @rule(data=st.data(), action=st.sampled_from(ACTIONS))
    def act_on_closed_task(self, data: st.DataObject, action: Action) -> None:
        task_id = data.draw(st.sampled_from(self.closed_ids), label="task")
        task, node = self.task_and_node(task_id)
        actor = task["finished_by"] or owner(task)
        self.act(data, task, node, action, actor, spoil=False)

    @rule(hours=st.integers(1, 96))
    def advance_clock(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    @rule()
    def fire_a_due_check(self) -> None:
        """What the worker does: handle one SLA check due by now (one transaction)."""
        task_id = timers.fire_one(self.app, self.clock.now())
        event("sla check fired" if task_id is not None else "no sla check due")

    @rule()
    def restart(self) -> None:
        """A new process on the same file: no cached definitions or organisation survive."""
        self.app.db.dispose()
        self.app = self.open_app()

    # -- acting ------------------------------------------------------------------------------
    def task_and_node(self, task_id: int) -> tuple[Row, Node]:
        task = self.t.tasks[task_id]
        instance = self.t.instances[task["instance_id"]]
        if task["state"] in OPEN:  # the owner finds it in their task list
            listed = {r["id"] for r in queries.tasks_for(self.app, owner(task))}
            assert task_id in listed, f"open task {task_id} is not listed for {owner(task)}"
        return task, self.definition(instance["definition_id"]).node(task["node_id"])

    def act(
        self, data: st.DataObject, task: Row, node: Node, action: Action, actor: str, spoil: bool
    ) -> None:
        percent = st.integers(0, 100)
        progress = data.draw(st.one_of(percent, percent, st.sampled_from([None, -5, 101])))
        outputs, deliverables, missing = self.outputs(
            data, task, spoil and action is Action.COMPLETE
        )
        command = Command(
            action,
            actor,
            progress=progress,
            note=data.draw(WORDS),
            outputs=outputs,
            deliverables=deliverables,
        )
        instance = self.t.instances[task["instance_id"]]
        running = instance["state"] == "running"
        known = actor != "nobody"
        expected = expected_error(task, node, running, action, actor, progress, missing, known)
        event(f"{action.value}: {expected.__name__ if expected else 'done'}")
        try:
            runtime.act(self.app, task["id"], command)
        except OAFlowError as exc:
            assert type(exc) is expected, f"{action} on {task} by {actor}: {exc!r}, not {expected}"
            assert self.tables() == self.t, f"the failed {action} changed rows"
            return
        assert expected is None, f"{action} on task {task['id']} by {actor} should fail: {expected}"
        after = self.tables().tasks[task["id"]]
        assert after["state"] == expected_state(task, action), f"{action}: {task} -> {after}"
        assert after["version"] == task["version"] + 1

    def outputs(
        self, data: st.DataObject, task: Row, spoil: bool
    ) -> tuple[dict[str, Any], dict[str, str], bool]:
        """Outputs for completing ``task``: the required ones (read as a user would), some
        optional ones, and with ``spoil`` maybe some required ones left out."""
        detail = queries.task_detail(self.app, task["id"], None)
        required = [*detail["required_fields"], *detail["required_deliverables"]]
        left_out: list[str] = []
        if spoil and required and data.draw(st.booleans(), label="leave out"):
            left_out = data.draw(st.lists(st.sampled_from(required), min_size=1, unique=True))
        fields = self.definition_of_task(task).node(task["node_id"]).outputs.fields
        outputs = {
            f.name: value_for(f, data.draw)
            for f in fields
            if f.name not in left_out and (f.required or data.draw(st.booleans()))
        }
        deliverables = {
            d: f"docs/{d}.pdf" for d in detail["required_deliverables"] if d not in left_out
        }
        return outputs, deliverables, bool(left_out)

    def definition_of_task(self, task: Row) -> ProcessDefinition:
        return self.definition(self.t.instances[task["instance_id"]]["definition_id"])

    # -- invariants --------------------------------------------------------------------------
    @invariant()
    def runtime_invariants_hold(self) -> None:
        self.t = self.tables()
        check_all(self.t, self.definition, self.checked)
        self.checked = self.t


def owner(task: Row) -> str:
    return str(task["assignee"] or task["candidates"][0])


EngineMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestEngineStateful = EngineMachine.TestCase


def test_general_manager_can_reject_a_large_budget(tmp_path: Path) -> None:
    path = tmp_path / "oaflow.db"
    path.write_bytes(demo_database())
    app = App(db=Database(f"sqlite:///{path}"), clock=FixedClock(T0), calendar=CALENDAR)
    try:
        form = {"title": "预算", "fiscal_year": 2025, "departments": ["rnd"], "total_cap": 9e6}
        runtime.start(app, "annual-budget", "fin.head", form)
        amounts = {"budget_amount": 1_200_000, "last_year_amount": 1_100_000, "budget_items": "x"}
        act_as(app, "rnd.head", "dept_budgets", Action.COMPLETE, outputs=amounts)
        act_as(app, "vp.admin", "leader_approval", Action.APPROVE)
        act_as(app, "gm", "gm_approval", Action.REJECT, note="超出预期")
        assert [t["node_id"] for t in queries.tasks_for(app, "fin.head")] == ["fin_revise"]
    finally:
        app.db.dispose()


def act_as(app: App, login: str, node: str, action: Action, **kw: Any) -> None:
    task_id = next(t["id"] for t in queries.tasks_for(app, login) if t["node_id"] == node)
    runtime.act(app, task_id, Command(action, login, **kw))
