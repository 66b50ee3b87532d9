"""Texts of the errors about archives (ARC-1)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {
    "archive.not_found": Entry(
        "归档“{name}”不存在",
        "archive '{name}' does not exist",
        "看看归档列表里的名称",
        "look up the name in the list of archives",
    ),
    "archive.not_built": Entry(
        "归档“{name}”的文件包还未生成",
        "the bundle of archive '{name}' is not built yet",
        "后台任务（worker 或 tick）会生成它，请稍后再试",
        "the worker (or a tick) builds it; try again shortly",
    ),
    "archive.export_exists": Entry(
        "{path} 已存在",
        "{path} already exists",
        "请换一个不存在的路径",
        "name a path that does not exist yet",
    ),
    "archive.export_failed": Entry(
        "无法写入 {path}：{reason}",
        "cannot write {path}: {reason}",
        "请检查目录是否存在且可写",
        "check that the folder exists and is writable",
    ),
}
