"""Texts of the errors about process versions, their change notes and diffs (VER-1..3)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {
    "process.version_unknown": Entry(
        "流程 {key} 没有版本 {ref}",
        "process '{key}' has no version '{ref}'",
        "可用：版本序号（如 2）、版本号（如 V1.1）或完整标签：{known}",
        "name it by its number (e.g. 2), its V-number (e.g. V1.1) or its label: {known}",
    ),
    "process.note_too_long": Entry(
        "变更说明有 {length} 个字，最多 {limit} 个",
        "the change note has {length} characters, at most {limit} are kept",
        "请精简变更说明",
        "shorten the note",
    ),
}
