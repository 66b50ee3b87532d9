"""The reference for tests/unit/test_engine_stateful.py: what a command on a task should do,
and the invariants of the runtime tables that must hold after every step.

Everything here reads rows; nothing calls the engine, so a bug there cannot hide itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from oaflow.domain.definition import Node, NodeType, ProcessDefinition
from oaflow.domain.errors import (
    ForbiddenError,
    InputError,
    InvalidTransitionError,
    MissingOutputsError,
    NotFoundError,
    OAFlowError,
)
from oaflow.domain.states import TRANSITIONS, Action, TaskState
from oaflow.storage.tables import metadata

Row = dict[str, Any]
Definitions = Callable[[int], ProcessDefinition]

OPEN = frozenset({"pending", "acknowledged", "in_progress", "suspended"})
CLOSING = {
    "task_done": "done",
    "task_approved": "approved",
    "task_rejected": "rejected",
    "task_cancelled": "cancelled",
}
ENDING = frozenset({"instance_completed", "instance_rejected", "instance_cancelled"})
_TASK_ENTRY = frozenset({"task_created"})
#: the history event that shows a node was entered
ENTRY_KINDS: dict[NodeType, frozenset[str]] = {
    **{t: _TASK_ENTRY for t in (NodeType.APPROVAL, NodeType.CONFIRM, NodeType.HANDLE)},
    **{t: _TASK_ENTRY for t in (NodeType.FEEDBACK, NodeType.MILESTONE)},
    NodeType.MULTI_INSTANCE: frozenset({"task_created", "node_skipped"}),
    NodeType.EXCLUSIVE: frozenset({"routed"}),
    NodeType.PARALLEL: frozenset({"forked"}),
    NodeType.JOIN: frozenset({"joined"}),
    NodeType.INITIATE: frozenset({"initiated"}),
    NodeType.SERVICE: frozenset({"service_not_supported"}),
    NodeType.NOTIFY: frozenset({"copied"}),
    NodeType.ARCHIVE: frozenset({"archived"}),
    NodeType.END: frozenset({"instance_completed"}),
}
#: events after which the flow leaves the node along ``next``
LEAVING = frozenset({"initiated", "service_not_supported", "copied", "archived", "forked"})
LEAVING_TOO = frozenset({"joined", "node_skipped"})


# -- the expected outcome of one command ---------------------------------------------------
def may_act(task: Row, login: str) -> bool:
    assignee = task["assignee"]
    return login == assignee or (assignee is None and login in task["candidates"])


def expected_error(
    task: Row,
    node: Node,
    instance_running: bool,
    action: Action,
    actor: str,
    progress: int | None,
    outputs_missing: bool,
    actor_known: bool = True,
) -> type[OAFlowError] | None:
    """The error the command must fail with, in the order RUN-3/RUN-4 name them; None: success."""
    if not actor_known:  # the service looks the actor up before the engine sees the command
        return NotFoundError
    if not may_act(task, actor):
        return ForbiddenError
    if not instance_running:
        return InputError
    if (TaskState(task["state"]), action) not in TRANSITIONS:
        return InvalidTransitionError
    if action in (Action.APPROVE, Action.REJECT) and not node.is_decision:
        return InputError
    if action is Action.COMPLETE and node.is_decision:
        return InputError
    if action is Action.PROGRESS and (progress is None or not 0 <= progress <= 100):
        return InputError
    if action is Action.COMPLETE and outputs_missing:
        return MissingOutputsError
    return None


def expected_state(task: Row, action: Action) -> str:
    if action is Action.RESUME:
        if task["progress"] > 0:
            return "in_progress"
        return "acknowledged" if task["acked_at"] is not None else "pending"
    return TRANSITIONS[(TaskState(task["state"]), action)].value


# -- reading the tables ----------------------------------------------------------------------
#: set up by `oaflow init`, never written by running processes
REFERENCE_TABLES = frozenset({"calendar_days", "definitions", "departments", "users"})


def rows(conn: Connection, table: Any, *order: Any) -> list[Row]:
    return [dict(r._mapping) for r in conn.execute(select(table).order_by(*order))]


@dataclass
class Tables:
    """Every row of every table but the reference data, read in one transaction (equal
    tables: nothing changed), with the runtime tables also by id."""

    everything: dict[str, list[Row]]
    instances: dict[int, Row]
    tasks: dict[int, Row]
    history: dict[int, list[Row]]  # instance id -> events in seq order

    @classmethod
    def read(cls, conn: Connection) -> Tables:
        everything = {
            table.name: rows(conn, table, *table.primary_key.columns)
            for table in metadata.sorted_tables
            if table.name not in REFERENCE_TABLES
        }
        events: dict[int, list[Row]] = defaultdict(list)
        for event in sorted(everything["history"], key=lambda e: (e["instance_id"], e["seq"])):
            events[event["instance_id"]].append(event)
        return cls(
            everything,
            {r["id"]: r for r in everything["instances"]},
            {r["id"]: r for r in everything["tasks"]},
            dict(events),
        )


# -- invariants ------------------------------------------------------------------------------
def check_all(t: Tables, definitions: Definitions, before: Tables) -> None:
    """Every invariant. ``before`` holds the tables as of the previous step: the events added
    since (at most one transaction's) get the successor checks."""
    check_history_is_gapless(t)
    check_tasks_finish_once(t)
    check_open_tasks_run(t)
    check_instance_ends(t)
    for iid, events in t.history.items():
        known = before.history.get(iid, [])
        assert events[: len(known)] == known, f"instance {iid}: history was rewritten"
        new = events[len(known) :]
        if new:
            check_step(t, definitions(t.instances[iid]["definition_id"]), iid, new)


def check_history_is_gapless(t: Tables) -> None:
    assert set(t.history) == set(t.instances), "an instance without history, or the reverse"
    for iid, events in t.history.items():
        seqs = [e["seq"] for e in events]
        assert seqs == list(range(1, len(seqs) + 1)), f"instance {iid}: seqs {seqs}"
        assert t.instances[iid]["event_seq"] == seqs[-1], f"instance {iid}: event_seq is stale"
        assert events[0]["kind"] == "instance_started", f"instance {iid} starts with {events[0]}"


def check_tasks_finish_once(t: Tables) -> None:
    created: dict[int, int] = defaultdict(int)
    closed: dict[int, list[str]] = defaultdict(list)
    for events in t.history.values():
        for e in events:
            if e["kind"] == "task_created":
                created[e["task_id"]] += 1
            elif e["kind"] in CLOSING:
                closed[e["task_id"]].append(CLOSING[e["kind"]])
    assert set(created) == set(t.tasks), "a task without its task_created event, or the reverse"
    for tid, task in t.tasks.items():
        assert created[tid] == 1, f"task {tid} was created {created[tid]} times"
        ends = closed.get(tid, [])
        if task["state"] in OPEN:
            assert not ends and task["finished_at"] is None, f"open task {tid} finished: {ends}"
        else:
            assert ends == [task["state"]], f"task {tid} ({task['state']}) was closed by {ends}"
            assert task["finished_at"] is not None, f"closed task {tid} has no finished_at"


def check_open_tasks_run(t: Tables) -> None:
    open_per_instance: dict[int, int] = defaultdict(int)
    for task in t.tasks.values():
        if task["state"] in OPEN:
            state = t.instances[task["instance_id"]]["state"]
            assert state == "running", f"open task {task['id']} in a {state} instance"
            open_per_instance[task["instance_id"]] += 1
    for iid, inst in t.instances.items():
        if inst["state"] == "running":  # in these processes every wait is a task
            assert open_per_instance[iid] > 0, f"running instance {iid} has no open task: stuck"


def check_instance_ends(t: Tables) -> None:
    for iid, inst in t.instances.items():
        kinds = [e["kind"] for e in t.history[iid]]
        endings = [k for k in kinds if k in ENDING]
        if inst["state"] == "running":
            assert not endings and inst["ended_at"] is None, f"running instance {iid} ended"
        else:
            assert endings == [f"instance_{inst['state']}"], f"instance {iid}: {endings}"
            assert kinds[-1] == endings[0], f"instance {iid} has events after its end"
            assert inst["ended_at"] is not None, f"instance {iid} has no ended_at"


# -- one transaction's events: every finished node is followed by its successors -----------
def check_step(t: Tables, definition: ProcessDefinition, iid: int, new: list[Row]) -> None:
    joins = t.instances[iid]["tokens"].get("joins", {})
    for i, event in enumerate(new):
        after = new[i + 1 :]
        for target, came_from in follow_ups(t, definition, event):
            assert entered(definition.node(target), came_from, after, joins), (
                f"instance {iid}: after {brief(event)} node '{target}' was not entered; "
                f"the step wrote {[brief(e) for e in new]}"
            )
        if rejection_decided(t, definition, event):
            check_rejection(definition, iid, event, after)
        if event["kind"] == "task_cancelled":
            assert any(e["kind"] in ENDING | {"returned_to"} for e in new), (
                f"instance {iid}: task {event['task_id']} cancelled without a reason"
            )
        check_has_cause(t, definition, iid, event, new[:i])
        if event["kind"] == "joined":
            check_join_is_complete(t, definition, iid, event)


def follow_ups(t: Tables, definition: ProcessDefinition, event: Row) -> list[tuple[str, str]]:
    """(node to be entered next, node it is entered from) owed by ``event``."""
    kind, node_id = event["kind"], event["node_id"]
    if kind == "instance_started":
        return [(definition.start.id, "")]
    if kind == "routed":
        return [(event["data"]["to"], node_id)]
    if kind == "returned_to":
        return [(event["data"]["target"], "")]
    if kind in LEAVING or kind in LEAVING_TOO:
        return [(n, node_id) for n in definition.node(node_id).next]
    if kind in ("task_done", "task_approved"):
        node = definition.node(node_id)
        if node.type is NodeType.MULTI_INSTANCE:
            decided = round_outcome(t, event)
            if decided != "passed":
                return []
        return [(n, node_id) for n in node.next]
    return []


def round_outcome(t: Tables, event: Row) -> str:
    """For a finished task of a multi-instance node: 'waiting' when it is not the last of its
    round to finish, else 'passed' or 'rejected'."""
    task = t.tasks[event["task_id"]]
    closed_at = {
        e["task_id"]: e["seq"] for e in t.history[task["instance_id"]] if e["kind"] in CLOSING
    }
    same_round = [
        r
        for r in t.tasks.values()
        if (r["instance_id"], r["node_id"], r["round"])
        == (task["instance_id"], task["node_id"], task["round"])
    ]
    if any(r["state"] in OPEN or closed_at[r["id"]] > event["seq"] for r in same_round):
        return "waiting"
    return "rejected" if any(r["state"] == "rejected" for r in same_round) else "passed"


def rejection_decided(t: Tables, definition: ProcessDefinition, event: Row) -> bool:
    """A rejected task, or the last task of a multi-instance round in which one was rejected."""
    if event["kind"] not in ("task_done", "task_approved", "task_rejected"):
        return False
    if definition.node(event["node_id"]).type is not NodeType.MULTI_INSTANCE:
        return event["kind"] == "task_rejected"
    return round_outcome(t, event) == "rejected"


def check_rejection(definition: ProcessDefinition, iid: int, event: Row, after: list[Row]) -> None:
    node = definition.node(event["node_id"])
    if node.on_reject == "end":
        ok = any(e["kind"] == "instance_rejected" for e in after)
    else:
        ok = any(
            e["kind"] == "returned_to"
            and e["node_id"] == node.id
            and e["data"].get("target") == node.on_reject
            for e in after
        )
    assert ok, (
        f"instance {iid}: {brief(event)} was not followed by its on_reject ({node.on_reject})"
    )


def entered(node: Node, came_from: str, after: list[Row], joins: Mapping[str, list[str]]) -> bool:
    if any(e["kind"] in ENTRY_KINDS[node.type] and e["node_id"] == node.id for e in after):
        return True
    return node.type is NodeType.JOIN and came_from in joins.get(node.id, [])  # waits there


def check_has_cause(
    t: Tables, definition: ProcessDefinition, iid: int, event: Row, before: list[Row]
) -> None:
    """Nothing comes from nowhere: an entry event follows an event that owes it."""
    node_id = event["node_id"]
    if node_id is None or event["kind"] not in ENTRY_KINDS[definition.node(node_id).type]:
        return
    owed = {target for e in before for target, _ in follow_ups(t, definition, e)}
    assert node_id in owed, (
        f"instance {iid}: {brief(event)} has no cause in {[brief(e) for e in before]}"
    )


def check_join_is_complete(t: Tables, definition: ProcessDefinition, iid: int, joined: Row) -> None:
    """A join fires only when every incoming branch arrived since it last fired."""
    events = t.history[iid]
    node_id = joined["node_id"]
    earlier = [e["seq"] for e in events[: joined["seq"] - 1] if e["kind"] == "joined"]
    last = max((s for s in earlier if events[s - 1]["node_id"] == node_id), default=0)
    arrived = {
        came_from
        for e in events[last : joined["seq"] - 1]
        for target, came_from in follow_ups(t, definition, e)
        if target == node_id
    }
    expected = {n.id for n in definition.nodes.values() if node_id in n.next}
    assert arrived >= expected, f"instance {iid}: {brief(joined)} before {expected - arrived}"


def brief(event: Row) -> str:
    task = f" task {event['task_id']}" if event["task_id"] else ""
    return f"#{event['seq']} {event['kind']}({event['node_id']}{task})"
