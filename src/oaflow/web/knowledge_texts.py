"""The words of the knowledge base (知识库, VER-3) and of publishing a version, in Chinese and
English; merged into the pages' words (web/texts.py)."""

from __future__ import annotations

from oaflow.domain.text import Text

KNOWLEDGE_WORDS: dict[str, Text] = {
    "kb_title": Text("知识库", "Knowledge base"),
    "kb_about": Text(
        "每个流程的全部版本：版本号、发布人、发布时间、变更说明、与上一版本的差异和流程图。",
        "Every version of every process: its label, who published it and when, the change "
        "note, what changed against the version before, and its diagram.",
    ),
    "kb_versions_of": Text("{name} · 版本记录", "{name} · version history"),
    "kb_version_count": Text("{n} 个版本", "{n} versions"),
    "kb_newest": Text("最新版本", "Newest version"),
    "kb_history": Text("版本记录", "Version history"),
    "kb_change_note": Text("变更说明", "Change note"),
    "kb_note_is": Text("变更说明：{note}", "Change note: {note}"),
    "kb_removed_are": Text("已删除的节点：", "Removed nodes: "),
    "kb_one_version": Text("1 个版本", "1 version"),
    "kb_no_note": Text("（未填写变更说明）", "(no change note)"),
    "kb_changes": Text(
        "与上一版本（{label}）相比的变更", "Changes since the version before ({label})"
    ),
    "kb_first_version": Text(
        "首个版本，无上一版本可比较。", "The first version: nothing to compare with."
    ),
    "kb_no_changes": Text("与上一版本内容相同。", "The same as the version before."),
    "kb_change_count": Text("{n} 处变更", "{n} changes"),
    "kb_diagram_changes": Text("流程图（变更已着色）", "Diagram (changes coloured)"),
    "kb_removed_diagram": Text(
        "上一版本的流程图（删除的节点已标出）", "The version before (removed nodes marked)"
    ),
    "kb_legend_added": Text("新增节点", "added node"),
    "kb_legend_changed": Text("有变更的节点", "changed node"),
    "kb_legend_removed": Text("已删除的节点", "removed node"),
    "kb_legend_same": Text("未变更", "unchanged"),
    "kb_open_version": Text("查看此版本", "Open this version"),
    "kb_definition": Text("定义原文（YAML）", "Definition (YAML)"),
    "kb_migrate": Text("迁移进行中的实例", "Migrate running instances"),
    "kb_compare": Text("比较两个版本", "Compare two versions"),
    "kb_from": Text("从", "From"),
    "kb_to": Text("到", "To"),
    "kb_compare_go": Text("比较", "Compare"),
    "kb_diff_title": Text("{old} → {new}", "{old} → {new}"),
    "kb_same_versions": Text("两个版本内容相同。", "The two versions are the same."),
    "kb_major": Text("主版本（如 V2.0）", "Major version (e.g. V2.0)"),
    "kb_major_hint": Text(
        "不勾选时发布次版本（如 V1.1）。", "Unticked, the version is a minor step (e.g. V1.1)."
    ),
    "kb_note_placeholder": Text("例如：简化预算审批级次", "e.g. one approval level fewer"),
    "kb_published_notice": Text(
        "已发布 {label}；流程变更通知已发给 {n} 人。",
        "Published {label}; the change notice went to {n} people.",
    ),
}
