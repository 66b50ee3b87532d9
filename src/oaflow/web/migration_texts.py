"""The words of the migration pages (VER-4), in Chinese and English; merged into the pages'
words (web/texts.py)."""

from __future__ import annotations

from oaflow.domain.text import Text

MIGRATION_WORDS: dict[str, Text] = {
    "mig_title": Text("版本迁移", "Migrate instances"),
    "mig_summary": Text(
        "把运行中的实例迁移到流程的另一版本", "Move running instances to another version"
    ),
    "mig_intro": Text(
        "先预演：检查原版本的每个运行中实例，列出可迁移的和不能迁移的（及全部原因），不做任何修改。"
        "确认后再迁移：每个实例单独迁移，要么完整迁移，要么保持原样。",
        "Do a dry run first: every running instance of the version is checked and the table "
        "says which would migrate and why the others cannot — nothing changes. Then migrate: "
        "each instance moves whole, or stays as it was.",
    ),
    "mig_processes": Text("已发布流程", "Published processes"),
    "mig_versions": Text("版本数", "Versions"),
    "mig_newest": Text("最新版本", "Newest version"),
    "mig_on_older": Text("旧版本上运行的实例", "Running on older versions"),
    "mig_choose": Text("选择版本…", "Choose versions…"),
    "mig_from": Text("原版本", "From version"),
    "mig_to": Text("目标版本", "To version"),
    "mig_running": Text("{n} 个运行中", "{n} running"),
    "mig_show_nodes": Text("显示映射", "Show the mapping"),
    "mig_mapping": Text("节点映射", "Node mapping"),
    "mig_mapping_help": Text(
        "两个版本中 id 相同的节点自动对应；"
        "原版本中目标版本没有的节点可以映射到目标版本的节点（改名）。",
        "Nodes with the same id in both versions map to themselves; a node the target lacks "
        "can be mapped onto one of its nodes (renamed).",
    ),
    "mig_old_node": Text("原版本节点", "Node of the old version"),
    "mig_new_node": Text("目标版本节点", "Node of the new version"),
    "mig_not_mapped": Text("（不映射）", "(not mapped)"),
    "mig_more": Text("其他映射", "Another mapping"),
    "mig_dry_run": Text("预演", "Dry run"),
    "mig_migrate": Text("迁移", "Migrate"),
    "mig_migrate_now": Text("迁移 {n} 个实例", "Migrate {n} instance(s)"),
    "mig_report": Text("结果", "Result"),
    "mig_dry_report": Text("预演结果（未做任何修改）", "Dry run (nothing changed)"),
    "mig_outcome": Text("结果", "Outcome"),
    "mig_at": Text("当前节点", "At"),
    "mig_reasons": Text("节点映射 / 原因", "Nodes renamed / reasons"),
    "mig_none_running": Text("原版本没有运行中的实例。", "No instance runs the old version."),
    "mig_one_version": Text(
        "此流程只有一个版本：发布新版本后才能迁移。",
        "The process has one version: publish another one to migrate to.",
    ),
    "mig_confirm": Text(
        "确定把可迁移的实例迁移到目标版本？", "Move the instances that can migrate now?"
    ),
}
