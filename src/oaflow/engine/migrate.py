"""Moving a running instance from one published version of its process to another (VER-4).

Pure: no I/O, no clock. ``plan`` checks one instance against the target version and returns
EVERY problem at once; ``migrate`` then changes the records (the service writes them, all or
nothing). A node keeps its id when the target version has a node of that id, unless the
mapping (``old=new``) renames it; a node neither in the target nor mapped lands nowhere.

What is checked:
- every open or waiting task lands on a node of a compatible kind (``KINDS``): a decision
  (approval, confirm: approve/reject) with the same way of counting approvers (``mode``);
  work (handle, feedback, milestone: complete with outputs); a multi-instance node of the
  same task kind; the initiate node (the initiator's revision). Gateways, service, notify,
  archive and end nodes hold no tasks; a service node the instance waits at (a call of
  another system not answered yet) lands on a service node;
- the instance's tokens — visits, a join's arrived branches, the signers in sequence, added
  signers, and its finished tasks — name no node that lands nowhere, and no two nodes it
  reached land on the same node (their rounds would mix);
- a join the instance will still reach waits for no branch that nothing will bring;
- the form data fits the target's form: every required field has a value and every value
  fits its field's type and enum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oaflow.domain.definition import Node, NodeType, ProcessDefinition
from oaflow.domain.errors import Fault, InputError, fault
from oaflow.domain.forms import check_values
from oaflow.domain.model import Event, InstanceRecord, TaskRecord, Tokens
from oaflow.domain.text import Text
from oaflow.domain.wording import clauses, did_you_mean
from oaflow.engine.graph import downstream, predecessors

#: the kinds of node a task may move between, and how they are said
KINDS: dict[str, Text] = {
    "initiate": Text("发起（发起人修改表单）", "initiation (the initiator revises the form)"),
    "decision": Text("审批/确认", "approval or confirmation"),
    "work": Text("处理/反馈/里程碑", "handling, feedback or milestone"),
    "multi_decision": Text("多部门审批", "approval by several departments"),
    "multi_work": Text("多部门处理", "handling by several departments"),
    "automatic": Text("自动节点（网关、服务、抄送、归档、结束）", "automatic step"),
}
MODES: dict[str, Text] = {
    "": Text("单人审批", "one approver"),
    "all": Text("会签", "all approve"),
    "any": Text("或签", "any one approves"),
    "sequence": Text("依次审批", "one after another"),
    "ratio": Text("按比例通过", "a share approves"),
}
#: the parts of an instance's tokens, as a problem names them
_TOKEN_PARTS: dict[str, Text] = {
    "visits": Text("到达记录", "its visits"),
    "tasks": Text("已办任务", "its finished tasks"),
    "joins": Text("汇聚的已到分支", "a join's arrived branches"),
    "sequence": Text("依次审批的待审人", "the signers still in sequence"),
    "added_signers": Text("加签人", "its added signers"),
    "calls": Text("外部系统调用", "its calls of other systems"),
}
EVENT_KIND = "migrated"


def kind_of(node: Node) -> str:
    """The kind of ``node`` for migration (a key of ``KINDS``)."""
    if node.type is NodeType.INITIATE:
        return "initiate"
    if node.type is NodeType.MULTI_INSTANCE:
        return "multi_decision" if node.is_decision else "multi_work"
    if node.is_decision:
        return "decision"
    return "work" if node.is_task else "automatic"


# -- the mapping ------------------------------------------------------------------------------
def parse_entries(entries: Iterable[str]) -> dict[str, str]:
    """``old=new`` entries as a mapping; a malformed or contradictory entry is bad input."""
    mapping: dict[str, str] = {}
    for entry in entries:
        old, sep, new = (part.strip() for part in entry.partition("="))
        if not sep or not old or not new:
            raise InputError("migration.map_malformed", entry=entry)
        if mapping.get(old, new) != new:
            raise InputError("migration.map_twice", node=old, first=mapping[old], second=new)
        mapping[old] = new
    return mapping


def mapping_problems(
    source: ProcessDefinition, target: ProcessDefinition, mapping: Mapping[str, str]
) -> list[Fault]:
    """Every entry of ``mapping`` naming a node the source (old) or the target (new) lacks."""
    problems: list[Fault] = []
    for old, new in mapping.items():
        if old not in source.nodes:
            problems.append(_unknown("migration.map_unknown_old", old, source))
        if new not in target.nodes:
            problems.append(_unknown("migration.map_unknown_new", new, target))
    return problems


def _unknown(code: str, node: str, definition: ProcessDefinition) -> Fault:
    close = did_you_mean(node, definition.nodes)
    return fault(code, node=node, nodes=list(definition.nodes), advice=close or "")


def landing(
    source: ProcessDefinition, target: ProcessDefinition, mapping: Mapping[str, str]
) -> dict[str, str | None]:
    """Where each node of ``source`` lands in ``target``: mapped, the same id, or nowhere."""
    return {n: mapping.get(n, n if n in target.nodes else None) for n in source.nodes}


# -- one instance -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What migrating one instance would do: its problems (none: it is safe), the renamed
    nodes it reached (old, new), its tokens on the target, and the target's form fields its
    data lacks (added empty)."""

    business_key: str
    problems: tuple[Fault, ...]
    moves: tuple[tuple[str, str], ...] = ()
    tokens: Tokens = field(default_factory=Tokens)
    added_fields: tuple[str, ...] = ()

    @property
    def safe(self) -> bool:
        return not self.problems


def plan(
    source: ProcessDefinition,
    target: ProcessDefinition,
    mapping: Mapping[str, str],
    instance: InstanceRecord,
    tasks: Sequence[TaskRecord],
    waiting: Sequence[str] = (),
) -> Plan:
    """Check ``instance`` (running ``source``, with all its ``tasks``) against ``target``
    under ``mapping`` (already checked by ``mapping_problems``). ``waiting`` holds the
    service nodes where it waits for another system to answer (INT-2)."""
    land = landing(source, target, mapping)
    check = _Check(source, target, land, instance, tasks, waiting)
    problems = [*check.tasks(), *check.calls(), *check.tokens(), *check.joins(), *check.form()]
    reached = check.reached()
    moves = tuple((n, land[n] or n) for n in reached if land[n] not in (None, n))
    added = tuple(f.name for f in target.form if f.name not in instance.data)
    return Plan(instance.business_key, tuple(problems), moves, check.renamed_tokens(), added)


class _Check:
    def __init__(
        self,
        source: ProcessDefinition,
        target: ProcessDefinition,
        land: Mapping[str, str | None],
        instance: InstanceRecord,
        tasks: Sequence[TaskRecord],
        waiting: Sequence[str] = (),
    ) -> None:
        self.source, self.target, self.land = source, target, land
        self.instance, self.all_tasks, self.waiting = instance, tasks, waiting
        self.open = [t for t in tasks if t.is_open]
        self.reported: set[str] = set()  # nodes whose landing nowhere is already said

    def name(self, definition: ProcessDefinition, node_id: str) -> Text:
        node = definition.nodes.get(node_id)
        label = node.name if node else Text(node_id, node_id)
        return Text(f"{node_id}（{label.zh}）", f"{node_id} ({label.get('en')})")

    def where(self, node_id: str) -> str | None:
        return self.land.get(node_id)

    def tasks(self) -> Iterable[Fault]:
        for task in self.open:
            new = self.where(task.node_id)
            node = self.name(self.source, task.node_id)
            if new is None:
                self.reported.add(task.node_id)
                yield fault("migration.task_lands_nowhere", task=task.id, node=node)
                continue
            was, now = self.source.node(task.node_id), self.target.node(new)
            target = self.name(self.target, new)
            if kind_of(was) != kind_of(now):
                yield fault(
                    "migration.task_kind_changes",
                    task=task.id,
                    node=node,
                    target=target,
                    was=KINDS[kind_of(was)],
                    now=KINDS[kind_of(now)],
                )
            elif was.is_decision and was.mode != now.mode:
                yield fault(
                    "migration.task_mode_changes",
                    task=task.id,
                    node=node,
                    target=target,
                    was=MODES[was.mode],
                    now=MODES[now.mode],
                )

    def calls(self) -> Iterable[Fault]:
        """A node waiting for another system lands on a service node (its answer resumes
        the instance there)."""
        for node_id in dict.fromkeys(self.waiting):
            new = self.where(node_id)
            node = self.name(self.source, node_id)
            if new is None:
                self.reported.add(node_id)
                yield fault("migration.call_lands_nowhere", node=node)
            elif self.target.node(new).type is not NodeType.SERVICE:
                yield fault(
                    "migration.call_not_a_service", node=node, target=self.name(self.target, new)
                )

    def reached(self) -> list[str]:
        """The nodes of the source the instance's records name, in the source's order."""
        named = set(self.parts())
        return [n for n in self.source.nodes if n in named]

    def parts(self) -> dict[str, list[Text]]:
        """Node -> the parts of the instance that name it."""
        tokens = self.instance.tokens
        found: dict[str, list[Text]] = {}

        def add(nodes: Iterable[str], part: str) -> None:
            for node in nodes:
                parts = found.setdefault(node, [])
                if _TOKEN_PARTS[part] not in parts:
                    parts.append(_TOKEN_PARTS[part])

        add(tokens.visits, "visits")
        add(self.waiting, "calls")
        add((t.node_id for t in self.all_tasks if not t.is_open), "tasks")
        add((t.node_id for t in self.open), "tasks")
        for join, arrived in tokens.joins.items():
            add([join, *arrived] if arrived else [], "joins")
        add((n for n, queue in tokens.sequence.items() if queue), "sequence")
        add((n for n, added in tokens.added_signers.items() if added), "added_signers")
        return found

    def tokens(self) -> Iterable[Fault]:
        parts = self.parts()
        landed: dict[str, list[str]] = {}
        for node in self.reached():
            new = self.where(node)
            if new is None:
                if node not in self.reported:
                    name = self.name(self.source, node)
                    yield fault("migration.token_lands_nowhere", node=name, parts=parts[node])
                continue
            landed.setdefault(new, []).append(node)
        for new, olds in landed.items():
            if len(olds) > 1:
                names = [self.name(self.source, n) for n in olds]
                yield fault(
                    "migration.nodes_merge", nodes=names, target=self.name(self.target, new)
                )

    def joins(self) -> Iterable[Fault]:
        """A join the instance will reach must get every branch it waits for."""
        ahead = [self.where(n) for n in (*(t.node_id for t in self.open), *self.waiting)]
        reachable: set[str] = set()
        for start in ahead:
            reachable |= downstream(self.target, start) if start else frozenset()
        arrived_at = self._arrived()
        for join, node in self.target.nodes.items():
            if node.type is not NodeType.JOIN:
                continue
            arrived = arrived_at.get(join, set())
            if join not in reachable and not arrived:
                continue
            for branch in sorted(predecessors(self.target, join) - arrived - reachable):
                yield fault(
                    "migration.join_waits_forever",
                    join=self.name(self.target, join),
                    branch=self.name(self.target, branch),
                )
        yield from self._joins_moved(arrived_at)

    def _arrived(self) -> dict[str, set[str]]:
        arrived: dict[str, set[str]] = {}
        for join, branches in self.instance.tokens.joins.items():
            new = self.where(join)
            if new is not None and branches:
                landed = {self.where(b) for b in branches}
                arrived.setdefault(new, set()).update(b for b in landed if b)
        return arrived

    def _joins_moved(self, arrived_at: Mapping[str, set[str]]) -> Iterable[Fault]:
        for join, branches in arrived_at.items():
            if self.target.node(join).type is not NodeType.JOIN:
                yield fault("migration.join_not_a_join", join=self.name(self.target, join))
                continue
            for branch in sorted(branches - predecessors(self.target, join)):
                yield fault(
                    "migration.join_branch_elsewhere",
                    join=self.name(self.target, join),
                    branch=self.name(self.target, branch),
                )

    def form(self) -> Iterable[Fault]:
        for problem in check_values(self.target.form, self.instance.data):
            yield fault("migration.form_problem", problem=problem)

    def renamed_tokens(self) -> Tokens:
        tokens, land = self.instance.tokens, self.where

        def keys(value: Mapping[str, Any]) -> dict[str, Any]:
            return {land(n) or n: v for n, v in value.items()}

        return Tokens(
            visits=keys(tokens.visits),
            joins={land(j) or j: [land(b) or b for b in a] for j, a in tokens.joins.items()},
            sequence=keys(tokens.sequence),
            added_signers=keys(tokens.added_signers),
            last_approver=tokens.last_approver,
            urged=dict(tokens.urged),
        )


# -- applying a safe plan -----------------------------------------------------------------------
@dataclass(frozen=True)
class Labels:
    """The two versions as a migration names them: their ids and labels."""

    source_id: int
    source: str
    target_id: int
    target: str


def migrate(
    checked: Plan,
    instance: InstanceRecord,
    tasks: Sequence[TaskRecord],
    labels: Labels,
    actor: str,
    at: datetime,
) -> tuple[list[TaskRecord], Event]:
    """Move ``instance`` to the target version as ``checked`` (a safe plan) says: its
    tasks' nodes renamed, its tokens renamed, the target's missing form fields added empty.
    Returns the tasks whose node changed and the history entry to write."""
    if not checked.safe:
        raise InputError(
            "migration.not_safe",
            business_key=instance.business_key,
            problems=clauses(checked.problems),
        )
    moves = dict(checked.moves)
    moved = [t for t in tasks if t.node_id in moves]
    for task in moved:
        task.node_id = moves[task.node_id]
    instance.definition_id = labels.target_id
    instance.tokens = checked.tokens
    instance.data.update(dict.fromkeys(checked.added_fields))
    instance.changed_at = max(instance.changed_at or at, at)
    event = Event(
        EVENT_KIND,
        None,
        None,
        actor,
        {
            "from": labels.source,
            "to": labels.target,
            "map": moves,
            "fields_added": list(checked.added_fields),
        },
    )
    return moved, event
