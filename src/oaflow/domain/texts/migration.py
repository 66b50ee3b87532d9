"""Texts of migrating running instances between versions of a process (VER-4)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

_MAP_HINT = (
    "映射写作 旧节点=新节点：旧节点是原版本的节点，新节点是目标版本的节点",
    "write a mapping as old=new: old is a node of the version migrated from, new one of the "
    "version migrated to",
)
_MAP_FIX = (
    "把它映射到目标版本的节点（旧节点=新节点）",
    "map it onto a node of the version migrated to (old=new)",
)

TEXTS: dict[str, Entry] = {
    # the command as a whole (nothing is done)
    "migration.map_malformed": Entry(
        "映射“{entry}”的格式不对", "mapping `{entry}` is malformed", *_MAP_HINT
    ),
    "migration.map_twice": Entry(
        "节点 {node} 被映射了两次：{first} 和 {second}",
        "node {node} is mapped twice: to {first} and to {second}",
        "每个旧节点只能映射一次",
        "map each old node once",
    ),
    "migration.map_unknown_old": Entry(
        "原版本没有节点 `{node}`（有：{nodes}）{advice}",
        "the version migrated from has no node `{node}` (it has: {nodes}) {advice}",
    ),
    "migration.map_unknown_new": Entry(
        "目标版本没有节点 `{node}`（有：{nodes}）{advice}",
        "the version migrated to has no node `{node}` (it has: {nodes}) {advice}",
    ),
    "migration.bad_map": Entry(
        "映射有误，未迁移任何实例：{problems}",
        "the mapping is wrong; no instance was migrated: {problems}",
        *_MAP_HINT,
    ),
    "migration.no_such_version": Entry(
        "流程 {key} 没有版本“{ref}”（有：{versions}）",
        "process {key} has no version `{ref}` (it has: {versions})",
        "用版本序号（如 2）、版本号（如 V1.1）或完整版本号指定版本",
        "name a version by its number (2), its V-number (V1.1) or its full label",
    ),
    "migration.same_version": Entry(
        "原版本和目标版本相同（{label}）",
        "the versions migrated from and to are the same ({label})",
        "选择两个不同的版本",
        "choose two different versions",
    ),
    # one instance (it is left as it is)
    "migration.task_lands_nowhere": Entry(
        "任务 {task} 所在的节点 {node} 在目标版本中不存在，也没有映射",
        "task {task} is at {node}, which the version migrated to lacks and no mapping names",
        *_MAP_FIX,
    ),
    "migration.task_kind_changes": Entry(
        "任务 {task} 从 {node}（{was}）不能移到 {target}（{now}）：节点类型不兼容",
        "task {task} cannot move from {node} ({was}) to {target} ({now}): the kinds differ",
        "映射到同类节点：审批/确认之间，处理/反馈/里程碑之间",
        "map it to a node of the same kind: approval and confirm; handle, feedback and milestone",
    ),
    "migration.task_mode_changes": Entry(
        "任务 {task} 从 {node}（{was}）不能移到 {target}（{now}）：多人审批方式不同",
        "task {task} cannot move from {node} ({was}) to {target} ({now}): approvers are "
        "counted differently",
        "映射到审批方式相同的节点，或等该步骤审批完成后再迁移",
        "map it to a node that counts approvers the same way, or migrate after the step",
    ),
    "migration.call_lands_nowhere": Entry(
        "实例正在节点 {node} 等待外部系统应答，该节点在目标版本中不存在，也没有映射",
        "the instance waits at {node} for another system to answer; the version migrated to "
        "lacks that node and no mapping names it",
        *_MAP_FIX,
    ),
    "migration.call_not_a_service": Entry(
        "实例正在节点 {node} 等待外部系统应答，不能移到 {target}：它不是调用外部系统的节点",
        "the instance waits at {node} for another system to answer and cannot move to "
        "{target}, which calls no other system",
        "映射到调用外部系统的节点，或等外部系统应答后再迁移",
        "map it onto a service node, or migrate after the other system answered",
    ),
    "migration.token_lands_nowhere": Entry(
        "实例的{parts}引用了节点 {node}，它在目标版本中不存在，也没有映射",
        "the instance's records ({parts}) name {node}, which the version migrated to lacks "
        "and no mapping names",
        *_MAP_FIX,
    ),
    "migration.nodes_merge": Entry(
        "实例到达过的节点 {nodes} 都会落到 {target}",
        "the nodes {nodes} the instance reached would all land on {target}",
        "每个到达过的节点映射到不同的节点",
        "map each node it reached to a node of its own",
    ),
    "migration.join_waits_forever": Entry(
        "汇聚节点 {join} 会一直等待分支 {branch}：没有任务会走到那里",
        "join {join} would wait forever for branch {branch}: no task leads there",
        "把已完成的分支映射到目标版本对应的分支，或等分支汇聚后再迁移",
        "map the finished branches onto the target's, or migrate after the branches joined",
    ),
    "migration.join_not_a_join": Entry(
        "已到达的并行分支记在 {join} 上，但它在目标版本中不是汇聚节点",
        "branches that arrived are kept at {join}, which is no join in the version migrated to",
        *_MAP_FIX,
    ),
    "migration.join_branch_elsewhere": Entry(
        "已到达汇聚节点 {join} 的分支 {branch} 在目标版本中不通向它",
        "branch {branch}, which arrived at join {join}, does not lead to it in the version "
        "migrated to",
        *_MAP_FIX,
    ),
    "migration.form_problem": Entry(
        "表单数据不符合目标版本：{problem}",
        "the form data does not fit the version migrated to: {problem}",
        "先补齐或修正表单数据，或在目标版本中放宽该字段",
        "complete or correct the data first, or relax the field in the target version",
    ),
    "migration.not_safe": Entry(
        "实例 {business_key} 不能迁移：{problems}",
        "instance {business_key} cannot be migrated: {problems}",
    ),
    "migration.not_running": Entry(
        "实例 {business_key} 已不在原版本上运行",
        "instance {business_key} no longer runs that version",
    ),
    "migration.changed_meanwhile": Entry(
        "实例 {business_key} 在迁移时被他人修改",
        "instance {business_key} was changed by someone else while it was migrated",
        "再运行一次迁移；已迁移的实例不会重复迁移",
        "run the migration again; instances already migrated are left alone",
    ),
}
