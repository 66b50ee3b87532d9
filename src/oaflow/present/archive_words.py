"""How archives (ARC-1) are worded for people: states, verification findings, sizes."""

from __future__ import annotations

from oaflow.domain.text import Text
from oaflow.services.archive_bundle import Finding

STATES = {"pending": Text("待生成", "pending"), "built": Text("已生成", "built")}
PROBLEMS = {
    "changed": Text("被修改", "changed"),
    "missing": Text("缺失", "missing"),
    "extra": Text("多出的文件", "extra file"),
}
WHERE = {"folder": Text("文件夹", "folder"), "zip": Text("压缩包", "zip")}


def state_text(state: str, lang: str) -> str:
    found = STATES.get(state)
    return found.get(lang) if found else state


def finding_text(finding: Finding, lang: str) -> str:
    """``文件夹 history.csv：被修改`` / ``folder history.csv: changed``; the whole folder or
    zip when no path is named."""
    where = WHERE[finding.where].get(lang)
    problem = PROBLEMS[finding.problem].get(lang)
    if not finding.path:
        return f"{where}：{problem}" if lang == "zh" else f"{where}: {problem}"
    return (
        f"{where} {finding.path}：{problem}"
        if lang == "zh"
        else f"{where} {finding.path}: {problem}"
    )


def size_text(size: int) -> str:
    """``812 B``, ``14.2 KB``, ``3.1 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
