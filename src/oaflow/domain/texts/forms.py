"""Texts of the errors and problems of form values (initiation forms, task outputs).

``form.expected.*`` say what a value must be; they are parameters of ``form.value.wrong_type``.
"""

from __future__ import annotations

from oaflow.domain.texts import Entry

EXPECTED = {
    "form.expected.text": Entry("文本", "a text"),
    "form.expected.number": Entry("数字", "a number"),
    "form.expected.integer": Entry("整数", "a whole number"),
    "form.expected.boolean": Entry("true 或 false", "true or false"),
    "form.expected.date": Entry("YYYY-MM-DD 格式的日期", "a date written YYYY-MM-DD"),
    "form.expected.datetime": Entry(
        "YYYY-MM-DDTHH:MM 格式的日期时间", "a date and time written YYYY-MM-DDTHH:MM"
    ),
    "form.expected.department": Entry("部门代码", "a department code"),
    "form.expected.departments": Entry("部门代码列表", "a list of department codes"),
    "form.expected.user": Entry("用户登录名", "a user login"),
    "form.expected.list": Entry("列表", "a list"),
}

VALUES = {
    "form.value.missing": Entry(
        "`{field}`（{label}）是必填项，但没有填写", "`{field}` ({label}) is required but missing"
    ),
    "form.value.not_allowed": Entry(
        "`{field}` 必须是 {values} 之一；实际是 {value}",
        "`{field}` must be one of {values}; got {value}",
    ),
    "form.value.wrong_type": Entry(
        "`{field}` 必须是{expected}；实际是 {value}", "`{field}` must be {expected}; got {value}"
    ),
    "form.field.unknown": Entry(
        "`{field}` 不是这张表单的字段", "`{field}` is not a field of this form"
    ),
    "form.deliverable.missing": Entry(
        "交付物 `{name}` 没有附上", "deliverable `{name}` is not attached"
    ),
    "form.initiation.invalid": Entry(
        "发起表单填写有误：{problems}",
        "the initiation form is not valid: {problems}",
        "流程 '{process}' 的字段有：{fields}",
        "fields of '{process}': {fields}",
    ),
    "form.outputs.invalid": Entry(
        "任务 {task}（{node}）无法完成：{problems}",
        "task {task} ({node}) cannot be finished: {problems}",
        "补上缺少的输出和交付物后再提交",
        "supply the missing outputs and deliverables, then finish it again",
    ),
}

TEXTS: dict[str, Entry] = {**EXPECTED, **VALUES}
