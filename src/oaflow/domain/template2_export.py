"""Every process definition as Template 2 (流程节点配置表): one row per node, in the words the
import reads (``domain/template2_import.py``), so a sheet that was imported exports to the
same cells. What the table cannot say — gateways and their rules, parallel branches and
joins, multi-instance steps, service, notify and archive steps, reminders and escalation,
planned dates, a return on rejection, calendar-hour limits — is written in a ``说明`` column
(only when a node needs it), and the ``节点类型`` column appears only when a type differs from
what the other cells imply."""

from __future__ import annotations

from dataclasses import dataclass

from oaflow.domain.definition import (
    Assignment,
    Node,
    NodeType,
    ProcessDefinition,
    Sla,
)
from oaflow.domain.template2_import import inferred_type
from oaflow.domain.template2_words import (
    COLUMNS,
    INITIATING_DEPARTMENT,
    INITIATING_HEAD,
    LEADER,
    MANUAL_START,
    MANUAL_TRIGGER,
    PICKS,
    PROCESS_ITEMS,
    ROLES,
    after_text,
    hours_text,
    node_number,
    type_word,
    word,
)
from oaflow.domain.template_names import Directory


@dataclass(frozen=True)
class Exported:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    process: tuple[tuple[str, str], ...]  # the 流程信息 sheet: (item, value)


def export_rows(
    definition: ProcessDefinition, names: Directory, lang: str, version: str = ""
) -> Exported:
    nodes = [n for n in definition.nodes.values() if not _implied(definition, n)]
    before = _predecessors(definition)
    cells = [_cells(definition, n, before.get(n.id, []), names, lang) for n in nodes]
    approved_after = {
        before[n.id][0]
        for n in nodes
        if len(before.get(n.id, [])) == 1 and definition.nodes[before[n.id][0]].is_decision
    }
    types = [type_word(n.type, lang) for n in nodes]
    show_type = any(n.type is not inferred_type(n.id, _outputs(n), approved_after) for n in nodes)
    notes = [_note(definition, n, lang) for n in nodes]
    show_note = any(notes)
    headers = [c.title(lang) for c in COLUMNS[:7]]
    rows = []
    for index, row in enumerate(cells):
        full = list(row)
        if show_type:
            full.append(types[index])
        if show_note:
            full.append(notes[index])
        rows.append(tuple(full))
    if show_type:
        headers.append(COLUMNS[7].title(lang))
    if show_note:
        headers.append(COLUMNS[8].title(lang))
    return Exported(tuple(headers), tuple(rows), _process(definition, names, lang, version))


def _implied(definition: ProcessDefinition, node: Node) -> bool:
    """The start node an import adds (``start``, before the 手动发起 step) and end nodes."""
    if node.type is NodeType.END:
        return True
    return (
        node is definition.start
        and node.type is NodeType.INITIATE
        and node.id == "start"
        and not node.inputs
    )


def _predecessors(definition: ProcessDefinition) -> dict[str, list[str]]:
    before: dict[str, list[str]] = {}
    for node in definition.nodes.values():
        for after in definition.successors(node.id):
            before.setdefault(after, []).append(node.id)
    return before


def _cells(
    definition: ProcessDefinition, node: Node, before: list[str], names: Directory, lang: str
) -> tuple[str, ...]:
    return (
        node_number(node.id),
        node.name.get(lang),
        _owner(node, names, lang),
        "、".join(node.inputs) if lang == "zh" else ", ".join(node.inputs),
        "、".join(_outputs(node)) if lang == "zh" else ", ".join(_outputs(node)),
        hours_text(node.time_limit.hours) if node.time_limit else "",
        _trigger(definition, node, before, lang),
    )


def _outputs(node: Node) -> list[str]:
    fields = [f.label.zh or f.name for f in node.outputs.fields]
    fields = [
        f"{label}*" if f.required else label
        for f, label in zip(node.outputs.fields, fields, strict=True)
    ]
    return [*fields, *(f"文件:{d}" for d in node.outputs.deliverables)]


def _trigger(definition: ProcessDefinition, node: Node, before: list[str], lang: str) -> str:
    manual = node.trigger.kind == "manual"
    shown = [b for b in before if not _implied(definition, definition.nodes[b])]
    if node.type is NodeType.INITIATE or not shown:
        return word(MANUAL_TRIGGER if manual else MANUAL_START, lang)
    approved = all(definition.nodes[b].is_decision for b in shown)
    return after_text([node_number(b) for b in shown], approved, manual, lang)


def _owner(node: Node, names: Directory, lang: str) -> str:
    if node.type is NodeType.INITIATE:
        return word(INITIATING_DEPARTMENT, lang)
    if node.type is NodeType.MULTI_INSTANCE:
        return "协同部门" if lang == "zh" else "collaborating departments"
    return assignee_text(node.assignee, names, lang) if node.assignee else ""


def assignee_text(a: Assignment, names: Directory, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    if a.kind == "initiator":
        return word(INITIATING_DEPARTMENT, lang)
    if a.kind in ("head_of", "leader_of") and a.relative_to == "initiator":
        return word(INITIATING_HEAD if a.kind == "head_of" else LEADER, lang)
    if a.kind == "head_of":
        return names.department_name(a.relative_to, lang) + word(PICKS["head"], lang)
    if a.kind == "leader_of":
        return names.department_name(a.relative_to, lang) + (
            "分管领导" if lang == "zh" else " supervising leader"
        )
    if a.kind == "department":
        return names.department_name(a.department, lang) + word(PICKS[a.pick], lang)
    if a.kind == "role":
        return word(ROLES.get(a.role, (a.role, a.role)), lang)
    if a.kind == "user":
        return names.person_name(a.user, lang)
    if a.kind == "users":
        return sep.join(names.person_name(u, lang) for u in a.users)
    if a.kind == "field":
        return f"表单字段 {a.field}" if lang == "zh" else f"form field {a.field}"
    return f"决策表 {a.table}" if lang == "zh" else f"decision table {a.table}"


def _note(definition: ProcessDefinition, node: Node, lang: str) -> str:
    """What the row cannot say about the node ("" when it says everything)."""
    zh = lang == "zh"
    notes: list[str] = []
    if node.type in (
        NodeType.EXCLUSIVE,
        NodeType.PARALLEL,
        NodeType.JOIN,
        NodeType.MULTI_INSTANCE,
        NodeType.SERVICE,
        NodeType.NOTIFY,
        NodeType.ARCHIVE,
    ):
        notes.append(_structure_note(definition, node, zh))
    if node.type is NodeType.INITIATE and node is not definition.start:
        notes.append("发起节点" if zh else "initiate node")
    if node.time_limit and node.time_limit.basis == "calendar":
        notes.append("时限按日历小时计" if zh else "time limit in calendar hours")
    if node.trigger.kind == "planned_date":
        notes.append(
            f"按表单日期 {node.trigger.field} 启动"
            if zh
            else f"starts at form date {node.trigger.field}"
        )
    if node.planned is not None:
        target = node.planned.key_node or node.planned.field
        notes.append(f"计划完成: {target}" if zh else f"planned: {target}")
    if node.is_decision and node.on_reject != "end":
        back = node_number(node.on_reject)
        notes.append(f"驳回后退回 {back}" if zh else f"a rejection returns to {back}")
    if node.assignee is not None and node.assignee.kind in ("field", "decision", "users"):
        notes.append("负责人规则见 YAML" if zh else "assignment rule: see the YAML")
    if node.mode:
        notes.append(f"多人审批: {node.mode}" if zh else f"several approvers: {node.mode}")
    if node.sla != Sla():
        notes.append("提醒/升级规则见 YAML" if zh else "reminders/escalation: see the YAML")
    return "；".join(n for n in notes if n) if zh else "; ".join(n for n in notes if n)


def _structure_note(definition: ProcessDefinition, node: Node, zh: bool) -> str:
    targets = "、".join(node_number(n) for n in definition.successors(node.id))
    if node.type is NodeType.EXCLUSIVE:
        return (
            f"按规则分流至 {targets}（规则见 YAML）"
            if zh
            else f"routes by rule to {targets} (rules: see the YAML)"
        )
    if node.type is NodeType.PARALLEL:
        return f"并行分支: {targets}" if zh else f"parallel branches: {targets}"
    if node.type is NodeType.JOIN:
        return "等待所有并行分支" if zh else "waits for every parallel branch"
    if node.type is NodeType.MULTI_INSTANCE:
        task = type_word(node.task, "zh" if zh else "en")
        return f"每个协同部门一个{task}任务" if zh else f"one {task} task per department"
    if node.type is NodeType.SERVICE:
        return f"调用外部系统 {node.service}" if zh else f"calls {node.service}"
    if node.type is NodeType.NOTIFY:
        return "抄送通知" if zh else "notifies"
    return f"归档为 {node.archive_name}" if zh else f"archived as {node.archive_name}"


def _process(
    definition: ProcessDefinition, names: Directory, lang: str, version: str
) -> tuple[tuple[str, str], ...]:
    sep = "、" if lang == "zh" else ", "
    values = {
        "key": definition.key,
        "name": definition.name.zh,
        "name_en": definition.name.en,
        "initiators": sep.join(names.department_name(c, lang) for c in definition.initiators),
        "business_key": definition.business_key,
        "version": version,
    }
    return tuple((item.title(lang), values[item.key]) for item in PROCESS_ITEMS if values[item.key])
