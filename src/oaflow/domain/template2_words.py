"""The words of Template 2 (流程节点配置表) both ways: node types, who is responsible, the
system trigger — so that the import reads what the export writes."""

from __future__ import annotations

import re

from oaflow.domain.definition import NodeType
from oaflow.domain.template_sheets import Column

COLUMNS = (
    Column("number", "节点编号", "No.", ("编号",)),
    Column("name", "节点名称", "Node name"),
    Column("owner", "负责部门/人", "Department / person", ("负责部门", "负责人")),
    Column("inputs", "输入要求", "Inputs"),
    Column("outputs", "输出要求", "Outputs"),
    Column("hours", "时限(小时)", "Time limit (hours)", ("时限",)),
    Column("trigger", "系统触发条件", "Trigger", ("触发条件",)),
    Column("type", "节点类型", "Node type", ("类型",)),
    Column("note", "说明", "Note", ("备注",)),
)
REQUIRED = ("number", "name", "owner", "inputs", "outputs", "hours", "trigger")
#: the sheet of the nodes and the sheet of the process (key, names, initiators)
NODES_SHEET = ("流程节点配置表", "Nodes")
PROCESS_SHEET = ("流程信息", "Process")
PROCESS_ITEMS = (
    Column("key", "流程编号", "Process key"),
    Column("name", "流程名称", "Name"),
    Column("name_en", "英文名称", "English name"),
    Column("initiators", "发起部门", "Initiating departments"),
    Column("business_key", "业务编号格式", "Business key pattern"),
    Column("version", "版本", "Version"),
)
EXAMPLE = (
    ("001", "需求提交", "发起部门", "任务目标、协同部门清单", "任务ID、基础信息", "2", "手动发起"),
    (
        "002",
        "需求审核",
        "分管领导",
        "《多部门协同任务需求表》",
        "审批结果(通过/驳回)",
        "24",
        "001节点完成后自动触发",
    ),
    (
        "003",
        "研发方案输出",
        "研发部负责人",
        "产品需求文档",
        "研发方案(含时间计划)",
        "72",
        "002节点通过后自动触发",
    ),
)

#: node types as the 节点类型 column writes them; the first word is the one exported
TYPE_WORDS: dict[NodeType, tuple[str, str]] = {
    NodeType.INITIATE: ("发起", "initiate"),
    NodeType.APPROVAL: ("审批", "approval"),
    NodeType.CONFIRM: ("确认", "confirm"),
    NodeType.HANDLE: ("处理", "handle"),
    NodeType.FEEDBACK: ("反馈", "feedback"),
    NodeType.MILESTONE: ("里程碑", "milestone"),
    NodeType.EXCLUSIVE: ("排他网关", "exclusive gateway"),
    NodeType.PARALLEL: ("并行分支", "parallel split"),
    NodeType.JOIN: ("并行汇聚", "parallel join"),
    NodeType.MULTI_INSTANCE: ("多实例", "multi-instance"),
    NodeType.SERVICE: ("外部系统", "service"),
    NodeType.NOTIFY: ("抄送", "notify"),
    NodeType.ARCHIVE: ("汇总归档", "archive"),
    NodeType.END: ("结束", "end"),
}
#: the types a row of the table can make (the others need the YAML)
IMPORTABLE = frozenset(
    {NodeType.APPROVAL, NodeType.CONFIRM, NodeType.HANDLE, NodeType.FEEDBACK, NodeType.MILESTONE}
)
_TYPE_ALIASES = {"执行": NodeType.HANDLE, "处理/执行": NodeType.HANDLE}


def node_type(word: str) -> NodeType | None:
    wanted = word.strip().lower()
    for kind, (zh, en) in TYPE_WORDS.items():
        if wanted in (zh, en, kind.value):
            return kind
    return _TYPE_ALIASES.get(word.strip())


def type_word(kind: NodeType, lang: str) -> str:
    zh, en = TYPE_WORDS[kind]
    return zh if lang == "zh" else en


# --- the trigger ----------------------------------------------------------------------------

MANUAL_START = ("手动发起", "manual start")  # the process's first step, at once
MANUAL_TRIGGER = ("手动触发", "manual trigger")  # the first step, started by its owner
_AFTER = re.compile(
    r"^(?P<nodes>.+?)节点(?P<how>完成|通过)后(?P<mode>自动|手动)(?:触发|发起)$"
    r"|^(?P<mode_en>auto|manual) after (?P<nodes_en>.+?) (?P<how_en>done|approved)$",
    re.IGNORECASE,
)


def after_text(numbers: list[str], approved: bool, manual: bool, lang: str) -> str:
    """``001节点完成后自动触发`` / ``auto after 001 done``."""
    if lang == "zh":
        how = "通过" if approved else "完成"
        return f"{'、'.join(numbers)}节点{how}后{'手动' if manual else '自动'}触发"
    how = "approved" if approved else "done"
    return f"{'manual' if manual else 'auto'} after {', '.join(numbers)} {how}"


def parse_trigger(text: str) -> tuple[list[str], bool, bool] | None:
    """(the nodes named, approved?, manual?) — ``[]`` for the process's first step
    (手动发起, or 手动触发 when its owner starts it); None when the text is not a trigger
    the table knows."""
    plain = text.strip()
    if plain.lower() in MANUAL_START:
        return [], False, False
    if plain.lower() in MANUAL_TRIGGER:
        return [], False, True
    match = _AFTER.match(plain)
    if match is None:
        return None
    nodes = match.group("nodes") or match.group("nodes_en") or ""
    how = match.group("how") or match.group("how_en") or ""
    mode = match.group("mode") or match.group("mode_en") or ""
    numbers = [n.strip() for n in re.split(r"[、,，]", nodes) if n.strip()]
    return numbers, how in ("通过", "approved"), mode.lower() in ("手动", "manual")


# --- who is responsible ---------------------------------------------------------------------

INITIATOR = ("发起人", "initiator")
INITIATING_DEPARTMENT = ("发起部门", "initiating department")
INITIATING_HEAD = ("发起部门负责人", "initiating department head")
LEADER = ("分管领导", "supervising leader")
ROLES = {
    "general_manager": ("总经理", "general manager"),
    "administrator": ("管理员", "administrator"),
    "auditor": ("审计员", "auditor"),
}
PICKS = {"head": ("负责人", " head"), "interface": ("接口人", " interface"), "members": ("", "")}


def word(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def hours_text(hours: float) -> str:
    return str(int(hours)) if float(hours).is_integer() else f"{hours:g}"


def node_id(number: str) -> str:
    """``001`` → ``n001`` (a node id starts with a letter); other numbers are the id."""
    return f"n{number}" if number[:1].isdigit() else number


def node_number(node: str) -> str:
    return node[1:] if re.fullmatch(r"n\d+", node) else node
