"""Texts of the errors and problems of the organisation and its files (ORG-1..3).

A problem of one department or user starts with its place (``org.place.*``: "department
rnd", "user li.na"); ``org.kind.*`` and ``org.person.*`` are parameters of other texts.
"""

from __future__ import annotations

from oaflow.domain.texts import Entry

WORDS = {
    "org.kind.department": Entry("部门", "department"),
    "org.kind.user": Entry("用户", "user"),
    "org.place.department": Entry("部门 {code}", "department {code}"),
    "org.place.user": Entry("用户 {login}", "user {login}"),
    "org.person.head": Entry("负责人", "head"),
    "org.person.leader": Entry("分管领导", "leader"),
    "org.person.interface": Entry("接口人", "interface person"),
    "org.hint.code_pattern": Entry(
        "以字母开头，其后为小写字母、数字、'_' 或 '-'",
        "a letter, then lower-case letters, digits, '_' or '-'",
    ),
    "org.hint.login_pattern": Entry(
        "小写字母、数字、'.'、'_' 或 '-'（最多 64 个）",
        "lower-case letters, digits, '.', '_' or '-' (at most 64)",
    ),
}

REFERENCES = {
    "org.department.unknown_parent": Entry(
        "{where}：上级部门 {parent} 不存在",
        "{where}: parent {parent} is not a known department",
        "填写本文件中某个部门的代码；根部门的上级留空",
        "use the code of a department in this file, or leave parent empty for a root",
    ),
    "org.department.unknown_user": Entry(
        "{where}：{person} {login} 不是已有的用户",
        "{where}: {person} {login} is not a known user",
        "在用户中添加该用户，或改正登录名",
        "add the user to the users, or correct the login",
    ),
    "org.user.unknown_department": Entry(
        "{where}：部门 {department} 不存在",
        "{where}: department {department} is not a known department",
        "填写本文件中某个部门的代码",
        "use the code of a department in this file",
    ),
    "org.department.cycle": Entry(
        "部门之间形成了循环：{cycle}",
        "departments form a cycle: {cycle}",
        "部门必须构成一棵树：给其中一个部门换一个上级，或不设上级",
        "departments must form a tree: give one of them another parent or none",
    ),
}

_DEPARTMENT_HINT = ("每个部门要有自己的代码", "every department needs its own code")
_USER_HINT = ("每个用户要有自己的登录名", "every user needs its own login")

RECORDS = {
    "org.department.duplicate": Entry(
        "部门 {name} 重复", "duplicate department {name}", *_DEPARTMENT_HINT
    ),
    "org.department.duplicate_at": Entry(
        "部门 {name} 重复（第一次出现在第 {first} 行）",
        "duplicate department {name} (first at line {first})",
        *_DEPARTMENT_HINT,
    ),
    "org.department.duplicate_at_cell": Entry(
        "部门 {name} 重复（第一次出现在 {first}）",
        "duplicate department {name} (first at {first})",
        *_DEPARTMENT_HINT,
    ),
    "org.user.duplicate": Entry("用户 {name} 重复", "duplicate user {name}", *_USER_HINT),
    "org.user.duplicate_at": Entry(
        "用户 {name} 重复（第一次出现在第 {first} 行）",
        "duplicate user {name} (first at line {first})",
        *_USER_HINT,
    ),
    "org.user.duplicate_at_cell": Entry(
        "用户 {name} 重复（第一次出现在 {first}）",
        "duplicate user {name} (first at {first})",
        *_USER_HINT,
    ),
    "org.value.missing": Entry(
        "{where}：缺少 {key}",
        "{where}: {key} is missing",
        "每个{kind}都要有 {key}",
        "give every {kind} a {key}",
    ),
    "org.value.invalid": Entry(
        "{where}：{key} {value} 不合规",
        "{where}: {key} {value} is not valid",
        "请用{allowed}",
        "use {allowed}",
    ),
    "org.key.unknown": Entry(
        "{where}：未知的键 {key}",
        "{where}: unknown key {key}",
        "可用的键：{keys}",
        "the keys are: {keys}",
    ),
    "org.value.not_text": Entry(
        "{where}：{key} 必须是文本，而不是 {value}",
        "{where}: {key} must be text, not {value}",
        "给这个值加上引号",
        "quote the value",
    ),
    "org.value.control_character": Entry(
        "{where}：{key} 含有控制字符 {character}",
        "{where}: {key} contains the control character {character}",
        "删除该字符（常随从其他程序复制的文本带入，例如 NUL 字节）",
        "remove it (it often comes with text copied from another program, e.g. a NUL byte)",
    ),
    "org.value.not_list": Entry(
        "{where}：{key} 必须是列表",
        "{where}: {key} must be a list",
        "写成 {key}: [a, b]",
        "write {key}: [a, b]",
    ),
    "org.value.not_texts": Entry(
        "{where}：{key} 必须是文本列表",
        "{where}: {key} must be a list of text",
        "给这些值加上引号",
        "quote the values",
    ),
    "org.name.bad": Entry(
        "{where}：名称缺失或格式不对",
        "{where}: name is missing or malformed",
        "写成 name: {{zh: 中文名, en: English name}}",
        "write name: {{zh: 中文名, en: English name}}",
    ),
    "org.email.bad": Entry(
        "{where}：邮箱 {email} 不是有效的地址",
        "{where}: email {email} is not an address",
        "写成 name@example.com 的形式",
        "write it as name@example.com",
    ),
    "org.role.unknown": Entry(
        "{where}：未知的角色 {role}",
        "{where}: unknown role {role}",
        "可用的角色：{roles}",
        "roles are: {roles}",
    ),
    "org.value.not_flag": Entry(
        "{where}：{key} {value} 不是 true 或 false",
        "{where}: {key} {value} is not true or false",
        "填写 true 或 false",
        "write true or false",
    ),
}

FILES = {
    "org.file.not_mapping": Entry(
        "文件必须是映射",
        "the file must be a mapping",
        "以 departments: 和 users: 开头",
        "start with departments: and users:",
    ),
    "org.file.unknown_key": Entry(
        "未知的键 {key}",
        "unknown key {key}",
        "只能用 departments 和 users",
        "use departments and users",
    ),
    "org.file.not_list": Entry(
        "{key} 必须是列表",
        "{key} must be a list",
        "每个{kind}写一项 '- ...'",
        "write one '- ...' per {kind}",
    ),
    "org.file.item_not_mapping": Entry(
        "每个{kind}必须是映射",
        "a {kind} must be a mapping",
        "写成 键: 值 的形式",
        "write key: value pairs",
    ),
    "org.csv.missing_columns": Entry(
        "表头：缺少 {missing}",
        "header: missing {missing}",
        "列依次为：{columns}",
        "the columns are: {columns}",
    ),
    "org.csv.unknown_columns": Entry(
        "表头：未知的列 {unknown}",
        "header: unknown columns {unknown}",
        "列依次为：{columns}",
        "the columns are: {columns}",
    ),
    "org.csv.bad_type": Entry(
        "type {type} 既不是 department 也不是 user",
        "type {type} is neither department nor user",
        "填写 department 或 user",
        "write department or user",
    ),
    "org.csv.too_many_cells": Entry(
        "这一行的单元格比表头多",
        "the row has more cells than the header",
        "删除多余的单元格",
        "remove the extra cells",
    ),
    "org.csv.columns_not_for_kind": Entry(
        "{kind}行：列 {columns} 不适用",
        "{kind} row: columns {columns} do not apply",
        "{kind}行中这些列留空",
        "leave them empty in {kind} rows",
    ),
}

_COLUMNS_HINT = ("列依次为：{columns}", "the columns are: {columns}")
_FORMULA_HINT = (
    "直接输入值本身（或用“选择性粘贴 → 数值”粘贴）",
    "type the value itself (or paste it with Paste Special → Values)",
)

WORKBOOKS = {
    "org.xlsx.at_row": Entry(
        "工作表“{sheet}”第 {row} 行：{problem}", "{sheet}!{row}: {problem}", "{advice}", "{advice}"
    ),
    "org.xlsx.not_a_workbook": Entry(
        "该文件不是 Excel 工作簿（.xlsx）",
        "the file is not an Excel workbook (.xlsx)",
        "在 Excel 中另存为“Excel 工作簿 (*.xlsx)”后再试",
        "save the file in Excel as 'Excel Workbook (*.xlsx)' and try again",
    ),
    "org.xlsx.no_sheet": Entry(
        "没有名为 {zh} 或 {en} 的工作表",
        "no sheet named {zh} or {en}",
        "把一个工作表命名为 {zh} 或 {en}（导出的文件中工作表名为 {departments} 和 {users}）",
        "name one sheet {zh} or {en} (an export names its sheets {departments} and {users})",
    ),
    "org.xlsx.several_sheets": Entry(
        "有 {count} 个名为 {zh} 或 {en} 的工作表",
        "{count} sheets named {zh} or {en}",
        "只把一个工作表命名为 {zh} 或 {en}（导出的文件中工作表名为 {departments} 和 {users}）",
        "name one sheet {zh} or {en} (an export names its sheets {departments} and {users})",
    ),
    "org.xlsx.missing_columns": Entry(
        "表头：缺少列 {missing}", "header: missing columns {missing}", *_COLUMNS_HINT
    ),
    "org.xlsx.unknown_columns": Entry(
        "表头：未知的列 {unknown}", "header: unknown columns {unknown}", *_COLUMNS_HINT
    ),
    "org.xlsx.doubled_columns": Entry(
        "表头：列 {columns} 出现了两次",
        "header: columns {columns} appear twice",
        "每列只保留一个",
        "keep one of each",
    ),
    "org.xlsx.formula": Entry(
        "单元格 {cell} 中是公式", "cell {cell} holds a formula", *_FORMULA_HINT
    ),
    "org.xlsx.error_value": Entry(
        "单元格 {cell} 中是错误值 {value}", "cell {cell} holds the error {value}", *_FORMULA_HINT
    ),
    "org.xlsx.untitled_column": Entry(
        "单元格 {cell} 所在的列没有标题",
        "cell {cell} is in a column without a title",
        "给这一列加上表头中的标题，或清空该单元格",
        "give the column a title from the header or empty the cell",
    ),
}

TEXTS: dict[str, Entry] = {**WORDS, **REFERENCES, **RECORDS, **FILES, **WORKBOOKS}
