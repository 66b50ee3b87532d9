"""The process definition model (DEF-1..6). Pure data; built by ``domain.loader``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from oaflow.domain.expressions import Expression
from oaflow.domain.integration import LedgerSpec
from oaflow.domain.text import Text


class NodeType(StrEnum):
    INITIATE = "initiate"  # 发起
    APPROVAL = "approval"  # 审批
    CONFIRM = "confirm"  # 确认
    HANDLE = "handle"  # 处理/执行
    FEEDBACK = "feedback"  # 反馈
    MILESTONE = "milestone"  # 里程碑
    EXCLUSIVE = "exclusive"  # 排他网关 (rule-based routing)
    PARALLEL = "parallel"  # 并行分支
    JOIN = "join"  # 并行汇聚
    MULTI_INSTANCE = "multi_instance"  # 多实例: one task per department of a list
    SERVICE = "service"  # 调用外部系统
    NOTIFY = "notify"  # 抄送/通知
    ARCHIVE = "archive"  # 汇总归档
    END = "end"  # 结束


#: nodes that give people tasks
TASK_NODES = frozenset(
    {
        NodeType.APPROVAL,
        NodeType.CONFIRM,
        NodeType.HANDLE,
        NodeType.FEEDBACK,
        NodeType.MILESTONE,
        NodeType.MULTI_INSTANCE,
    }
)
#: task nodes decided by approve / reject; the others finish with complete
DECISION_NODES = frozenset({NodeType.APPROVAL, NodeType.CONFIRM})


FieldType = Literal[
    "string",
    "text",
    "number",
    "integer",
    "boolean",
    "date",
    "datetime",
    "enum",
    "department",
    "departments",
    "user",
    "list",
]


@dataclass(frozen=True)
class FormField:
    name: str
    type: FieldType = "string"
    label: Text = Text("")
    required: bool = False
    sensitive: bool = False
    values: tuple[str, ...] = ()  # for enum
    line: int | None = None


AssignmentKind = Literal[
    "department", "head_of", "leader_of", "role", "user", "users", "initiator", "field", "decision"
]
#: how several approvers of one approval node decide (APR-1); "" means one task
ApprovalMode = Literal["", "all", "any", "sequence", "ratio"]


@dataclass(frozen=True)
class Assignment:
    """Who gets a node's task (DEF-4).

    department: ``department`` (code); ``pick`` head | interface | members (candidate group)
    head_of / leader_of: ``relative_to`` "initiator" (the initiator's department) or a code
    role: ``role`` (general_manager | administrator | auditor)
    user: ``user`` (login); initiator: the person who started the instance
    field: ``field`` names a form field holding a department code (``pick`` applies) or a login
    decision: ``table`` names a decision table whose hit gives ``department`` or ``user``
    """

    kind: AssignmentKind
    department: str = ""
    pick: Literal["head", "interface", "members"] = "head"
    relative_to: str = "initiator"
    role: str = ""
    user: str = ""
    users: tuple[str, ...] = ()  # users: an explicit list of approvers, in order
    field: str = ""
    table: str = ""
    line: int | None = None


@dataclass(frozen=True)
class TimeLimit:
    hours: float
    basis: Literal["working", "calendar"] = "working"


@dataclass(frozen=True)
class Trigger:
    """When a reached node's task becomes active (DEF-3): at once (``auto``), when its owner
    starts it (``manual``), or at the date a form field holds (``planned_date``; at once if
    that date has passed)."""

    kind: Literal["auto", "manual", "planned_date"] = "auto"
    field: str = ""  # planned_date: the form field holding the date


@dataclass(frozen=True)
class Planned:
    """Where a node's planned completion comes from: a date field of the form, or a key node
    of Template 1 (the form's ``key_nodes``: name, date, owner) by its name. A node without
    a time limit is due at its planned date."""

    field: str = ""
    key_node: str = ""


#: who SLA messages go to, relative to the task (TIME-2, TIME-5); also `user:LOGIN`, `field:NAME`
SLA_ROLES = (
    "responsible",  # the task's assignee (or its candidates)
    "responsible_head",  # head of the task's department
    "responsible_leader",  # supervising leader of the task's department
    "initiator",
    "initiator_head",  # head of the initiating department
    "initiator_leader",  # supervising leader of the initiating department
    "general_manager",
)
EscalationAction = Literal["notify", "reassign", "auto_approve", "auto_reject"]


@dataclass(frozen=True)
class Escalation:
    """One level of a node's escalation chain: ``after`` hours past the deadline."""

    after: float
    to: tuple[str, ...]
    action: EscalationAction = "notify"
    line: int | None = None


@dataclass(frozen=True)
class Sla:
    """A node's reminders, warnings and escalation (TIME-2..5). Hours are calendar hours
    counted from dispatch (acknowledgement) or from the deadline (escalation)."""

    remind_after: float = 24.0
    remind_again_after: float = 36.0
    escalate_after: float = 48.0
    escalate_to: tuple[str, ...] = ("initiator_head", "responsible_leader")
    warn_at: tuple[float, ...] = (0.75,)  # shares of the time limit used
    escalation: tuple[Escalation, ...] = ()
    pause_when_waiting: bool = False  # the clock stops while waiting on an external party
    line: int | None = None

    def recipients(self) -> tuple[str, ...]:
        """Every recipient named by the acknowledgement escalation and the chain."""
        return (*self.escalate_to, *(name for level in self.escalation for name in level.to))


@dataclass(frozen=True)
class Outputs:
    """What must be supplied to finish a task (RUN-4)."""

    fields: tuple[FormField, ...] = ()
    deliverables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    to: str
    when: Expression | None = None  # None: the default route
    line: int | None = None


@dataclass(frozen=True)
class DecisionRule:
    when: Expression
    then: Mapping[str, Any]
    line: int | None = None


@dataclass(frozen=True)
class DecisionTable:
    name: str
    hit: Literal["first", "collect"] = "first"
    rules: tuple[DecisionRule, ...] = ()
    default: Mapping[str, Any] | None = None
    line: int | None = None


@dataclass(frozen=True)
class Node:
    id: str
    type: NodeType
    name: Text
    next: tuple[str, ...] = ()
    routes: tuple[Route, ...] = ()  # exclusive gateway
    decision: str = ""  # exclusive gateway routed by a decision table whose hit gives `to`
    assignee: Assignment | None = None
    time_limit: TimeLimit | None = None
    trigger: Trigger = Trigger()
    planned: Planned | None = None  # the planned completion (a milestone's date)
    inputs: tuple[str, ...] = ()  # 输入要求, readable requirements
    outputs: Outputs = Outputs()
    on_reject: str = "end"  # "end" or the id of an earlier node to return to
    over: Expression | None = None  # multi_instance: list of department codes
    pick: Literal["head", "interface", "members"] = "head"  # multi_instance: who per department
    task: NodeType = NodeType.HANDLE  # multi_instance: handle | confirm | approval
    service: str = ""  # service: the integration to call
    send: tuple[str, ...] = ()  # service: the fields sent (default: all but sensitive ones)
    ledger: LedgerSpec | None = None  # service: the ledger rows written when it passes
    notify: tuple[Assignment, ...] = ()  # notify: who is informed
    archive_name: str = ""  # archive: name pattern, e.g. 项目归档-{yyyy}-{title}
    sla: Sla = Sla()
    mode: ApprovalMode = ""  # approval/confirm: all (会签), any (或签), sequence (依次), ratio
    pass_ratio: float = 1.0  # mode ratio: the share of approvals that passes the node
    on_empty: Literal["fail", "pass", "admin"] = "fail"  # APR-3: nobody to assign
    if_initiator: Literal["", "pass", "head"] = ""  # APR-3: the approver is the initiator
    dedupe: bool = False  # APR-3: the same approver as the step before approves at once
    line: int | None = None

    @property
    def due_by_plan(self) -> bool:
        """Whether the node's deadline is its planned date (it has no time limit)."""
        return self.planned is not None and self.time_limit is None

    @property
    def is_task(self) -> bool:
        return self.type in TASK_NODES

    @property
    def is_decision(self) -> bool:
        """Finished by approve/reject rather than complete."""
        if self.type is NodeType.MULTI_INSTANCE:
            return self.task in DECISION_NODES
        return self.type in DECISION_NODES


@dataclass(frozen=True)
class OrgNames:
    """What validation needs to know of the organisation: the names that exist."""

    departments: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset(
        {"member", "head", "supervising_leader", "general_manager", "administrator", "auditor"}
    )


@dataclass(frozen=True, eq=False)
class ProcessDefinition:
    """Compared and hashed by identity: a loaded definition is one immutable version."""

    key: str
    name: Text
    business_key: str  # pattern, e.g. PROJ{yyyy}{MM}{seq:02}
    nodes: Mapping[str, Node]  # in file order; the first node is the start
    form: tuple[FormField, ...] = ()
    decision_tables: Mapping[str, DecisionTable] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    initiators: tuple[str, ...] = ()  # department codes allowed to start; empty: anyone
    #: who verifies, rejects and reopens exception records besides the initiating
    #: department (EXC-4): recipient names as in the SLA (``user:…``, ``initiator_head`` …)
    exception_verifiers: tuple[str, ...] = ()
    #: the satisfaction survey (MTR-2) asks its departments when an instance completes
    survey: bool = True
    description: Text = Text("")
    file: str = ""
    initiators_line: int | None = None

    @property
    def start(self) -> Node:
        return next(iter(self.nodes.values()))

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def successors(self, node_id: str) -> tuple[str, ...]:
        """Every node ``node_id`` can lead to: `next`, routes, and the `to` of the decision
        table that routes a gateway."""
        node = self.nodes[node_id]
        found = node.next + tuple(r.to for r in node.routes)
        table = self.decision_tables.get(node.decision) if node.decision else None
        if table is not None:
            results = [rule.then for rule in table.rules] + (
                [table.default] if table.default else []
            )
            found += tuple(str(then["to"]) for then in results if isinstance(then.get("to"), str))
        return tuple(dict.fromkeys(found))

    def form_field(self, name: str) -> FormField | None:
        return next((f for f in self.form if f.name == name), None)

    def sensitive_fields(self) -> frozenset[str]:
        """The names of the fields marked ``sensitive`` (SEC-3): of the form and of every
        node's outputs (an output is copied into the form data when its task finishes)."""
        outputs = (f for node in self.nodes.values() for f in node.outputs.fields)
        return frozenset(f.name for f in (*self.form, *outputs) if f.sensitive)
