"""What the engine reads and decides: plain records of instances, tasks and events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.exception_loop import ExceptionRecord
from oaflow.domain.ids import KeyScope
from oaflow.domain.integration import LedgerEntry, ServiceCallOpening
from oaflow.domain.org import Delegation, Organisation
from oaflow.domain.states import OPEN_TASK_STATES, InstanceState, TaskState


@dataclass
class TaskRecord:
    instance_id: int
    node_id: str
    round: int
    state: TaskState
    created_at: datetime
    department: str | None = None
    assignee: str | None = None
    candidates: tuple[str, ...] = ()
    due_at: datetime | None = None
    progress: int = 0
    note: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    acked_at: datetime | None = None
    finished_at: datetime | None = None
    finished_by: str | None = None
    dispatched_at: datetime | None = None  # when it reached its current assignee (transfer)
    check_at: datetime | None = None  # next SLA event (ADR 0003); None when closed
    paused_at: datetime | None = None  # SLA clock stopped (suspended, waiting on others)
    sla_fired: tuple[str, ...] = ()  # keys of the SLA events already handled
    exception: str | None = None  # code of the exception record opened on it (ABN…)
    on_behalf_of: str | None = None  # ORG-3: the person the assignee stands in for (代理)
    # measured when it finished (MTR-1, domain/measures.py)
    work_seconds: int | None = None
    span_seconds: int | None = None
    late_seconds: int | None = None
    version: int = 1
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_TASK_STATES

    def may_act(self, login: str) -> bool:
        return login == self.assignee or (self.assignee is None and login in self.candidates)


SignerPosition = Literal["before", "after"]


@dataclass
class AddedSigner:
    """A signer added to a step by its approver (前加签 / 后加签, APR-2)."""

    login: str
    position: SignerPosition
    #: the approver's task they sign for; None once their own task is open (an after-signer)
    for_task: int | None


@dataclass
class Tokens:
    """What an instance remembers between commands besides its form data."""

    #: node -> how often it was entered (the round of its tasks)
    visits: dict[str, int] = field(default_factory=dict)
    #: join node -> the branches that arrived since it last fired
    joins: dict[str, list[str]] = field(default_factory=dict)
    #: 依次 node -> the signers still to come, in order
    sequence: dict[str, list[str]] = field(default_factory=dict)
    #: approval node -> the signers added to it, in order
    added_signers: dict[str, list[AddedSigner]] = field(default_factory=dict)
    #: who approved the step just before (APR-3 `dedupe`); None after any other task
    last_approver: str | None = None
    #: task id -> when its initiator last urged it (催办)
    urged: dict[int, datetime] = field(default_factory=dict)

    def visit(self, node_id: str) -> None:
        self.visits[node_id] = self.visits.get(node_id, 0) + 1

    def signers_of(self, node_id: str) -> list[AddedSigner]:
        """The signers added to ``node_id`` (a list kept in the tokens)."""
        return self.added_signers.setdefault(node_id, [])


@dataclass
class InstanceRecord:
    business_key: str
    definition_id: int
    definition_key: str
    state: InstanceState
    title: str
    initiator: str
    department: str
    priority: str
    started_at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    tokens: Tokens = field(default_factory=Tokens)
    ended_at: datetime | None = None
    version: int = 1
    event_seq: int = 0
    changed_at: datetime | None = None  # when its history last grew
    last_hash: str = ""  # the hash of its last history entry (SEC-4; the store keeps it)
    # measured when it ended (MTR-1, domain/measures.py)
    work_seconds: int | None = None
    span_seconds: int | None = None
    id: int | None = None


@dataclass
class Event:
    """One history entry. ``task`` is the record it concerns (its id is known after insert)."""

    kind: str
    node_id: str | None = None
    task: TaskRecord | None = None
    actor: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Message:
    """An outgoing message (reminder, warning, escalation), written to the outbox in the
    same transaction as the decision. ``key`` is stable: the same event gives the same key.
    Its task's id and its exception's code are known once they are written: the outbox row
    gets them then (``task_id``, ``code``)."""

    key: str
    event: str
    recipients: tuple[str, ...]
    task: TaskRecord | None = None
    data: dict[str, Any] = field(default_factory=dict)
    exception: ExceptionOpening | None = None


@dataclass
class ExceptionOpening:
    """An exception record to open (TIME-4, EXC-1); its code, the next number of ``scope``
    (ABN{yyyy}{MM}…), is given when it is written."""

    task: TaskRecord
    node_id: str
    description: str
    scope: KeyScope
    reporter: str = "system"
    code: str = ""
    #: the responsible department's report (异常处理说明) is due then (EXC-2); its clock
    report_due_at: datetime | None = None
    check_at: datetime | None = None


@dataclass
class Decision:
    """Everything one command changes, decided at ``at``; the service writes it in one
    transaction."""

    instance: InstanceRecord
    at: datetime
    changed_tasks: list[TaskRecord] = field(default_factory=list)
    new_tasks: list[TaskRecord] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    exceptions: list[ExceptionOpening] = field(default_factory=list)
    #: exception records whose loop moved (EXC-2..4), each written at its version
    exception_changes: list[ExceptionRecord] = field(default_factory=list)
    #: calls of service nodes to open (INT-2): the instance waits at those nodes
    service_calls: list[ServiceCallOpening] = field(default_factory=list)
    #: service nodes whose open calls end (the instance ended or went back before them)
    calls_cancelled: list[str] = field(default_factory=list)
    #: ledger rows written by the decision (ARC-2)
    ledger_entries: list[LedgerEntry] = field(default_factory=list)


@dataclass(frozen=True)
class World:
    """What the engine may consult besides the instance: definition, org, calendar, now,
    and the delegations in force now (ORG-3)."""

    definition: ProcessDefinition
    org: Organisation
    calendar: WorkingCalendar
    now: datetime
    delegations: tuple[Delegation, ...] = ()
