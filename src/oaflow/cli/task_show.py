"""`oaflow task show`: what a handler needs to work on a task, as text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oaflow.cli.common import console, lang, local, print_table, say, zh
from oaflow.present.words import holder_text, state_label
from oaflow.services.app import App
from oaflow.services.views import FieldValue, TaskDetail, TaskSummary

MASK = "***"


def value_text(field: FieldValue) -> str:
    if field.masked:
        return MASK
    return _plain(field.value)


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _outputs_text(outputs: Mapping[str, Any]) -> str:
    """``cause: 模具磨损; solution: 更换模具; 方案: plan.pdf`` (deliverables by their name)."""
    parts = []
    for name, value in outputs.items():
        if name == "deliverables" and isinstance(value, Mapping):
            parts += [f"{k}: {_plain(v)}" for k, v in value.items()]
        elif value not in (None, "", [], {}):
            parts.append(f"{name}: {_plain(value)}")
    return "; ".join(parts)


def _finished(app: App, task: TaskSummary) -> str:
    by = say(task.finished_by.name) if task.finished_by else ""
    return " ".join(x for x in (local(app, task.finished_at) or "", by) if x)


def print_task(app: App, view: TaskDetail) -> None:
    task = view.task
    line = " · ".join(
        x
        for x in (
            f"{zh('任务', 'task')} {task.id}",
            task.business_key,
            task.title,
            say(task.node.name),
            state_label(task.state, lang()),
        )
        if x
    )
    console.print(line, markup=False)
    closed = task.finished_at is not None
    facts = [
        (zh("流程", "process"), say(task.process_name)),
        (zh("负责部门", "department"), say(task.department.name) if task.department else ""),
        (zh("处理人", "assignee"), holder_text(task, lang())),
        (zh("截止", "due"), local(app, task.due_at) or ""),
        (
            zh("剩余(小时)", "left (h)"),
            "" if task.remaining_hours is None or closed else task.remaining_hours,
        ),
        # a closed task has no countdown: say who finished it and when instead of "no limit"
        ("SLA", "" if closed else state_label(task.sla, lang())),
        (zh("完成", "finished"), _finished(app, task) if closed else ""),
        (zh("进度", "progress"), f"{task.progress}%"),
        (zh("成果", "outputs"), _outputs_text(view.outputs)),
        (zh("输入要求", "inputs"), "、".join(view.inputs)),
        (zh("需填字段", "required fields"), "、".join(view.required_fields)),
        (zh("需交付", "deliverables"), "、".join(view.required_deliverables)),
        (
            zh("可退回至", "may return to"),
            "、".join(f"{n.id} ({say(n.name)})" for n in view.returnable),
        ),
    ]
    for label, value in facts:
        if value != "":
            console.print(f"{label}: {value}", markup=False)
    print_table(
        zh("表单", "Form"),
        [zh("字段", "field"), zh("内容", "value")],
        [[f"{say(f.label) or f.name} ({f.name})", value_text(f)] for f in view.form],
    )
    if view.earlier:
        print_table(
            zh("前序节点成果", "Earlier work"),
            [zh("节点", "node"), zh("完成人", "by"), zh("完成时间", "at"), zh("成果", "outputs")],
            [
                [
                    say(w.node.name),
                    say(w.finished_by.name) if w.finished_by else "",
                    local(app, w.finished_at),
                    "; ".join(
                        [f"{say(o.label) or o.name}: {value_text(o)}" for o in w.outputs]
                        + [f"{name}: {ref}" for name, ref in w.deliverables.items()]
                        + ([w.note] if w.note else [])
                    ),
                ]
                for w in view.earlier
            ],
        )
