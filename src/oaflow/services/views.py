"""What the read use cases return: frozen records with UTC datetimes, enum states, ids and
names in both languages (``Text``). Nothing here is formatted for a person: the adapters
(CLI, API schemas, page templates) choose the language, the time zone and the words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from oaflow.domain.exception_loop import ExceptionState, ExceptionStep
from oaflow.domain.states import InstanceState, TaskState
from oaflow.domain.text import Text


@dataclass(frozen=True)
class Person:
    login: str
    name: Text


@dataclass(frozen=True)
class Dept:
    code: str
    name: Text


@dataclass(frozen=True)
class NodeRef:
    id: str
    name: Text


class Sla(StrEnum):
    """Where a task stands against its deadline (TIME-3)."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    EXCEPTION = "exception"
    NONE = "none"


@dataclass(frozen=True)
class FieldValue:
    """One form field or output with its value; ``masked`` when it is sensitive and the
    reader may not see it (SEC-3): its value is then None."""

    name: str
    label: Text
    type: str
    value: Any
    sensitive: bool = False
    masked: bool = False


@dataclass(frozen=True)
class FieldSpec:
    """A field to fill in (a start form's, a task's outputs): what a form shows for it."""

    name: str
    label: Text
    type: str
    required: bool = False
    sensitive: bool = False
    values: tuple[str, ...] = ()  # an enum's choices


@dataclass(frozen=True)
class TaskSummary:
    id: int
    business_key: str
    process: str
    process_name: Text
    title: str
    node: NodeRef
    kind: Literal["decide", "complete", "revise", "start"]
    state: TaskState
    department: Dept | None
    assignee: Person | None
    on_behalf_of: Person | None  # ORG-3: the person the assignee stands in for
    candidates: tuple[Person, ...]
    progress: int
    note: str
    created_at: datetime
    due_at: datetime | None
    provisional: bool  # the deadline touches a year without an official holiday schedule
    sla: Sla
    remaining_hours: float | None
    finished_at: datetime | None
    finished_by: Person | None
    exception: str | None
    priority: str = "normal"
    as_deputy_of: Person | None = None  # for the reader: they hold it for this person
    delegated_to: Person | None = None  # for the reader: their deputy holds it


@dataclass(frozen=True)
class EarlierWork:
    """What an earlier node produced: its outputs and deliverables (RUN-4)."""

    task_id: int
    node: NodeRef
    state: TaskState
    finished_by: Person | None
    finished_at: datetime | None
    outputs: tuple[FieldValue, ...]
    deliverables: Mapping[str, str]
    note: str


@dataclass(frozen=True)
class TaskDetail:
    task: TaskSummary
    inputs: tuple[str, ...]
    required_fields: tuple[str, ...]
    required_deliverables: tuple[str, ...]
    outputs: Mapping[str, Any]
    returnable: tuple[NodeRef, ...]
    form: tuple[FieldValue, ...]
    earlier: tuple[EarlierWork, ...]
    output_fields: tuple[FieldSpec, ...] = ()  # what completing it may fill in


@dataclass(frozen=True)
class ProgressRow:
    """One row of Template 3 (执行进度跟踪表, MON-1)."""

    business_key: str
    task_id: int
    node: NodeRef
    department: Dept | None
    owner: Person | None
    planned: datetime | None
    actual: datetime | None
    state: TaskState
    is_open: bool
    delay_hours: float  # after the deadline: finished late, or still open past it
    delay_reason: str
    started: datetime | None = None  # when it reached its owner


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    at: datetime
    kind: str
    node: NodeRef | None
    task_id: int | None
    actor: Person | None
    to: tuple[Person, ...]
    data: Mapping[str, Any]
    target: NodeRef | None = None  # where a route or a return led


@dataclass(frozen=True)
class ExceptionView:
    """One row of Template 4 (异常处理记录表, EXC-1) as far as its loop has filled it."""

    code: str
    business_key: str
    title: str
    process: str
    node: NodeRef
    department: Dept | None  # the responsible department
    initiating_department: Dept
    description: str
    reporter: Person | None  # None: the system (an overdue task), until someone reports it
    reporter_department: Dept | None
    reported_at: datetime
    state: ExceptionState
    state_name: Text
    found_at: datetime
    report_due_at: datetime | None
    cause_category: str | None
    cause: str | None
    expected_at: datetime | None
    resources: str | None
    explained_by: Person | None
    explained_at: datetime | None
    plan: str | None  # 处理方案
    handler: Person | None  # 处理负责人
    handler_department: Dept | None
    planned_at: datetime | None
    coordinated_by: Person | None
    coordinated_at: datetime | None
    resolution: str | None
    resolved_by: Person | None
    resolved_at: datetime | None  # 处理完成时间
    verification: str | None  # 结果验证
    verified_by: Person | None
    verified_at: datetime | None
    reopen_reason: str | None
    reopened: int


@dataclass(frozen=True)
class ExceptionEntry:
    """One step of a record's loop as its instance's history keeps it."""

    at: datetime
    kind: str
    label: Text
    actor: Person | None
    note: str


@dataclass(frozen=True)
class ExceptionDetail:
    """A record, its steps so far, and the steps ``who`` may take now."""

    record: ExceptionView
    history: tuple[ExceptionEntry, ...]
    may: tuple[ExceptionStep, ...]
    causes: tuple[str, ...]


@dataclass(frozen=True)
class InstanceSummary:
    business_key: str
    process: str
    process_name: Text
    title: str
    state: InstanceState
    initiator: Person
    department: Dept
    priority: str
    started_at: datetime
    ended_at: datetime | None
    current: tuple[NodeRef, ...] = ()  # the nodes of its open tasks
    overdue: bool = False  # an open task is past its deadline


@dataclass(frozen=True)
class PlannedDate:
    """The dates the initiation form plans for a node (key nodes, milestones): when it
    starts (a node triggered by date) and when it is to be finished."""

    node: NodeRef
    start: datetime | None
    finish: datetime | None


@dataclass(frozen=True)
class InstanceDetail:
    summary: InstanceSummary
    form: tuple[FieldValue, ...]
    progress: tuple[ProgressRow, ...]
    timeline: tuple[TimelineEntry, ...]
    exceptions: tuple[ExceptionView, ...]
    planned: tuple[PlannedDate, ...] = ()


@dataclass(frozen=True)
class Page:
    """One page of a list: the items, and how many there are in all."""

    items: tuple[Any, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class InstancePage:
    items: tuple[InstanceSummary, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class TaskPage:
    items: tuple[TaskSummary, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class InstanceFilter:
    """What ``instance list`` may narrow by (all optional)."""

    process: str | None = None
    state: InstanceState | None = None
    department: str | None = None
    initiator: str | None = None
    overdue: bool = False
    started_from: datetime | None = None
    started_until: datetime | None = None
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class InboxFilter:
    """What an inbox (待办) may narrow by, how it is sorted, which page."""

    process: str | None = None
    state: TaskState | None = None
    sla: Sla | None = None
    department: str | None = None
    priority: str | None = None
    q: str | None = None
    sort: Literal["due", "created", "priority"] = "due"
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class BoardFilter:
    """What a task board (看板) may narrow by."""

    process: str | None = None
    department: str | None = None
    owner: str | None = None
    priority: str | None = None
