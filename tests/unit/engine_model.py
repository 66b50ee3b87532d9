"""The reference for tests/unit/test_engine_stateful.py: what a command on a task should do,
and the invariants of the runtime tables that must hold after every step.

Everything here reads rows; nothing calls the engine, so a bug there cannot hide itself.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
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
    "task_returned": "returned",
}
ENDING = frozenset({"instance_completed", "instance_rejected", "instance_cancelled"})
#: annotations that may still be written on the tasks of an ended instance
AFTER_END = frozenset({"task_commented", "task_copied"})
#: what someone does to a task (as opposed to commenting on it, copying or urging it)
ACTING = frozenset(
    {
        "task_acknowledged",
        "task_progress",
        "task_done",
        "task_approved",
        "task_rejected",
        "task_returned",
        "task_suspended",
        "task_resumed",
        "task_transferred",
        "signer_added",
    }
)
URGE_INTERVAL = timedelta(hours=1)
_TASK_ENTRY = frozenset({"task_created"})
#: the history event that shows a node was entered
ENTRY_KINDS: dict[NodeType, frozenset[str]] = {
    **{t: _TASK_ENTRY for t in (NodeType.APPROVAL, NodeType.CONFIRM, NodeType.HANDLE)},
    **{t: _TASK_ENTRY for t in (NodeType.FEEDBACK, NodeType.MILESTONE)},
    NodeType.MULTI_INSTANCE: frozenset({"task_created", "node_skipped"}),
    NodeType.EXCLUSIVE: frozenset({"routed"}),
    NodeType.PARALLEL: frozenset({"forked"}),
    NodeType.JOIN: frozenset({"joined"}),
    NodeType.INITIATE: frozenset({"initiated", "task_created"}),  # again: the initiator revises
    NodeType.SERVICE: frozenset({"service_call_opened", "ledger_updated"}),
    NodeType.NOTIFY: frozenset({"copied"}),
    NodeType.ARCHIVE: frozenset({"archived"}),
    NodeType.END: frozenset({"instance_completed"}),
}
#: events after which the flow leaves the node along ``next``
LEAVING = frozenset(
    {"initiated", "ledger_updated", "service_called", "service_skipped", "copied", "archived"}
    | {"forked"}
)
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
    waiting: bool = False,
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
    if waiting and action in (Action.APPROVE, Action.REJECT):  # 前加签: the signer goes first
        return InputError
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


# -- the expected outcome of the other commands (APR-2, 撤回) ------------------------------------
def transfer_error(
    task: Row, instance_running: bool, actor: str, target: str, users: Mapping[str, bool]
) -> type[OAFlowError] | None:
    """``users``: every login of the organisation -> whether it is active."""
    if actor not in users:
        return NotFoundError
    if not may_act(task, actor):
        return ForbiddenError
    if not instance_running:
        return InputError
    if not users.get(target, False) or target == actor:
        return InputError
    if (TaskState(task["state"]), Action.TRANSFER) not in TRANSITIONS:
        return InvalidTransitionError
    return None


def waits_for_signer(instance: Row, task: Row) -> bool:
    """Whether ``task`` waits for a signer added before its approver (前加签)."""
    added = instance["tokens"].get("added_signers", {}).get(task["node_id"], [])
    return any(e["for"] == task["id"] and e["kind"] == "before" for e in added)


def add_signer_error(
    task: Row, node: Node, instance: Row, actor: str, signer: str, users: Mapping[str, bool]
) -> type[OAFlowError] | None:
    """加签: the approver of an open single-approver approval step adds an active colleague
    who does not sign the step yet."""
    if actor not in users:
        return NotFoundError
    if not node.is_decision or node.mode:
        return InputError
    if not may_act(task, actor) or task["state"] not in OPEN:
        return ForbiddenError
    added = instance["tokens"].get("added_signers", {}).get(task["node_id"], [])
    if not users.get(signer, False) or signer == actor or any(e["login"] == signer for e in added):
        return InputError
    return None


def return_error(
    task: Row, instance_running: bool, actor: str, target: str, allowed: list[str], known: bool
) -> type[OAFlowError] | None:
    if not known:
        return NotFoundError
    if not may_act(task, actor):
        return ForbiddenError
    if not instance_running:
        return InputError
    if (TaskState(task["state"]), Action.RETURN) not in TRANSITIONS:
        return InvalidTransitionError
    return None if target in allowed else InputError


def returnable(definition: ProcessDefinition, instance: Row, node_id: str) -> list[str]:
    """The earlier task nodes that were reached, in definition order."""
    visits = instance["tokens"].get("visits", {})
    before = {n for n in definition.nodes if n != node_id and node_id in reachable(definition, n)}
    return [
        n
        for n, node in definition.nodes.items()
        if n in before and node.is_task and visits.get(n, 0) > 0
    ]


def reachable(definition: ProcessDefinition, node_id: str) -> set[str]:
    """Every node reachable from ``node_id``, itself included."""
    seen, stack = {node_id}, [node_id]
    while stack:
        for nxt in definition.successors(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def takes_part(task: Row, instance: Row, login: str) -> bool:
    return (
        may_act(task, login)
        or login in (task["finished_by"], instance["initiator"])
        or login in task["candidates"]
    )


def comment_error(
    task: Row, instance: Row, actor: str, note: str, known: bool
) -> type[OAFlowError] | None:
    if not known:
        return NotFoundError
    if not note.strip():
        return InputError
    return None if takes_part(task, instance, actor) else ForbiddenError


def cc_error(
    task: Row, instance: Row, actor: str, people: tuple[str, ...], users: Mapping[str, bool]
) -> type[OAFlowError] | None:
    if actor not in users:
        return NotFoundError
    if not takes_part(task, instance, actor):
        return ForbiddenError
    if not people or any(p not in users for p in people):
        return InputError
    return None


def urge_error(
    task: Row, instance: Row, actor: str, known: bool, history: list[Row], now: datetime
) -> type[OAFlowError] | None:
    if not known:
        return NotFoundError
    if actor != instance["initiator"]:
        return ForbiddenError
    if task["state"] not in OPEN:
        return InputError
    urged = [e["at"] for e in history if e["kind"] == "task_urged" and e["task_id"] == task["id"]]
    if urged and now < max(urged) + URGE_INTERVAL:
        return InputError
    return None


def withdraw_error(
    instance: Row | None, actor: str, history: list[Row]
) -> type[OAFlowError] | None:
    """Only the initiator, only a running instance, only while nobody else has acted on it:
    no acknowledgement, progress, decision, return, transfer, suspension or added signer by
    anyone but the initiator in its history."""
    if instance is None:
        return NotFoundError
    if actor != instance["initiator"]:
        return ForbiddenError
    if instance["state"] != "running":
        return InputError
    if any(e["kind"] in ACTING and e["actor"] not in (None, actor) for e in history):
        return InputError
    return None


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
    check_withdrawn(t)
    check_transfers(t)
    check_urges(t)
    check_outbox(t)
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
    calling = {  # a wait that is not a task: a service node's open call (INT-2)
        c["instance_id"]
        for c in t.everything.get("service_calls", [])
        if c["state"] in ("pending", "running", "incident")
    }
    for iid in calling:  # an instance that ended cancelled its call in the same transaction
        state = t.instances[iid]["state"]
        assert state == "running", f"open service call of a {state} instance {iid}"
    for iid, inst in t.instances.items():
        if inst["state"] == "running" and iid not in calling:  # every other wait is a task
            assert open_per_instance[iid] > 0, f"running instance {iid} has no open task: stuck"


def check_instance_ends(t: Tables) -> None:
    for iid, inst in t.instances.items():
        kinds = [e["kind"] for e in t.history[iid]]
        endings = [k for k in kinds if k in ENDING]
        if inst["state"] == "running":
            assert not endings and inst["ended_at"] is None, f"running instance {iid} ended"
        else:
            assert endings == [f"instance_{inst['state']}"], f"instance {iid}: {endings}"
            after = kinds[kinds.index(endings[0]) + 1 :]
            assert set(after) <= AFTER_END, f"instance {iid} has events after its end: {after}"
            assert inst["ended_at"] is not None, f"instance {iid} has no ended_at"


def check_withdrawn(t: Tables) -> None:
    open_ones = {task["instance_id"] for task in t.tasks.values() if task["state"] in OPEN}
    for iid, events in t.history.items():
        kinds = [e["kind"] for e in events]
        if "instance_withdrawn" not in kinds:
            continue
        assert kinds.count("instance_withdrawn") == 1, f"instance {iid} withdrawn twice"
        assert t.instances[iid]["state"] == "cancelled", f"withdrawn instance {iid} not cancelled"
        assert iid not in open_ones, f"withdrawn instance {iid} has an open task"
        rest = kinds[kinds.index("instance_withdrawn") + 1 :]
        closing = [k for k in rest if k not in AFTER_END]
        assert closing[-1:] == ["instance_cancelled"], f"instance {iid}: withdrawn, then {rest}"
        assert set(closing[:-1]) <= {"task_cancelled"}, f"instance {iid}: withdrawn, then {rest}"


def check_transfers(t: Tables) -> None:
    """After a transfer the task is its ``after``'s, whatever happens to it later."""
    last: dict[int, Row] = {}
    for events in t.history.values():
        for e in events:
            if e["kind"] == "task_transferred":
                last[e["task_id"]] = e
    for tid, e in last.items():
        task = t.tasks[tid]
        assert task["assignee"] == e["data"]["after"], f"task {tid}: transferred, {task}"
        assert e["data"]["before"] != e["data"]["after"], f"task {tid}: transferred to the same"


def check_urges(t: Tables) -> None:
    urged: dict[int, list[datetime]] = defaultdict(list)
    for events in t.history.values():
        for e in events:
            if e["kind"] == "task_urged":
                urged[e["task_id"]].append(e["at"])
    for tid, times in urged.items():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(g >= URGE_INTERVAL for g in gaps), f"task {tid} urged at {times}"


def check_outbox(t: Tables) -> None:
    """Message ids are unique, and every urge and copy in the history has its own message."""
    outbox = t.everything["outbox"]
    ids = [m["message_id"] for m in outbox]
    assert len(ids) == len(set(ids)), f"duplicate message ids in {sorted(ids)}"
    sent = sorted(
        (m["task_id"], m["event"], tuple(m["recipients"]))
        for m in outbox
        if m["event"] in ("urge", "cc")
    )
    kinds = {"task_urged": "urge", "task_copied": "cc"}
    recorded = sorted(
        (e["task_id"], kinds[e["kind"]], tuple(e["data"]["to"]))
        for events in t.history.values()
        for e in events
        if e["kind"] in kinds
    )
    assert sent == recorded, f"urges and copies recorded {recorded}, but the outbox has {sent}"


# -- one transaction's events: every finished node is followed by its successors -----------
def check_step(t: Tables, definition: ProcessDefinition, iid: int, new: list[Row]) -> None:
    joins = t.instances[iid]["tokens"].get("joins", {})
    for i, event in enumerate(new):
        after = new[i + 1 :]
        if stays_for_signers(event, after):
            continue  # an added signer's step: it passes when the signers have approved
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
        if event["kind"] == "task_returned":
            check_return(definition, iid, event, after)
        if event["kind"] == "returned_to":
            check_return_cancels_downstream(definition, iid, event, new[:i])
        check_has_cause(t, definition, iid, event, new[:i])
        if event["kind"] == "joined":
            check_join_is_complete(t, definition, iid, event)


def stays_for_signers(event: Row, after: list[Row]) -> bool:
    """An approval that does not leave its step because of added signers (加签): a
    before-signer approved (``signer_done``), or an after-signer now gets the step's task."""
    if event["kind"] != "task_approved":
        return False
    same = [e for e in after if e["node_id"] == event["node_id"]]
    return any(e["kind"] == "signer_done" for e in same) or (
        bool(same) and same[0]["kind"] == "task_created"
    )


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
    if kind == "signer_added" and event["data"].get("position") == "before":
        return [(node_id, node_id)]  # the signer's own task at the same step
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


def check_return(definition: ProcessDefinition, iid: int, event: Row, after: list[Row]) -> None:
    """A returned task: ``returned_to`` its target next (after the cancellations it makes),
    then the target's entry (checked through ``follow_ups``)."""
    target = event["data"]["to"]
    rest = [e for e in after if e["kind"] != "task_cancelled"]
    ok = bool(rest) and rest[0]["kind"] == "returned_to"
    ok = ok and rest[0]["node_id"] == event["node_id"] and rest[0]["data"]["target"] == target
    assert ok, (
        f"instance {iid}: {brief(event)} to {target} was followed by {list(map(brief, after))}"
    )


def check_return_cancels_downstream(
    definition: ProcessDefinition, iid: int, event: Row, before: list[Row]
) -> None:
    """The cancellations written just before ``returned_to`` are of tasks below its target."""
    below = reachable(definition, event["data"]["target"])
    for e in reversed(before):
        if e["kind"] != "task_cancelled" or e["data"].get("reason") != "returned":
            break
        assert e["node_id"] in below, (
            f"instance {iid}: return to {event['data']['target']} cancelled {brief(e)}"
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
    # 后加签: the approver's approval hands the same step to the next added signer
    owed |= {
        e["node_id"] for e in before if e["kind"] == "task_approved" and e["node_id"] == node_id
    }
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
