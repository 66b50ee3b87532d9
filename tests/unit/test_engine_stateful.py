"""A hypothesis state machine over the runtime services on a real SQLite file.

Random starts of the built-in processes, acknowledgements, progress reports, completions
(sometimes with outputs missing), approvals, rejections, suspensions, acts by the wrong
person, clock steps and restarts (a new App with fresh caches on the same file); and the
actions around a task (APR-2): transfers, returns to earlier steps, withdrawals, urges,
copies, comments and batch approvals (APR-4), by the right people and by others. After
every step the invariants of tests/unit/engine_model.py must hold; a command that fails
must fail with the error the reference predicts and change no row at all.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select, update

from oaflow.domain.clock import FixedClock
from oaflow.domain.definition import FormField, Node, ProcessDefinition
from oaflow.domain.errors import (
    InputError,
    NotFoundError,
    OAFlowError,
)
from oaflow.domain.holidays_cn import china_calendar
from oaflow.domain.security import SYSTEM, Principal
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.present.json_view import jsonable
from oaflow.services import authz, messages, queries, runtime, service_calls, setup, timers
from oaflow.services.app import App
from oaflow.storage import org_repo
from oaflow.storage.database import Database
from oaflow.storage.tables import users as users_table

from .engine_model import (
    OPEN,
    Row,
    Tables,
    add_signer_error,
    cc_error,
    check_all,
    comment_error,
    expected_error,
    expected_state,
    return_error,
    returnable,
    transfer_error,
    urge_error,
    waits_for_signer,
    withdraw_error,
)

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
INACTIVE = "itd.staff"  # deactivated in the template: no transfers to them
PEOPLE = (*LOGINS, INACTIVE, "ghost")  # transfer targets and copy recipients
NOTES = st.sampled_from(["催一下", "已安排质检复核", "", "  "])
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
        with app.db.write() as conn:  # someone who left: transfers to them are refused
            conn.execute(
                update(users_table).where(users_table.c.login == INACTIVE).values(active=False)
            )
            org_repo.bump_revision(conn)
        app.db.dispose()  # the last connection checkpoints the WAL into the file
        return path.read_bytes()


def value_for(field: FormField, draw: Any) -> Any:
    if field.type == "number":
        return draw(AMOUNTS)
    if field.type == "integer":
        return draw(st.integers(1, 5))
    return draw(WORDS)


def who(app: App, login: str) -> Principal:
    return authz.principal(app, login)


def as_view(app: App, view: Any) -> Any:
    """A typed view as the CLI's --json gives it."""
    return jsonable(view, "zh", app.calendar.tz)


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.workdir = tempfile.TemporaryDirectory(prefix="oaflow-stateful-")
        path = Path(self.workdir.name) / "oaflow.db"
        path.write_bytes(demo_database())  # a fresh database per example
        self.url = f"sqlite:///{path}"
        self.clock = FixedClock(T0)
        self.app = self.open_app()
        with self.app.db.read() as conn:
            self.users = {r.login: r.active for r in conn.execute(select(users_table))}
        assert self.users[INACTIVE] is False and "ghost" not in self.users
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
            started = runtime.start(self.app, who(self.app, STARTERS[process]), process, form)
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
    def fire_due_checks(self) -> None:
        """What the worker does: handle the SLA checks due by now, a batch per transaction
        (a batch of 2, so that several checks share one transaction)."""
        handled = timers.fire_tasks(self.app, self.clock.now(), limit=2)
        event(f"sla checks fired in one batch: {handled}")

    @rule()
    def make_a_due_service_call(self) -> None:
        """What the worker does: one due call of a service node (the demo's finance system
        answers in the process)."""
        made = service_calls.fire_one(self.app, self.clock.now())
        event("service call made" if made else "no service call due")

    @rule()
    def restart(self) -> None:
        """A new process on the same file: no cached definitions or organisation survive."""
        self.app.db.dispose()
        self.app = self.open_app()

    @precondition(lambda self: bool(self.t.tasks))
    @rule(data=st.data(), by=st.integers(0, 3), to=st.integers(0, 5))
    def transfer(self, data: st.DataObject, by: int, to: int) -> None:
        """转交: the owner hands a task over, sometimes to themselves, to someone who left or
        to nobody known; or someone else tries."""
        task, instance = self.pick_task(data)
        actor = data.draw(st.sampled_from(LOGINS), label="actor") if by == 0 else owner(task)
        target = {0: actor, 1: INACTIVE, 2: "ghost"}.get(to) or data.draw(
            st.sampled_from(LOGINS[:-1]), label="to"
        )
        running = instance["state"] == "running"
        expected = self.scoped(
            transfer_error(task, running, actor, target, self.users), task, actor
        )
        note = data.draw(WORDS)
        outcome = self.attempt(
            "transfer",
            expected,
            lambda: runtime.annotate(
                self.app, who(self.app, actor), task["id"], Action.TRANSFER, (target,), note
            ),
        )
        if outcome:
            after = outcome.tasks[task["id"]]
            assert (after["assignee"], after["candidates"]) == (target, []), after
            assert after["state"] == "pending" and after["acked_at"] is None, after
            last = outcome.history[instance["id"]][-1]
            assert (last["kind"], last["data"]["after"]) == ("task_transferred", target), last

    @precondition(lambda self: bool(self.t.tasks))
    @rule(data=st.data(), by=st.integers(0, 4), listed=st.integers(0, 3))
    def return_task(self, data: st.DataObject, by: int, listed: int) -> None:
        """退回: back to an earlier step that was reached, or to one that is not allowed."""
        task, instance = self.pick_task(data)
        definition = self.definition(instance["definition_id"])
        allowed = returnable(definition, instance, task["node_id"])
        detail = as_view(self.app, queries.task_detail(self.app, SYSTEM, task["id"]))
        shown = [r["node_id"] for r in detail["returnable"]]
        assert shown == (allowed if task["state"] in OPEN else []), (task, shown, allowed)
        if allowed and listed > 0:
            target = data.draw(st.sampled_from(allowed), label="target")
        else:
            target = data.draw(st.sampled_from([*definition.nodes, "nowhere"]), label="target")
        actor = data.draw(st.sampled_from(LOGINS), label="actor") if by == 0 else owner(task)
        running = instance["state"] == "running"
        expected = self.scoped(
            return_error(task, running, actor, target, allowed, actor != "nobody"), task, actor
        )
        command = Command(Action.RETURN, actor, note=data.draw(WORDS), target=target)
        outcome = self.attempt(
            "return",
            expected,
            lambda: runtime.act(self.app, who(self.app, command.actor), task["id"], command),
        )
        if outcome:
            assert outcome.tasks[task["id"]]["state"] == "returned"
            kinds = [e["kind"] for e in outcome.history[instance["id"]]]
            assert "task_returned" in kinds[len(self.t.history[instance["id"]]) :]

    @precondition(lambda self: bool(self.t.instances))
    @rule(data=st.data(), by=st.integers(0, 2))
    def withdraw(self, data: st.DataObject, by: int) -> None:
        """撤回: by the initiator while nobody else acted, by others, of ended instances."""
        iid = data.draw(st.sampled_from([*sorted(self.t.instances), 0]), label="instance")
        instance = self.t.instances.get(iid)
        key = instance["business_key"] if instance else "NOPE-1"
        if by > 0 and instance:
            actor = instance["initiator"]
        else:
            actor = data.draw(st.sampled_from(LOGINS), label="actor")
        expected = withdraw_error(instance, actor, self.t.history.get(iid, []))
        if actor == "nobody" or (instance is not None and not self.sees(instance, actor)):
            expected = NotFoundError  # nobody known, or outside their scope
        done = [
            (e["kind"], e["actor"], e["task_id"])
            for e in self.t.history.get(iid, [])
            if e["actor"] not in (None, actor)
        ]
        outcome = self.attempt(
            f"withdraw by {actor} after {done}",
            expected,
            lambda: runtime.withdraw(self.app, who(self.app, actor), key),
        )
        if outcome:
            assert outcome.instances[iid]["state"] == "cancelled"

    @precondition(lambda self: bool(self.open_ids))
    @rule(data=st.data(), by=st.integers(0, 3), pick=st.integers(0, 5), after=st.booleans())
    def add_signer(self, data: st.DataObject, by: int, pick: int, after: bool) -> None:
        """加签: the approver adds a colleague before or after themself; sometimes themself,
        someone who left, nobody known, or someone else tries."""
        task_id = data.draw(st.sampled_from(self.open_ids), label="task")
        task, node = self.task_and_node(task_id)
        instance = self.t.instances[task["instance_id"]]
        actor = data.draw(st.sampled_from(LOGINS), label="actor") if by == 0 else owner(task)
        signer = {0: actor, 1: INACTIVE, 2: "ghost"}.get(pick) or data.draw(
            st.sampled_from(LOGINS[:-1]), label="signer"
        )
        expected = self.scoped(
            add_signer_error(task, node, instance, actor, signer, self.users), task, actor
        )
        position = "after" if after else "before"
        outcome = self.attempt(
            f"add {position} signer",
            expected,
            lambda: runtime.annotate(
                self.app, who(self.app, actor), task["id"], Action.ADD_SIGNER, (signer,), position
            ),
        )
        if outcome:
            events = outcome.history[instance["id"]][len(self.t.history[instance["id"]]) :]
            assert events[0]["kind"] == "signer_added", events
            assert (events[0]["data"]["signer"], events[0]["data"]["position"]) == (
                signer,
                position,
            )

    @precondition(lambda self: bool(self.t.tasks))
    @rule(data=st.data(), by=st.integers(0, 3))
    def urge(self, data: st.DataObject, by: int) -> None:
        """催办: the initiator, at most once an hour per task; others may not."""
        task, instance = self.pick_task(data)
        if by > 0:
            actor = instance["initiator"]
        else:
            actor = data.draw(st.sampled_from(LOGINS), label="actor")
        history = self.t.history[instance["id"]]
        expected = self.scoped(
            urge_error(task, instance, actor, actor != "nobody", history, self.clock.now()),
            task,
            actor,
        )
        note = data.draw(NOTES)
        outcome = self.attempt(
            "urge",
            expected,
            lambda: runtime.annotate(
                self.app, who(self.app, actor), task["id"], Action.URGE, (), note
            ),
        )
        if outcome:
            new = outcome.everything["outbox"][len(self.t.everything["outbox"]) :]
            assert [(m["event"], m["task_id"]) for m in new] == [("urge", task["id"])], new

    @precondition(lambda self: bool(self.t.tasks))
    @rule(data=st.data(), by=st.integers(0, 2))
    def copy(self, data: st.DataObject, by: int) -> None:
        """抄送: to some people (maybe none, maybe someone unknown)."""
        task, instance = self.pick_task(data)
        actor = self.participant(data, task, instance, by)
        people = tuple(data.draw(st.lists(st.sampled_from(PEOPLE), max_size=3), label="to"))
        expected = self.scoped(cc_error(task, instance, actor, people, self.users), task, actor)
        note = data.draw(WORDS)
        self.attempt(
            "cc",
            expected,
            lambda: runtime.annotate(
                self.app, who(self.app, actor), task["id"], Action.CC, people, note
            ),
        )

    @precondition(lambda self: bool(self.t.tasks))
    @rule(data=st.data(), by=st.integers(0, 2))
    def comment(self, data: st.DataObject, by: int) -> None:
        """评论: by those who take part, also on closed tasks; never empty."""
        task, instance = self.pick_task(data)
        actor = self.participant(data, task, instance, by)
        note = data.draw(NOTES)
        expected = self.scoped(
            comment_error(task, instance, actor, note, actor != "nobody"), task, actor
        )
        self.attempt(
            "comment",
            expected,
            lambda: runtime.annotate(
                self.app, who(self.app, actor), task["id"], Action.COMMENT, (), note
            ),
        )

    @precondition(lambda self: bool(self.open_ids))
    @rule(data=st.data(), stranger=st.integers(0, 3))
    def approve_batch(self, data: st.DataObject, stranger: int) -> None:
        """批量审批: a random subset of a user's tasks, with some that are not theirs (at most
        one per instance, so that the items do not depend on each other)."""
        first = self.t.tasks[data.draw(st.sampled_from(self.open_ids), label="task")]
        actor = owner(first)
        if stranger == 0:
            actor = data.draw(st.sampled_from(LOGINS), label="actor")
        mine = [i for i in self.open_ids if may_act_row(self.t.tasks[i], actor)]
        pool = [*mine, *mine, *self.t.tasks, 10**6]
        picked = data.draw(st.lists(st.sampled_from(pool), max_size=5, unique=True), label="ids")
        ids: list[int] = []
        for tid in picked:
            iid = self.t.tasks[tid]["instance_id"] if tid in self.t.tasks else None
            if iid is None or all(self.t.tasks.get(o, {}).get("instance_id") != iid for o in ids):
                ids.append(tid)
        expected = [self.approve_error(tid, actor) for tid in ids]
        for error in expected:
            event(f"batch approve: {error.__name__ if error else 'done'}")
        refused = not ids or any(e is not None for e in expected)
        outcome = self.attempt(
            "batch approve",
            # nobody known; else the whole batch is checked before anything is approved
            NotFoundError if actor == "nobody" else InputError if refused else None,
            lambda: runtime.approve_batch(self.app, who(self.app, actor), ids, note="同意"),
        )
        if outcome:
            for tid in ids:
                assert outcome.tasks[tid]["state"] == "approved", (tid, outcome.tasks[tid])

    def approve_error(self, task_id: int, actor: str) -> type[OAFlowError] | None:
        if task_id not in self.t.tasks:
            return NotFoundError
        task, node = self.task_and_node(task_id)
        instance = self.t.instances[task["instance_id"]]
        running = instance["state"] == "running"
        known = actor != "nobody"
        waiting = waits_for_signer(instance, task)
        return self.scoped(
            expected_error(task, node, running, Action.APPROVE, actor, None, False, known, waiting),
            task,
            actor,
        )

    # -- scope (SEC-2) -----------------------------------------------------------------------
    def scoped(
        self, expected: type[OAFlowError] | None, task: Row, actor: str
    ) -> type[OAFlowError] | None:
        """A person who is no party to the task and does not see its instance is answered as
        if it did not exist, before anything else is checked."""
        instance = self.t.instances[task["instance_id"]]
        party = may_act_row(task, actor) or actor in (instance["initiator"], task["on_behalf_of"])
        if actor == "nobody" or party or self.sees(instance, actor):
            return expected
        return NotFoundError

    def sees(self, instance: Row, login: str) -> bool:
        """The model of the scope rule: a party to the instance (initiator, a task's people,
        a message's recipient), or the head or leader of a department it touched."""
        who_ = who(self.app, login)
        if who_.sees_all or login == instance["initiator"]:
            return True
        tasks = [t for t in self.t.tasks.values() if t["instance_id"] == instance["id"]]
        if any(login in (t["assignee"], t["on_behalf_of"], *t["candidates"]) for t in tasks):
            return True
        told = self.t.everything["outbox"]
        if any(m["instance_id"] == instance["id"] and login in m["recipients"] for m in told):
            return True
        touched = {instance["department"], *(t["department"] for t in tasks)}
        return bool(touched & (who_.headed | who_.supervised))

    @rule(minutes=st.integers(1, 90))
    def advance_clock_a_little(self, minutes: int) -> None:
        """Steps of less than an hour, for the urge rate limit."""
        self.clock.advance(timedelta(minutes=minutes))

    def pick_task(self, data: st.DataObject) -> tuple[Row, Row]:
        """Mostly an open task, sometimes a closed one; with its instance."""
        pool = self.open_ids * 3 + self.closed_ids
        task = self.t.tasks[data.draw(st.sampled_from(pool), label="task")]
        return task, self.t.instances[task["instance_id"]]

    def participant(self, data: st.DataObject, task: Row, instance: Row, by: int) -> str:
        if by == 0:
            return str(data.draw(st.sampled_from(LOGINS), label="actor"))
        return instance["initiator"] if by == 1 else str(task["finished_by"] or owner(task))

    def attempt(self, what: str, expected: type[OAFlowError] | None, call: Any) -> Tables | None:
        """Run ``call``; it must fail with ``expected`` and change nothing, or succeed (then
        the tables after it are returned)."""
        event(f"{what}: {expected.__name__ if expected else 'done'}")
        try:
            call()
        except OAFlowError as exc:
            assert type(exc) is expected, f"{what}: {exc!r}, not {expected}"
            assert self.tables() == self.t, f"the failed {what} changed rows"
            return None
        assert expected is None, f"{what} should fail with {expected.__name__}"
        return self.tables()

    # -- acting ------------------------------------------------------------------------------
    def task_and_node(self, task_id: int) -> tuple[Row, Node]:
        task = self.t.tasks[task_id]
        instance = self.t.instances[task["instance_id"]]
        if task["state"] in OPEN:  # the owner finds it in their task list
            listed = {
                r["id"]
                for r in as_view(self.app, queries.tasks_for(self.app, who(self.app, owner(task))))
            }
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
        waiting = waits_for_signer(instance, task)
        expected = self.scoped(
            expected_error(task, node, running, action, actor, progress, missing, known, waiting),
            task,
            actor,
        )
        event(f"{action.value}: {expected.__name__ if expected else 'done'}")
        try:
            runtime.act(self.app, who(self.app, command.actor), task["id"], command)
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
        detail = as_view(self.app, queries.task_detail(self.app, SYSTEM, task["id"]))
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


def may_act_row(task: Row, login: str) -> bool:
    return login == task["assignee"] or (task["assignee"] is None and login in task["candidates"])


def owner(task: Row) -> str:
    return str(task["assignee"] or task["candidates"][0])


#: examples per suite run; a long search is `OAFLOW_ENGINE_EXAMPLES=2000 pytest` on this file
#: (bench/README.md): the suite keeps to its 15 minutes on two cores
EXAMPLES = int(os.environ.get("OAFLOW_ENGINE_EXAMPLES", "25"))

EngineMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
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
        runtime.start(app, who(app, "fin.head"), "annual-budget", form)
        amounts = {"budget_amount": 1_200_000, "last_year_amount": 1_100_000, "budget_items": "x"}
        act_as(app, "rnd.head", "dept_budgets", Action.COMPLETE, outputs=amounts)
        act_as(app, "vp.admin", "leader_approval", Action.APPROVE)
        act_as(app, "gm", "gm_approval", Action.REJECT, note="超出预期")
        assert [
            t["node_id"] for t in as_view(app, queries.tasks_for(app, who(app, "fin.head")))
        ] == ["fin_revise"]
    finally:
        app.db.dispose()


def act_as(app: App, login: str, node: str, action: Action, **kw: Any) -> None:
    task_id = next(
        t["id"]
        for t in as_view(app, queries.tasks_for(app, who(app, login)))
        if t["node_id"] == node
    )
    runtime.act(app, who(app, login), task_id, Command(action, login, **kw))


def test_a_second_copy_in_the_same_instant_reaches_its_people(tmp_path: Path) -> None:
    """Two copies of one task at the same instant share the outbox message id
    ``{key}/{task}/cc/{now}``: the second message is dropped (insert_messages leaves an
    existing id as it is), though history records task_copied to its people."""
    app = demo_app(tmp_path)
    try:
        runtime.start(app, who(app, "csd.head"), "customer-complaint", COMPLAINT)
        (task,) = as_view(app, queries.tasks_for(app, who(app, "csd.staff"))) or as_view(
            app, queries.tasks_for(app, who(app, "csd.head"))
        )
        runtime.annotate(app, who(app, "csd.head"), task["id"], Action.CC, ("gm",), "一")
        runtime.annotate(app, who(app, "csd.head"), task["id"], Action.CC, ("vp.ops",), "二")
        sent = [
            m["recipients"]
            for m in as_view(app, messages.outbox(app, SYSTEM))
            if m["event"] == "cc"
        ]
        assert sorted(sent) == [["gm"], ["vp.ops"]], sent
    finally:
        app.db.dispose()


def test_acknowledged_then_transferred_instance_cannot_be_withdrawn(tmp_path: Path) -> None:
    """Withdraw reads acked_at to see whether someone acted; a transfer resets it, so an
    instance whose task was acknowledged by its assignee and then transferred is withdrawn."""
    app = demo_app(tmp_path)
    try:
        started = runtime.start(app, who(app, "fin.head"), "annual-budget", BUDGET)
        (task,) = as_view(app, queries.tasks_for(app, who(app, "rnd.head")))
        runtime.act(app, who(app, "rnd.head"), task["id"], Command(Action.ACK, "rnd.head"))
        runtime.annotate(app, who(app, "rnd.head"), task["id"], Action.TRANSFER, ("rnd.staff",))
        with pytest.raises(InputError):
            runtime.withdraw(app, who(app, "fin.head"), started.business_key)
    finally:
        app.db.dispose()


COMPLAINT = {"title": "破损", "customer": "某公司", "complaint_type": "quality", "description": "x"}
BUDGET = {"title": "预算", "fiscal_year": 2025, "departments": ["rnd"], "total_cap": 9e6}


def demo_app(tmp_path: Path) -> App:
    path = tmp_path / "oaflow.db"
    path.write_bytes(demo_database())
    return App(db=Database(f"sqlite:///{path}"), clock=FixedClock(T0), calendar=CALENDAR)
