"""What changed between two versions of a process (VER-2): nodes added, removed, renamed or
retyped; their owners, time limits, triggers, routes, escalation rules, inputs and outputs;
the decision tables' rows; the form's fields; the process's own settings — each change said
in Chinese and in English, e.g. "节点「研发方案输出」时限 72 → 48 小时". Pure: the change
notice, the knowledge base, the CLI and the API say what this finds.

Line numbers are not changes: two versions that differ only in layout have no changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, Literal

from oaflow.domain.definition import (
    DecisionTable,
    FormField,
    Node,
    ProcessDefinition,
    TimeLimit,
)
from oaflow.domain.diff_words import NODE_TYPES, Subject, plain, quoted, say, say_nodes
from oaflow.domain.text import Text

ChangeKind = Literal["added", "removed", "changed"]
ChangeArea = Literal["process", "form", "node", "decision_table"]


@dataclass(frozen=True)
class Change:
    """One change: where (``area`` and ``subject``: a node id, field or table name; "" for
    the process), what kind, and the sentence saying it."""

    area: ChangeArea
    kind: ChangeKind
    subject: str
    words: Text


@dataclass(frozen=True)
class DefinitionDiff:
    """The changes from ``old`` to ``new``, and the nodes to colour on a diagram."""

    changes: tuple[Change, ...]
    added_nodes: tuple[str, ...]  # ids in the new version
    removed_nodes: tuple[str, ...]  # ids in the old version
    changed_nodes: tuple[str, ...]  # ids in both

    @property
    def empty(self) -> bool:
        return not self.changes

    def node_marks(self) -> dict[str, str]:
        """The new version's nodes to highlight: ``added`` or ``changed``."""
        marks = dict.fromkeys(self.changed_nodes, "changed")
        return {**marks, **dict.fromkeys(self.added_nodes, "added")}

    def words(self, lang: str = "zh") -> list[str]:
        return [c.words.get(lang) for c in self.changes]


def diff_definitions(old: ProcessDefinition, new: ProcessDefinition) -> DefinitionDiff:
    """Every change from ``old`` to ``new``: the process, the form, the nodes, the tables."""
    changes = [
        *_process_changes(old, new),
        *_field_changes("form", "", Subject.form(), old.form, new.form),
    ]
    removed = tuple(n for n in old.nodes if n not in new.nodes)
    added = tuple(n for n in new.nodes if n not in old.nodes)
    for node_id in removed:
        node = old.node(node_id)
        words = Subject.node(node).sentence("删除{s}（{t}）", "Removed {s} ({t})", t=_type(node))
        changes.append(Change("node", "removed", node_id, words))
    for node_id in added:
        node = new.node(node_id)
        words = Subject.node(node).sentence("新增{s}（{t}）", "Added {s} ({t})", t=_type(node))
        changes.append(Change("node", "added", node_id, words))
    changed = []
    for node_id in (n for n in new.nodes if n in old.nodes):
        found = _node_changes(old, new, node_id)
        if found:
            changed.append(node_id)
            changes += found
    changes += _table_changes(old, new)
    return DefinitionDiff(tuple(changes), added, removed, tuple(changed))


# -- the process ----------------------------------------------------------------------------
#: process settings said by name; nodes, form and tables have their own comparisons
_PROCESS_ASPECTS: dict[str, Text] = {
    "name": Text("名称", "name"),
    "description": Text("说明", "description"),
    "business_key": Text("业务编号规则", "business key pattern"),
    "initiators": Text("发起部门", "initiating departments"),
    "tags": Text("标签", "tags"),
    "exception_verifiers": Text("异常验证人", "exception verifiers"),
    "survey": Text("满意度调查", "satisfaction survey"),
}
_PROCESS_SKIP = {"key", "nodes", "form", "decision_tables", "file", "initiators_line"}


def _process_changes(old: ProcessDefinition, new: ProcessDefinition) -> list[Change]:
    found = []
    subject = Subject.process()
    for f in fields(ProcessDefinition):
        if f.name in _PROCESS_SKIP:
            continue
        before, after = getattr(old, f.name), getattr(new, f.name)
        if plain(before) != plain(after):
            aspect = _PROCESS_ASPECTS.get(f.name, Text(f.name, f.name))
            said = subject.changes(aspect, before, after)
            found += [Change("process", "changed", "", words) for words in said]
    return found


# -- form fields (the start form, and a node's outputs) ------------------------------------
_FIELD_ASPECTS: dict[str, Text] = {
    "type": Text("类型", "type"),
    "label": Text("名称", "label"),
    "required": Text("必填", "required"),
    "sensitive": Text("敏感", "sensitive"),
    "values": Text("可选值", "values"),
}


def _field_changes(
    area: ChangeArea,
    node_id: str,
    owner: Subject,
    old: Iterable[FormField],
    new: Iterable[FormField],
) -> list[Change]:
    """Fields added, removed and changed; ``owner`` says whose fields they are."""
    before, after = {f.name: f for f in old}, {f.name: f for f in new}
    found = []
    for name in (n for n in before if n not in after):
        words = owner.of_field(before[name]).sentence("删除{s}", "Removed {s}")
        found.append(Change(area, "removed", node_id or name, words))
    for name in (n for n in after if n not in before):
        words = owner.of_field(after[name]).added_field(after[name])
        found.append(Change(area, "added", node_id or name, words))
    for name in (n for n in after if n in before):
        subject = owner.of_field(after[name])
        for f in fields(FormField):
            if f.name in ("name", "line"):
                continue
            was, now = getattr(before[name], f.name), getattr(after[name], f.name)
            if plain(was) != plain(now):
                aspect = _FIELD_ASPECTS.get(f.name, Text(f.name, f.name))
                if f.name == "values":
                    words = subject.listed(aspect, was, now)
                    found.append(Change(area, "changed", node_id or name, words))
                    continue
                found.append(
                    Change(area, "changed", node_id or name, subject.moved(aspect, was, now))
                )
    return found


# -- nodes ----------------------------------------------------------------------------------
_NODE_ASPECTS: dict[str, Text] = {
    "type": Text("类型", "type"),
    "assignee": Text("负责人", "owner"),
    "time_limit": Text("时限", "time limit"),
    "trigger": Text("启动方式", "start"),
    "planned": Text("计划完成", "planned completion"),
    "next": Text("后续节点", "next steps"),
    "decision": Text("决策表", "decision table"),
    "inputs": Text("输入要求", "inputs"),
    "on_reject": Text("驳回后", "on rejection"),
    "over": Text("多实例部门", "departments from"),
    "pick": Text("每部门由谁处理", "who in each department"),
    "task": Text("任务类型", "task kind"),
    "service": Text("调用系统", "service"),
    "send": Text("发送字段", "fields sent"),
    "ledger": Text("台账", "ledger"),
    "notify": Text("抄送对象", "notifies"),
    "archive_name": Text("归档名称", "archive name"),
    "mode": Text("审批方式", "approval mode"),
    "pass_ratio": Text("通过比例", "pass ratio"),
    "on_empty": Text("无人可分配时", "when nobody can be assigned"),
    "if_initiator": Text("审批人是发起人时", "when the approver is the initiator"),
    "dedupe": Text("同一审批人自动通过", "same approver passes at once"),
}
_SLA_ASPECTS: dict[str, Text] = {
    "remind_after": Text("催办（小时）", "reminder after (h)"),
    "remind_again_after": Text("再次催办（小时）", "second reminder after (h)"),
    "escalate_after": Text("未确认升级（小时）", "unacknowledged escalation after (h)"),
    "escalate_to": Text("未确认升级对象", "unacknowledged escalation to"),
    "warn_at": Text("预警点", "warnings at"),
    "escalation": Text("超时升级规则", "escalation rules"),
    "pause_when_waiting": Text("等待外部时暂停计时", "clock pauses while waiting"),
}
#: compared by their own functions, or not a change (the id is the node; lines move)
_NODE_SKIP = {"id", "name", "routes", "outputs", "sla", "line"}


def _node_changes(old: ProcessDefinition, new: ProcessDefinition, node_id: str) -> list[Change]:
    was, now = old.node(node_id), new.node(node_id)
    subject = Subject.node(now)
    found = []
    if was.name != now.name:
        words = Subject.node(was).sentence("{s}改名为{n}", "{s} renamed to {n}", n=quoted(now.name))
        found.append(Change("node", "changed", node_id, words))
    for f in fields(Node):
        if f.name in _NODE_SKIP:
            continue
        before, after = getattr(was, f.name), getattr(now, f.name)
        if plain(before) == plain(after):
            continue
        aspect = _NODE_ASPECTS.get(f.name, Text(f.name, f.name))
        said = _node_words(subject, aspect, f.name, (old, new), before, after)
        found += [Change("node", "changed", node_id, words) for words in said]
    found += _route_changes(subject, node_id, was, now, (old, new))
    for f in fields(type(was.sla)):
        if f.name == "line":
            continue
        before, after = getattr(was.sla, f.name), getattr(now.sla, f.name)
        if plain(before) != plain(after):
            aspect = _SLA_ASPECTS.get(f.name, Text(f.name, f.name))
            said = subject.changes(aspect, before, after)
            found += [Change("node", "changed", node_id, words) for words in said]
    owner = subject.outputs()
    found += _field_changes("node", node_id, owner, was.outputs.fields, now.outputs.fields)
    deliverables = Text("交付物", "deliverables")
    if set(was.outputs.deliverables) != set(now.outputs.deliverables):
        words = subject.listed(deliverables, was.outputs.deliverables, now.outputs.deliverables)
        found.append(Change("node", "changed", node_id, words))
    return found


def _node_words(
    subject: Subject,
    aspect: Text,
    name: str,
    both: tuple[ProcessDefinition, ProcessDefinition],
    before: Any,
    after: Any,
) -> list[Text]:
    """A node's setting from ``before`` to ``after``: node ids as node names, time limits
    with their unit once, lists as the items added and removed, records by their parts."""
    if name == "time_limit" and isinstance(before, TimeLimit) and isinstance(after, TimeLimit):
        return [subject.limit(aspect, before, after)]
    if name in ("next", "on_reject"):
        return [subject.moved(aspect, say_nodes(both[0], before), say_nodes(both[1], after))]
    return subject.changes(aspect, before, after)


def _route_changes(
    subject: Subject,
    node_id: str,
    was: Node,
    now: Node,
    both: tuple[ProcessDefinition, ProcessDefinition],
) -> list[Change]:
    """A gateway's routes by the node they lead to: added, removed, condition changed."""
    before = {r.to: r.when for r in was.routes}
    after = {r.to: r.when for r in now.routes}
    found = []
    for to in (t for t in before if t not in after):
        target = say_nodes(both[0], to)
        words = subject.sentence("{s}删除通往{n}的路由", "{s}: removed the route to {n}", n=target)
        found.append(Change("node", "changed", node_id, words))
    for to in (t for t in after if t not in before):
        target = say_nodes(both[1], to)
        condition = Text(say(after[to], "zh"), say(after[to], "en"))
        words = subject.sentence(
            "{s}新增通往{n}的路由（条件：{c}）",
            "{s}: added a route to {n} (when: {c})",
            n=target,
            c=condition,
        )
        found.append(Change("node", "changed", node_id, words))
    for to in (t for t in after if t in before and plain(after[t]) != plain(before[t])):
        aspect = Text(
            f"通往{say_nodes(both[1], to).zh}的条件", f"condition to {say_nodes(both[1], to).en}"
        )
        found.append(
            Change("node", "changed", node_id, subject.moved(aspect, before[to], after[to]))
        )
    return found


# -- decision tables -----------------------------------------------------------------------
def _table_changes(old: ProcessDefinition, new: ProcessDefinition) -> list[Change]:
    before, after = old.decision_tables, new.decision_tables
    found = []
    for name in (n for n in before if n not in after):
        words = Subject.table(name).sentence("删除{s}", "Removed {s}")
        found.append(Change("decision_table", "removed", name, words))
    for name in (n for n in after if n not in before):
        words = Subject.table(name).sentence("新增{s}", "Added {s}")
        found.append(Change("decision_table", "added", name, words))
        found += _rule_changes(name, DecisionTable(name), after[name])
    for name in (n for n in after if n in before):
        found += _rule_changes(name, before[name], after[name])
    return found


def _rule_changes(name: str, was: DecisionTable, now: DecisionTable) -> list[Change]:
    """A table's rows by their condition: added, removed, result changed; its hit policy
    and default result."""
    subject = Subject.table(name)
    before = {r.when.text: r.then for r in was.rules}
    after = {r.when.text: r.then for r in now.rules}
    found = []

    def add(kind: ChangeKind, words: Text) -> None:
        found.append(Change("decision_table", kind, name, words))

    for when in (w for w in before if w not in after):
        add("changed", subject.rule("删除规则", "removed the rule", when, before[when]))
    for when in (w for w in after if w not in before):
        add("changed", subject.rule("新增规则", "added the rule", when, after[when]))
    for when in (w for w in after if w in before and plain(after[w]) != plain(before[w])):
        aspect = Text(f"规则“{when}”的结果", f"result of the rule '{when}'")
        add("changed", subject.moved(aspect, before[when], after[when]))
    if was.hit != now.hit and was.rules:
        add("changed", subject.moved(Text("命中方式", "hit policy"), was.hit, now.hit))
    if plain(was.default) != plain(now.default):
        add("changed", subject.moved(Text("默认结果", "default result"), was.default, now.default))
    return found


def _type(node: Node) -> Text:
    return NODE_TYPES.get(node.type, Text(node.type.value, node.type.value))
