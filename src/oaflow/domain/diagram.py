"""A definition as a Mermaid flowchart (DEF-8).

Each node shows its name, who is responsible and its time limit; gateways are diamonds,
the start a stadium, the end a circle. Routes carry their condition, the default route
"默认"/"default", and returns on reject are dotted arrows.
"""

from __future__ import annotations

import re

from oaflow.domain.definition import Assignment, Node, NodeType, ProcessDefinition, TimeLimit

_SHAPES: dict[NodeType, tuple[str, str]] = {
    NodeType.INITIATE: ('(["', '"])'),
    NodeType.EXCLUSIVE: ('{"', '"}'),
    NodeType.PARALLEL: ('{"', '"}'),
    NodeType.JOIN: ('{"', '"}'),
    NodeType.END: ('(("', '"))'),
    NodeType.SERVICE: ('[["', '"]]'),
    NodeType.NOTIFY: ('>"', '"]'),
    NodeType.ARCHIVE: ('[("', '")]'),
}
_WORDS: dict[str, tuple[str, str]] = {
    "default": ("默认", "default"),
    "reject": ("驳回", "rejected"),
    "head": ("负责人", "head"),
    "interface": ("接口人", "interface persons"),
    "members": ("成员", "members"),
    "leader": ("分管领导", "supervising leader"),
    "initiator": ("发起人", "initiator"),
    "initiator_dept": ("发起部门", "the initiator's department"),
    "role": ("角色", "role"),
    "user": ("用户", "user"),
    "field": ("表单字段", "form field"),
    "decision": ("决策表", "decision table"),
    "each": ("每个部门", "each department of"),
    "working": ("工作小时", "working hours"),
    "calendar": ("日历小时", "calendar hours"),
    "due": ("计划日期", "due on"),
    "starts": ("计划开始", "starts on"),
    "manual": ("手动启动", "started by hand"),
    "service": ("系统", "system"),
    "notify": ("抄送", "to"),
}
_SAFE_ID = re.compile(r"[^A-Za-z0-9_]")


def to_mermaid(d: ProcessDefinition, lang: str = "zh") -> str:
    """Mermaid ``flowchart TD`` text for ``d`` in ``lang`` (zh or en)."""
    ids = _mermaid_ids(d)
    lines = ["flowchart TD"]
    lines += [f"    {ids[n.id]}{_box(n, lang)}" for n in d.nodes.values()]
    for node in d.nodes.values():
        lines += _arrows(d, node, ids, lang)
    return "\n".join(lines) + "\n"


def _mermaid_ids(d: ProcessDefinition) -> dict[str, str]:
    """Node ids Mermaid accepts (``end`` is a keyword; '-' confuses arrows): n_<id>."""
    ids: dict[str, str] = {}
    for node_id in d.nodes:
        safe = "n_" + _SAFE_ID.sub("_", node_id)
        while safe in ids.values():
            safe += "_"
        ids[node_id] = safe
    return ids


def _word(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def _escape(text: str) -> str:
    """Mermaid entity codes for characters that would end or confuse a label."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text.replace("|", "#124;").replace("\n", " ")


def _box(node: Node, lang: str) -> str:
    parts = [node.name.get(lang), _who(node, lang), *_when(node, lang)]
    label = "<br/>".join(_escape(p) for p in parts if p)
    left, right = _SHAPES.get(node.type, ('["', '"]'))
    return f"{left}{label}{right}"


def _who(node: Node, lang: str) -> str:
    if node.type is NodeType.MULTI_INSTANCE and node.over is not None:
        return f"{_word('each', lang)} {node.over.text}: {_word(node.pick, lang)}"
    if node.assignee is not None:
        return describe(node.assignee, lang)
    if node.type is NodeType.SERVICE and node.service:
        return f"{_word('service', lang)}: {node.service}"
    if node.type is NodeType.NOTIFY and node.notify:
        return f"{_word('notify', lang)}: " + ", ".join(describe(a, lang) for a in node.notify)
    return node.archive_name if node.type is NodeType.ARCHIVE else ""


def describe(a: Assignment, lang: str = "zh") -> str:
    """Who an assignment names, in a few words."""
    if a.kind == "department":
        return _of(_word(a.pick, lang), a.department, lang)
    if a.kind in ("head_of", "leader_of"):
        role = _word("head" if a.kind == "head_of" else "leader", lang)
        whose = _word("initiator_dept", lang) if a.relative_to == "initiator" else a.relative_to
        return _of(role, whose, lang)
    if a.kind == "initiator":
        return _word("initiator", lang)
    if a.kind == "users":
        return "、".join(a.users)
    value = {"role": a.role, "user": a.user, "field": a.field, "decision": a.table}[a.kind]
    return f"{_word(a.kind, lang)} {value}"


def _of(role: str, whose: str, lang: str) -> str:
    return f"{role} of {whose}" if lang == "en" else f"{whose} {role}"


def _when(node: Node, lang: str) -> list[str]:
    """When the node starts (if not at once) and how long it has, or when it is due."""
    parts: list[str] = []
    if node.trigger.kind == "planned_date":
        parts.append(f"{_word('starts', lang)}: {node.trigger.field}")
    elif node.trigger.kind == "manual":
        parts.append(_word("manual", lang))
    if node.time_limit:
        parts.append(_hours(node.time_limit, lang))
    elif node.planned is not None:
        parts.append(f"{_word('due', lang)}: {node.planned.field or node.planned.key_node}")
    return parts


def _hours(limit: TimeLimit, lang: str) -> str:
    return f"{limit.hours:g} {_word(limit.basis, lang)}"


def _arrows(d: ProcessDefinition, node: Node, ids: dict[str, str], lang: str) -> list[str]:
    source = ids[node.id]
    arrows = [f"    {source} --> {ids[t]}" for t in node.next if t in ids]
    for route in node.routes:
        label = route.when.text if route.when is not None else _word("default", lang)
        if route.to in ids:
            arrows.append(f'    {source} -->|"{_escape(label)}"| {ids[route.to]}')
    arrows += _table_arrows(d, node, ids)
    if node.on_reject != "end" and node.on_reject in ids:
        arrows.append(f'    {source} -.->|"{_word("reject", lang)}"| {ids[node.on_reject]}')
    return arrows


def _table_arrows(d: ProcessDefinition, node: Node, ids: dict[str, str]) -> list[str]:
    table = d.decision_tables.get(node.decision) if node.decision else None
    if table is None:
        return []
    arrows = []
    for rule in table.rules:
        to = rule.then.get("to")
        if isinstance(to, str) and to in ids:
            label = f"{table.name}: {rule.when.text}"
            arrows.append(f'    {ids[node.id]} -->|"{_escape(label)}"| {ids[to]}')
    return arrows
