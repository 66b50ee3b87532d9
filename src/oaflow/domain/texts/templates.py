"""Texts of the manual's templates as sheets (TPL-1..4): reading an upload, Template 1 rows
as start forms, Template 2 rows as a process definition. Every problem is placed at its
sheet, row and column (``tpl.at_cell``)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

_FORMULA_HINT = (
    "直接输入值本身（或用“选择性粘贴 → 数值”粘贴）；确要以 = + - @ 开头的文字，在前面加一个 '",
    "type the value itself (or Paste Special → Values); text that must start with = + - @ "
    "takes a ' before it",
)
_COLUMNS_HINT = ("模板的列：{known}", "the template's columns: {known}")

PLACES = {
    # the Problem around it says "sheet:row: " first (``Problem.where``)
    "tpl.at_cell": Entry(
        "“{column}”列：{problem}", "column {column}: {problem}", "{advice}", "{advice}"
    ),
    "tpl.at_sheet": Entry("本表：{problem}", "this sheet: {problem}", "{advice}", "{advice}"),
}

FILES = {
    "tpl.file.kind": Entry(
        "{file} 不是 .xlsx 或 .csv 文件",
        "{file} is not an .xlsx or .csv file",
        "在 Excel 中另存为 .xlsx 或 CSV UTF-8",
        "save it from Excel as .xlsx or CSV UTF-8",
    ),
    "tpl.file.not_a_workbook": Entry(
        "该文件不是 Excel 工作簿（.xlsx）",
        "the file is not an Excel workbook (.xlsx)",
        "在 Excel 中另存为“Excel 工作簿 (*.xlsx)”后再试",
        "save the file in Excel as 'Excel Workbook (*.xlsx)' and try again",
    ),
    "tpl.file.empty": Entry(
        "表中没有数据行",
        "the sheet has no rows below its header",
        "在表头下每行填写一项",
        "fill in one item per row below the header",
    ),
    "tpl.cell.formula": Entry(
        "单元格中是公式 {value}", "the cell holds a formula {value}", *_FORMULA_HINT
    ),
    "tpl.cell.error_value": Entry(
        "单元格中是错误值 {value}", "the cell holds the error {value}", *_FORMULA_HINT
    ),
    "tpl.header.unknown": Entry(
        "表头中有未知的列", "the header has an unknown column", *_COLUMNS_HINT
    ),
    "tpl.header.missing": Entry("表头缺少这一列", "the header lacks this column", *_COLUMNS_HINT),
    "tpl.header.doubled": Entry(
        "这一列出现了两次", "this column appears twice", "每列只保留一个", "keep one of each"
    ),
    "tpl.template.unknown": Entry(
        "没有模板 {number}",
        "there is no template {number}",
        "模板为 1、2、3、4",
        "templates are 1, 2, 3, 4",
    ),
    "tpl.template.no_import": Entry(
        "模板 {number} 不能导入",
        "template {number} cannot be imported",
        "只有模板1和模板2可导入",
        "only templates 1 and 2 are imported",
    ),
}

TEMPLATE_1 = {
    "tpl.department.unknown": Entry(
        "“{name}”不是已知的部门",
        "'{name}' is not a known department",
        "填写组织中部门的名称或代码（如 研发部 或 rnd）",
        "write the name or code of a department of the organisation (e.g. 研发部 or rnd)",
    ),
    "tpl.priority.unknown": Entry(
        "优先级“{value}”无法识别",
        "priority '{value}' is not known",
        "填写 高、中 或 低",
        "write high, normal or low (高、中、低)",
    ),
    "tpl.key_node.unreadable": Entry(
        "关键节点无法识别：“{text}”",
        "key nodes cannot be read at '{text}'",
        "每个关键节点写作“3.15前研发输出方案(研发部负责人)”",
        "write each key node as '3.15前研发输出方案(研发部负责人)' (date, 前, name, owner)",
    ),
    "tpl.key_node.bad_date": Entry(
        "关键节点日期无效：“{text}”",
        "key node with an impossible date: '{text}'",
        "写一个存在的日期，如 3.15 或 2024.3.15",
        "write a real date such as 3.15 or 2024.3.15",
    ),
    "tpl.owner.ambiguous": Entry(
        "负责人“{name}”有 {count} 个同名人员",
        "owner '{name}' names {count} people",
        "写登录名，或写部门名加“负责人”",
        "write the login, or a department with 负责人",
    ),
    "tpl.owner.unknown": Entry(
        "负责人“{name}”不是已知的部门或人员",
        "owner '{name}' is not a known department or person",
        "写部门名加“负责人”（如 研发部负责人），或一个人的姓名或登录名",
        "write a department with 负责人 (e.g. 研发部负责人), or a person's name or login",
    ),
}

TEMPLATE_1_START = {
    "tpl1.department.not_yours": Entry(
        "发起部门 {department} 不是您所在的部门",
        "initiating department {department} is not one of yours",
        "填写您所在的部门，或留空（默认为您的部门）",
        "write a department you belong to, or leave it empty (yours by default)",
    ),
    "tpl1.department.not_initiating": Entry(
        "部门 {department} 不能发起这个流程",
        "department {department} may not start this process",
        "由流程的发起部门导入",
        "let one of the process's initiating departments import it",
    ),
}

TEMPLATE_2 = {
    "tpl2.no_nodes_sheet": Entry(
        "没有节点表",
        "no sheet of nodes",
        "把节点写在名为“流程节点配置表”的工作表中",
        "put the nodes on a sheet named 流程节点配置表 (Nodes)",
    ),
    "tpl2.process.missing": Entry(
        "缺少流程的“{item}”",
        "the process's {item} is missing",
        "在“流程信息”工作表中填写，或在导入时给出（--key、--name）",
        "fill it in on the sheet 流程信息 (Process) or give it when importing (--key, --name)",
    ),
    "tpl2.process.bad_key": Entry(
        "流程编号“{key}”无效",
        "process key '{key}' is not valid",
        "只用小写字母、数字和 -（最多 64 个）",
        "use lower-case letters, digits and - (at most 64)",
    ),
    "tpl2.process.unknown_item": Entry(
        "未知的流程信息项“{item}”",
        "unknown process item '{item}'",
        "可用：流程编号、流程名称、英文名称、发起部门、业务编号格式",
        "known: 流程编号 key, 流程名称 name, 英文名称 English name, 发起部门 initiators, "
        "业务编号格式 business key",
    ),
    "tpl2.cell.empty": Entry("不能为空", "must not be empty", "填写这一格", "fill in this cell"),
    "tpl2.number.bad": Entry(
        "节点编号“{number}”无效",
        "node number '{number}' is not valid",
        "用数字或字母（如 001）",
        "use digits or letters (e.g. 001)",
    ),
    "tpl2.number.duplicate": Entry(
        "节点编号 {number} 重复（第一次在第 {first} 行）",
        "node number {number} is used twice (first in row {first})",
        "每个节点用不同的编号",
        "give every node its own number",
    ),
    "tpl2.hours.missing": Entry(
        "缺少时限",
        "the time limit is missing",
        "填写小时数，如 24",
        "write a number of hours, e.g. 24",
    ),
    "tpl2.hours.bad": Entry(
        "时限“{value}”无效",
        "time limit '{value}' is not valid",
        "填写大于 0、不超过 8760 的小时数",
        "write hours above 0 and at most 8760",
    ),
    "tpl2.owner.ambiguous": Entry(
        "“{name}”有 {count} 个同名人员",
        "'{name}' names {count} people",
        "写登录名",
        "write the login",
    ),
    "tpl2.owner.unknown": Entry(
        "“{name}”不是已知的部门或人员",
        "'{name}' is not a known department or person",
        "写 发起人、发起部门、分管领导、总经理、部门名（加 负责人/接口人/分管领导），或一个人的姓名或登录名",
        "write 发起人, 发起部门, 分管领导, 总经理, a department (with 负责人/接口人/分管领导), "
        "or a person's name or login",
    ),
    "tpl2.trigger.unknown": Entry(
        "触发条件“{text}”无法识别",
        "trigger '{text}' is not known",
        "写“手动发起”或“001节点完成后自动触发”“002节点通过后自动触发”",
        "write 手动发起, or 001节点完成后自动触发 / 002节点通过后自动触发",
    ),
    "tpl2.type.unknown": Entry(
        "节点类型“{word}”无法识别",
        "node type '{word}' is not known",
        "写 审批、确认、处理、反馈 或 里程碑，或留空",
        "write 审批, 确认, 处理, 反馈 or 里程碑, or leave it empty",
    ),
    "tpl2.type.not_importable": Entry(
        "节点类型“{word}”不能从表格导入",
        "node type '{word}' cannot be imported from the table",
        "网关、并行、多实例等节点请在流程定义 YAML 中编写",
        "write gateways, parallel, multi-instance and such nodes in the definition's YAML",
    ),
    "tpl2.flow.no_first": Entry(
        "没有“手动发起”的第一个节点",
        "no first node (a manual start)",
        "在第一个节点的触发条件中写“手动发起”",
        "write 手动发起 as the first node's trigger",
    ),
    "tpl2.flow.two_firsts": Entry(
        "第二个“手动发起”的节点（第一个在第 {first} 行）",
        "a second first node (a manual start; the first is in row {first})",
        "写明它在哪个节点之后触发",
        "say which node it follows",
    ),
    "tpl2.flow.several_before": Entry(
        "触发条件指向 {count} 个节点",
        "the trigger names {count} nodes",
        "表格只表达顺序流程；汇聚请在 YAML 中编写",
        "the table says a sequence only; write joins in the YAML",
    ),
    "tpl2.flow.unknown_node": Entry(
        "触发条件中的节点 {number} 不存在",
        "the trigger names node {number}, which is not in the table",
        "写表中某个节点的编号",
        "name the number of a node in the table",
    ),
    "tpl2.flow.itself": Entry(
        "节点 {number} 在自身之后触发",
        "node {number} follows itself",
        "写它前面节点的编号",
        "name the node before it",
    ),
    "tpl2.flow.branch": Entry(
        "节点 {number} 之后已有第 {first} 行的节点",
        "node {number} is already followed by the node of row {first}",
        "表格只表达顺序流程；分支请在 YAML 中编写",
        "the table says a sequence only; write branches in the YAML",
    ),
    "tpl2.flow.not_a_decision": Entry(
        "节点 {number} 不是审批或确认节点，不能“通过”",
        "node {number} is not an approval or confirmation, so it is not 'approved'",
        "写“{number}节点完成后自动触发”，或把节点 {number} 的类型写为 审批",
        "write {number}节点完成后自动触发, or make node {number} an approval (审批)",
    ),
    "tpl2.flow.unreached": Entry(
        "这个节点从“手动发起”的节点到不了",
        "this node cannot be reached from the first node",
        "检查触发条件中的节点编号",
        "check the node numbers in the triggers",
    ),
    "tpl2.definition": Entry(
        "由表格生成的流程定义有问题：{problem}",
        "the definition built from the table has a problem: {problem}",
        "{advice}",
        "{advice}",
    ),
}

TEXTS = {**PLACES, **FILES, **TEMPLATE_1, **TEMPLATE_1_START, **TEMPLATE_2}
