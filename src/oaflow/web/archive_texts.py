"""The words of the archive pages (ARC-1), in Chinese and English; merged into the pages'
words (web/texts.py)."""

from __future__ import annotations

from oaflow.domain.text import Text

ARCHIVE_WORDS: dict[str, Text] = {
    "arc_nav": Text("归档", "Archives"),
    "arc_title": Text("项目归档", "Archives"),
    "arc_intro": Text(
        "流程经过汇总归档节点后，系统把各环节交付物、历史记录、执行进度跟踪表（模板3）和异常处理"
        "记录表（模板4）汇总成一个文件夹和一个压缩包，并为每个文件记下 SHA-256 校验和。",
        "When an instance passes its archive step, its deliverables, history, progress table "
        "(Template 3) and exception records (Template 4) are collected into a folder and a "
        "zip, with a SHA-256 checksum of every file.",
    ),
    "arc_name": Text("归档名称", "Name"),
    "arc_instance": Text("流程实例", "Instance"),
    "arc_archived": Text("归档时间", "Archived"),
    "arc_built": Text("生成时间", "Built"),
    "arc_files": Text("文件", "Files"),
    "arc_file_count": Text("文件数", "Files"),
    "arc_size": Text("大小", "Size"),
    "arc_checksum": Text("SHA-256 校验和", "SHA-256 checksum"),
    "arc_manifest": Text("清单（manifest.json）", "Manifest (manifest.json)"),
    "arc_manifest_note": Text(
        "清单自身的校验和另存于数据库，清单被改动也能发现。",
        "The manifest's own checksum is kept in the database, so a changed manifest is found too.",
    ),
    "arc_download": Text("下载压缩包", "Download the zip"),
    "arc_verify": Text("校验", "Verify"),
    "arc_verify_title": Text("校验结果", "Verification"),
    "arc_intact": Text(
        "完好：{files} 个文件与校验和一致（文件夹和压缩包）",
        "Intact: all {files} files match their checksums (folder and zip)",
    ),
    "arc_tampered": Text(
        "已被改动：发现 {count} 处问题", "Tampered with: {count} problem(s) found"
    ),
    "arc_checked_at": Text("校验于 {at}", "checked {at}"),
    "arc_pending_note": Text(
        "文件包正在由后台任务生成，请稍后刷新。",
        "The bundle is being built by the worker; reload in a moment.",
    ),
    "arc_error": Text("上次生成失败：{error}", "The last build failed: {error}"),
    "arc_of_instance": Text("本实例的归档", "Archive of this instance"),
}
