"""The words of a version diff (VER-2): what is changed ("节点「研发方案输出」", 'node "R&D
plan"'), its settings' values in a few words, and the sentences "… 72 → 48 小时". Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from typing import Any

from oaflow.domain.definition import (
    Assignment,
    Escalation,
    FormField,
    Node,
    NodeType,
    Planned,
    ProcessDefinition,
    TimeLimit,
    Trigger,
)
from oaflow.domain.diagram import describe
from oaflow.domain.expressions import Expression
from oaflow.domain.text import Text

NODE_TYPES: dict[NodeType, Text] = {
    NodeType.INITIATE: Text("发起", "start"),
    NodeType.APPROVAL: Text("审批", "approval"),
    NodeType.CONFIRM: Text("确认", "confirmation"),
    NodeType.HANDLE: Text("处理", "handling"),
    NodeType.FEEDBACK: Text("反馈", "feedback"),
    NodeType.MILESTONE: Text("里程碑", "milestone"),
    NodeType.EXCLUSIVE: Text("排他网关", "exclusive gateway"),
    NodeType.PARALLEL: Text("并行分支", "parallel split"),
    NodeType.JOIN: Text("并行汇聚", "join"),
    NodeType.MULTI_INSTANCE: Text("多实例", "one task per department"),
    NodeType.SERVICE: Text("调用外部系统", "system call"),
    NodeType.NOTIFY: Text("抄送", "notification"),
    NodeType.ARCHIVE: Text("汇总归档", "archive"),
    NodeType.END: Text("结束", "end"),
}
_NONE = Text("无", "none")
_YES, _NO = Text("是", "yes"), Text("否", "no")
_UNITS = {"working": Text("工作小时", "working h"), "calendar": Text("小时", "h")}
_TRIGGERS = {"auto": Text("到达即开始", "at once"), "manual": Text("手动启动", "by hand")}


def plain(value: Any) -> Any:
    """``value`` without its line numbers, to compare two versions' settings."""
    if is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(
                (f.name, plain(getattr(value, f.name)))
                for f in fields(value)
                if f.compare and f.name != "line" and not f.name.endswith("_line")
            ),
        )
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), plain(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    return value


def say(value: Any, lang: str) -> str:
    """A setting's value in a few words."""
    en = lang == "en"
    if value is None or value == "" or value == ():
        return _NONE.get(lang)
    if isinstance(value, bool):
        return (_YES if value else _NO).get(lang)
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, Expression):
        return value.text
    if isinstance(value, NodeType):
        return NODE_TYPES[value].get(lang)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        return value
    if isinstance(value, Assignment):
        return describe(value, lang)
    if isinstance(value, TimeLimit):
        return f"{value.hours:g} {_UNITS[value.basis].get(lang)}"
    if isinstance(value, Trigger):
        if value.kind == "planned_date":
            return f"planned date ({value.field})" if en else f"按计划日期（{value.field}）"
        return _TRIGGERS[value.kind].get(lang)
    if isinstance(value, Planned):
        return value.field or value.key_node
    if isinstance(value, Escalation):
        to = say(value.to, lang)
        return f"+{value.after:g}h → {to} ({value.action})"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={say(v, lang)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ("; " if en else "；").join(say(v, lang) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        parts = [f"{f.name}={say(getattr(value, f.name), lang)}" for f in fields(value)]
        return ", ".join(p for p in parts if not p.startswith("line="))
    return str(value)


def quoted(name: Text) -> Text:
    return Text(f"「{name.zh}」", f'"{name.get("en")}"')


def say_nodes(d: ProcessDefinition, ids: str | Iterable[str]) -> Text:
    """Node ids as their names in ``d`` ("end" as a return target: the process ends)."""
    if isinstance(ids, str):
        if ids == "end" and ids not in d.nodes:
            return Text("结束流程", "end the process")
        return quoted(d.node(ids).name) if ids in d.nodes else Text(ids, ids)
    names = [say_nodes(d, i) for i in ids]
    if not names:
        return _NONE
    return Text("、".join(n.zh for n in names), ", ".join(n.en for n in names))


#: records said whole (their own words), not by their parts
_SAID_WHOLE = (Assignment, TimeLimit, Trigger, Planned, Escalation, Expression, Text)


def _names(value: Any) -> bool:
    """A list of names (or empty)."""
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def _record(value: Any) -> bool:
    return is_dataclass(value) and not isinstance(value, (type, *_SAID_WHOLE))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Subject:
    """What a change is about, as the sentence names it: 节点「研发方案输出」, node "R&D plan"."""

    zh: str
    en: str

    @classmethod
    def process(cls) -> Subject:
        return cls("流程", "process")

    @classmethod
    def node(cls, node: Node) -> Subject:
        name = quoted(node.name)
        return cls(f"节点{name.zh}", f"node {name.en}")

    @classmethod
    def table(cls, name: str) -> Subject:
        return cls(f"决策表「{name}」", f'decision table "{name}"')

    @classmethod
    def form(cls) -> Subject:
        return cls("表单", "form")

    def outputs(self) -> Subject:
        return Subject(f"{self.zh}输出", f"output of {self.en}")

    def of_field(self, f: FormField) -> Subject:
        name = quoted(f.label if f.label.zh else Text(f.name, f.name))
        if self.en == "form":
            return Subject(f"表单字段{name.zh}", f"form field {name.en}")
        return Subject(f"{self.zh}字段{name.zh}", f"field {name.en} ({self.en})")

    def sentence(self, zh: str, en: str, **parts: Text) -> Text:
        """``zh``/``en`` with ``{s}`` this subject and ``{name}`` each of ``parts``."""
        return Text(
            zh.format(s=self.zh, **{k: v.zh for k, v in parts.items()}),
            _cap(en.format(s=self.en, **{k: v.get("en") for k, v in parts.items()})),
        )

    def moved(self, aspect: Text, before: Any, after: Any) -> Text:
        """ "{subject}{aspect} {before} → {after}"."""
        return Text(
            f"{self.zh}{aspect.zh} {say(before, 'zh')} → {say(after, 'zh')}",
            _cap(f"{self.en} {aspect.en}: {say(before, 'en')} → {say(after, 'en')}"),
        )

    def changes(self, aspect: Text, before: Any, after: Any) -> list[Text]:
        """A setting from ``before`` to ``after``: a list of names as the names added and
        removed; a record (a ledger, …) by the parts of it that changed; else "a → b"."""
        if _names(before) and _names(after):
            return [self.listed(aspect, before, after)]
        if _record(before) and type(before) is type(after):
            found = []
            for f in fields(before):
                was, now = getattr(before, f.name), getattr(after, f.name)
                if f.name != "line" and plain(was) != plain(now):
                    part = Text(f"{aspect.zh} {f.name}", f"{aspect.en} {f.name}")
                    found += self.changes(part, was, now)
            return found
        return [self.moved(aspect, before, after)]

    def limit(self, aspect: Text, before: TimeLimit, after: TimeLimit) -> Text:
        """A time limit: "时限 72 → 48 小时" (the unit once when it stays)."""
        if before.basis != after.basis:
            return self.moved(aspect, before, after)
        unit = _UNITS[after.basis]
        return Text(
            f"{self.zh}{aspect.zh} {before.hours:g} → {after.hours:g} {unit.zh}",
            _cap(f"{self.en} {aspect.en}: {before.hours:g} → {after.hours:g} {unit.en}"),
        )

    def listed(self, aspect: Text, before: Iterable[str], after: Iterable[str]) -> Text:
        """A list's items added and removed."""
        was, now = list(before), list(after)
        added = [x for x in now if x not in was]
        gone = [x for x in was if x not in now]
        if not added and not gone:  # the same items in another order
            return self.moved(aspect, tuple(was), tuple(now))
        zh = [f"新增 {'、'.join(added)}"] * bool(added) + [f"去掉 {'、'.join(gone)}"] * bool(gone)
        en = [f"added {', '.join(added)}"] * bool(added) + [f"removed {', '.join(gone)}"] * bool(
            gone
        )
        return Text(
            f"{self.zh}{aspect.zh}：{'；'.join(zh)}",
            _cap(f"{self.en} {aspect.en}: {'; '.join(en)}"),
        )

    def added_field(self, f: FormField) -> Text:
        """ "新增表单字段「X」（数字，必填）"."""
        marks: list[tuple[str, str]] = [(f.type, f.type)]
        if f.required:
            marks.append(("必填", "required"))
        if f.sensitive:
            marks.append(("敏感", "sensitive"))
        if f.values:
            marks.append(("、".join(f.values), "/".join(f.values)))
        return Text(
            f"新增{self.zh}（{'，'.join(m[0] for m in marks)}）",
            f"Added {self.en} ({', '.join(m[1] for m in marks)})",
        )

    def rule(self, verb_zh: str, verb_en: str, when: str, then: Any) -> Text:
        """A decision table's row: "决策表「x」新增规则：a > 1 → to=gm"."""
        return Text(
            f"{self.zh}{verb_zh}：{when} → {say(then, 'zh')}",
            _cap(f"{self.en}: {verb_en} {when} → {say(then, 'en')}"),
        )
