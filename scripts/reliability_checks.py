"""The verifier of the reliability harness (scripts/reliability.py): what must hold in the
database and at the webhook receiver after kill -9 of API processes and workers.

It reads the database only. Each check gives a figure (how many things it looked at) and
the violations it found, each one a sentence naming the row; ``Verdict.ok`` is False when
any check has a violation.

The complaint process the harness drives runs triage -> handle -> review -> reply -> end,
one task per step (``STEPS``). What the engine writes for one completion, in one
transaction (src/oaflow/engine/runtime.py, engine/notices.py, storage/runtime_store.py):
the finished task (state approved or done, finished_at, finished_by), its history event
(task_approved / task_done), the next task and its ``task_created`` event — or, after the
last step, the instance's end (state completed, ended_at, ``instance_completed``) — and for
each task created, and for the end, an outbox message ``{business_key}/{seq}/task_assigned``
or ``…/instance_completed`` with one in-app copy (table inbox) per recipient.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, select

from oaflow.services.notify_admin import COMPANY_EVENTS
from oaflow.storage.database import normalise_url
from oaflow.storage.tables import deliveries, endpoints, history, inbox, instances, outbox, tasks

PROCESS = "customer-complaint"
FORM = {
    "title": "投诉",
    "customer": "某公司",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "包装破损",
}


@dataclass(frozen=True)
class Step:
    node: str
    login: str
    action: str  # the API route: approve | complete
    body: Mapping[str, Any]
    state: str  # the task's state once the action is applied
    event: str  # its history event


STEPS: tuple[Step, ...] = (
    Step("triage", "csd.head", "approve", {"note": "属实"}, "approved", "task_approved"),
    Step(
        "handle",
        "prd.head",
        "complete",
        {"fields": {"cause": "包装", "solution": "补发"}},
        "done",
        "task_done",
    ),
    Step("review", "csd.head", "approve", {"note": "同意"}, "approved", "task_approved"),
    Step("reply", "csd.head", "complete", {"fields": {"reply": "已补发"}}, "done", "task_done"),
)
NEXT = {s.node: (STEPS[i + 1].node if i + 1 < len(STEPS) else None) for i, s in enumerate(STEPS)}
FINISHED = {s.node: s for s in STEPS}
#: states of a task that is over
CLOSED = frozenset({"approved", "done", "rejected", "cancelled", "withdrawn", "skipped"})
#: the webhook answers that end a delivery as a dead letter at once
TERMINAL = frozenset({400, 401, 403, 404, 410, 422})


@dataclass(frozen=True)
class Ack:
    """A 2xx answer a client got: the task, the action and who acted."""

    task_id: int
    action: str
    login: str


@dataclass
class Check:
    name: str
    looked_at: int = 0
    violations: list[str] = field(default_factory=list)
    note: str = ""

    def fail(self, text: str) -> None:
        self.violations.append(text)


@dataclass
class Verdict:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return not any(c.violations for c in self.checks)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def table(self, limit: int = 5) -> str:
        """The verdict table: one line per check, then the first violations of each."""
        width = max(len(c.name) for c in self.checks)
        lines = [f"{'check':<{width}}  {'looked at':>10}  {'violations':>10}  verdict  note"]
        for c in self.checks:
            verdict = "FAIL" if c.violations else "ok"
            lines.append(
                f"{c.name:<{width}}  {c.looked_at:>10,}  {len(c.violations):>10,}  "
                f"{verdict:<7}  {c.note}".rstrip()
            )
        for c in self.checks:
            for text in c.violations[:limit]:
                lines.append(f"  {c.name}: {text}")
            if len(c.violations) > limit:
                lines.append(f"  {c.name}: … and {len(c.violations) - limit} more")
        return "\n".join(lines)


@dataclass
class ReceiverLog:
    """What the webhook receiver saw: for each message id, the answers it gave, in order."""

    answers: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, message_id: str, status: int) -> None:
        self.answers[message_id].append(status)


@dataclass
class ClientLog:
    """What the HTTP clients saw apart from the acknowledged completions."""

    acks: list[Ack] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)  # 5xx answers (status, body)
    locked: list[str] = field(default_factory=list)  # answers mentioning a locked database
    unexpected: list[str] = field(default_factory=list)  # 4xx a correct client cannot get
    requests: int = 0


def verify(
    url: str,
    clients: ClientLog,
    receiver: ReceiverLog,
    webhook: str,
    sqlite: bool,
) -> Verdict:
    """Every check on the database at ``url`` (after the run, everything drained)."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            state = _State.read(conn, webhook)
    finally:
        engine.dispose()
    checks = [
        _acknowledged(state, clients.acks),
        _transitions(state),
        _history(state),
        _messages(state),
        _deliveries(state, receiver),
        _duplicates(receiver),
        _client_answers(clients, sqlite),
    ]
    return Verdict(checks)


@dataclass
class _State:
    instances: dict[int, dict[str, Any]]
    tasks: dict[int, dict[str, Any]]
    history: dict[int, list[dict[str, Any]]]  # instance id -> its events by seq
    outbox: dict[str, dict[str, Any]]
    inbox: set[tuple[str, str]]  # (message id, login)
    deliveries: list[dict[str, Any]]  # those of the webhook endpoint
    endpoint_id: int | None

    @classmethod
    def read(cls, conn: Any, webhook: str) -> _State:
        found = conn.execute(
            select(instances.c.id, instances.c.business_key, instances.c.state)
            .add_columns(instances.c.ended_at, instances.c.event_seq)
            .where(instances.c.definition_key == PROCESS)
        )
        insts = {r.id: dict(r._mapping) for r in found}
        rows = conn.execute(
            select(
                tasks.c.id,
                tasks.c.instance_id,
                tasks.c.node_id,
                tasks.c.state,
                tasks.c.finished_at,
                tasks.c.finished_by,
            )
        )
        tasks_ = {r.id: dict(r._mapping) for r in rows if r.instance_id in insts}
        events: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in conn.execute(
            select(
                history.c.instance_id, history.c.seq, history.c.kind, history.c.task_id
            ).order_by(history.c.instance_id, history.c.seq)
        ):
            if r.instance_id in insts:
                events[r.instance_id].append(dict(r._mapping))
        messages = {
            r.message_id: dict(r._mapping)
            for r in conn.execute(
                select(
                    outbox.c.message_id,
                    outbox.c.event,
                    outbox.c.recipients,
                    outbox.c.task_id,
                    outbox.c.status,
                )
            )
        }
        copies = {(r.message_id, r.login) for r in conn.execute(select(inbox))}
        endpoint_id = conn.execute(
            select(endpoints.c.id).where(endpoints.c.name == webhook)
        ).scalar()
        sent = [
            dict(r._mapping)
            for r in conn.execute(select(deliveries).where(deliveries.c.endpoint_id == endpoint_id))
        ]
        return cls(insts, tasks_, dict(events), messages, copies, sent, endpoint_id)


def _acknowledged(state: _State, acks: Sequence[Ack]) -> Check:
    """Every completion a client got a 2xx for is in the database, as it was asked."""
    check = Check("acknowledged completions present", len(acks))
    want = {"approve": "approved", "complete": "done"}
    seen: Counter[int] = Counter(a.task_id for a in acks)
    for ack in acks:
        task = state.tasks.get(ack.task_id)
        if task is None:
            check.fail(f"task {ack.task_id} ({ack.action}, 2xx) is not in the database")
        elif task["state"] != want[ack.action] or task["finished_by"] != ack.login:
            check.fail(
                f"task {ack.task_id} got 2xx for {ack.action} by {ack.login} but is "
                f"{task['state']} (finished by {task['finished_by']})"
            )
    twice = [t for t, n in seen.items() if n > 1]
    check.note = f"{len(twice)} acknowledged twice (retries answered again)" if twice else ""
    return check


def _transitions(state: _State) -> Check:
    """No half-applied transition: a finished task has its successor or the instance's end;
    never two tasks of one step; a running instance has exactly one open task."""
    check = Check("no half-applied transition", len(state.tasks))
    by_instance: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for task in state.tasks.values():
        by_instance[task["instance_id"]].append(task)
    for instance_id, inst in state.instances.items():
        mine = sorted(by_instance.get(instance_id, []), key=lambda t: t["id"])
        key = inst["business_key"]
        nodes = Counter(t["node_id"] for t in mine)
        for node, n in nodes.items():
            if n > 1:
                check.fail(f"{key}: {n} tasks of step {node}")
        open_ = [t for t in mine if t["state"] not in CLOSED]
        for task in mine:
            if task["state"] not in CLOSED:
                continue
            after = NEXT.get(task["node_id"], "?")
            if after is None:
                if inst["state"] != "completed" or inst["ended_at"] is None:
                    check.fail(
                        f"{key}: last step {task['node_id']} (task {task['id']}) finished "
                        f"but the instance is {inst['state']}"
                    )
            elif not any(t["node_id"] == after and t["id"] > task["id"] for t in mine):
                check.fail(
                    f"{key}: task {task['id']} ({task['node_id']}) finished "
                    f"without its successor {after}"
                )
        if inst["state"] == "running" and len(open_) != 1:
            check.fail(f"{key}: running with {len(open_)} open tasks")
        if inst["state"] == "completed" and (open_ or inst["ended_at"] is None):
            check.fail(f"{key}: completed with {len(open_)} open tasks")
        if inst["state"] not in ("running", "completed"):
            check.fail(f"{key}: in state {inst['state']}")
    return check


def _history(state: _State) -> Check:
    """Every task has its task_created event and every finished task its finishing event;
    history numbers run 1..event_seq without a gap."""
    check = Check("history matches the tasks", len(state.instances))
    for instance_id, inst in state.instances.items():
        events = state.history.get(instance_id, [])
        key = inst["business_key"]
        seqs = [e["seq"] for e in events]
        if seqs != list(range(1, len(seqs) + 1)) or inst["event_seq"] != len(seqs):
            check.fail(f"{key}: history numbers {seqs[:3]}… event_seq {inst['event_seq']}")
        kinds = {(e["kind"], e["task_id"]) for e in events}
        for task in (t for t in state.tasks.values() if t["instance_id"] == instance_id):
            if ("task_created", task["id"]) not in kinds:
                check.fail(f"{key}: task {task['id']} without its task_created event")
            step = FINISHED.get(task["node_id"])
            if task["state"] in CLOSED and step and (step.event, task["id"]) not in kinds:
                check.fail(f"{key}: task {task['id']} {task['state']} without {step.event}")
        ended = any(e["kind"] == "instance_completed" for e in events)
        if ended != (inst["state"] == "completed"):
            check.fail(f"{key}: {inst['state']} but instance_completed event: {ended}")
    return check


def _messages(state: _State) -> Check:
    """Every transition that must notify has its outbox row and its in-app copies."""
    check = Check("transitions have their outbox rows", 0)
    for instance_id, inst in state.instances.items():
        key = inst["business_key"]
        for event in state.history.get(instance_id, []):
            kind = {"task_created": "task_assigned", "instance_completed": "instance_completed"}
            if event["kind"] not in kind:
                continue
            check.looked_at += 1
            message_id = f"{key}/{event['seq']}/{kind[event['kind']]}"
            message = state.outbox.get(message_id)
            if message is None:
                check.fail(f"{key}: {event['kind']} (seq {event['seq']}) without {message_id}")
                continue
            if event["kind"] == "task_created" and message["task_id"] != event["task_id"]:
                check.fail(f"{message_id} names task {message['task_id']}")
            for login in message["recipients"]:
                if (message_id, login) not in state.inbox:
                    check.fail(f"{message_id}: no in-app copy for {login}")
    return check


def _deliveries(state: _State, receiver: ReceiverLog) -> Check:
    """Every outbox message for the webhook was delivered (the receiver answered 2xx to its
    id) or dead-lettered (the receiver refused it, or every attempt failed); none lost."""
    check = Check("outbox delivered or dead-lettered", 0)
    if state.endpoint_id is None:
        check.fail("the webhook channel is missing")
        return check
    by_message = {d["message_id"]: d for d in state.deliveries}
    sent = dead = 0
    for message_id, message in state.outbox.items():
        if message["status"] == "pending":
            check.fail(f"{message_id}: never routed")
            continue
        if message["event"] not in COMPANY_EVENTS:
            continue
        check.looked_at += 1
        found = by_message.get(message_id)
        answers = receiver.answers.get(message_id, [])
        if found is None:
            check.fail(f"{message_id}: routed without a webhook delivery")
        elif found["status"] == "sent":
            sent += 1
            if not any(200 <= a < 300 for a in answers):
                check.fail(f"{message_id}: sent, but the receiver never accepted it {answers}")
        elif found["status"] == "dead":
            dead += 1
            if not answers or (answers[-1] not in TERMINAL and len(answers) < 10):
                check.fail(f"{message_id}: dead, but the receiver's answers were {answers}")
        else:
            check.fail(f"{message_id}: {found['status']} after {found['attempts']} attempts")
    unknown = sorted(set(receiver.answers) - set(state.outbox))
    for message_id in unknown:
        check.fail(f"the receiver got {message_id}, which is not in the outbox")
    check.note = f"{sent:,} delivered, {dead:,} dead letters"
    return check


def _duplicates(receiver: ReceiverLog) -> Check:
    """At-least-once delivery: the same id accepted twice is reported, not a violation."""
    accepted = {m: sum(200 <= a < 300 for a in answers) for m, answers in receiver.answers.items()}
    doubled = [m for m, n in accepted.items() if n > 1]
    attempts = sum(len(a) for a in receiver.answers.values())
    check = Check("receiver: distinct ids", len(receiver.answers))
    check.note = (
        f"{attempts:,} attempts, {sum(n > 0 for n in accepted.values()):,} ids accepted, "
        f"{len(doubled)} accepted more than once"
        + (f" (e.g. {', '.join(sorted(doubled)[:3])})" if doubled else "")
    )
    return check


def _client_answers(clients: ClientLog, sqlite: bool) -> Check:
    """No 5xx and no 'database is locked' reaches a client; no answer a correct client
    cannot get (a 4xx other than the conflicts a retry can meet)."""
    check = Check("clients: no 5xx, no locked", clients.requests)
    for text in clients.locked:
        check.fail(f"database locked reached a client{' (SQLite)' if sqlite else ''}: {text}")
    for text in clients.server_errors:
        if text not in clients.locked:
            check.fail(f"server error: {text}")
    for text in clients.unexpected:
        check.fail(f"unexpected answer: {text}")
    return check
