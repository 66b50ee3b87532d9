"""Texts of what a definition means (DEF-6, DEF-7): links, graph, names, organisation,
policies; merged into ``texts.definition``."""

from __future__ import annotations

from oaflow.domain.texts import Entry

NODES = {
    "definition.node.unknown_target": Entry(
        "节点 `{node}` 的 {key} 引用了不存在的节点 `{target}`",
        "{key} of node `{node}` names unknown node `{target}`",
        "{advice}",
        "{advice}",
    ),
    "definition.node.initiate_not_first": Entry(
        "节点 `{node}` 是发起节点，但不是第一个节点",
        "node `{node}` is an initiate node but not the first node",
        "把它移到最前面",
        "move it first",
    ),
    "definition.node.no_over": Entry(
        "节点 `{node}` 没有 `over`：没有部门会收到任务",
        "node `{node}` has no `over`: no department gets a task",
        "在 `{node}` 中加上 `over: collaborating_departments`（部门代码列表）",
        "add `over: collaborating_departments` (a list of department codes) to `{node}`",
    ),
    "definition.node.no_assignee": Entry(
        "节点 `{node}` 没有责任人（`assignee`）",
        "node `{node}` has no responsible party (`assignee`)",
        "在 `{node}` 中加上例如 `assignee: {{department: rnd}}`",
        "add e.g. `assignee: {{department: rnd}}` to `{node}`",
    ),
    "definition.node.no_time_limit": Entry(
        "节点 `{node}` 没有时限",
        "node `{node}` has no time limit",
        "在 `{node}` 中加上例如 `time_limit: {{hours: 24}}`",
        "add e.g. `time_limit: {{hours: 24}}` to `{node}`",
    ),
    "definition.sla.not_user_field": Entry(
        "节点 `{node}` 升级给 `{recipient}`，但它不是 user 类型的字段",
        "node `{node}` escalates to `{recipient}`, which is not a user field",
        "在 `form` 中加上 `- {{name: {field}, type: user}}`，或改正名称",
        "add `- {{name: {field}, type: user}}` to `form`, or fix the name",
    ),
    "definition.node.no_service": Entry(
        "节点 `{node}` 是服务节点，但没有 `service` 也没有 `ledger`",
        "node `{node}` is a service node without `service` or `ledger`",
        "在 `{node}` 中加上 `service: system.action`（例如 finance.sync_budget）或 `ledger:` 台账",
        "add `service: system.action` (e.g. finance.sync_budget) or a `ledger:` to `{node}`",
    ),
    "definition.node.no_recipients": Entry(
        "节点 `{node}` 是通知节点，但没有接收人",
        "node `{node}` is a notify node without recipients",
        "在 `{node}` 中加上 `notify: [{{department: sal}}]`",
        "add `notify: [{{department: sal}}]` to `{node}`",
    ),
    "definition.node.no_archive_name": Entry(
        "节点 `{node}` 是归档节点，但没有 `archive_name`",
        "node `{node}` is an archive node without `archive_name`",
        '在 `{node}` 中加上 `archive_name: "项目归档-{{yyyy}}-{{title}}"`',
        'add `archive_name: "项目归档-{{yyyy}}-{{title}}"` to `{node}`',
    ),
    "definition.node.several_next": Entry(
        "节点 `{node}` 有多个 `next`，但不是并行节点",
        "node `{node}` has several `next` but is not a parallel node",
        "在分支前放一个 `parallel` 节点，或在 `{node}` 中只保留一个 `next`",
        "put a `parallel` node before the branches, or keep one `next` in `{node}`",
    ),
    "definition.gateway.no_default": Entry(
        "节点 `{node}` 是排他网关，但没有 `default`",
        "node `{node}` is an exclusive gateway without `default`",
        "在网关 `{node}` 中加上 `default: <节点>`",
        "add `default: <node>` to gateway `{node}`",
    ),
    "definition.gateway.no_rules": Entry(
        "节点 `{node}` 是排他网关，但没有规则",
        "node `{node}` is an exclusive gateway without rules",
        "在 `{node}` 中加上 `routes: [{{when: '...', to: <节点>}}]` 或 `decision: <决策表>`",
        "add `routes: [{{when: '...', to: <node>}}]` or `decision: <table>` to `{node}`",
    ),
    "definition.node.unreachable": Entry(
        "节点 `{node}` 从开始节点 `{start}` 无法到达",
        "node `{node}` cannot be reached from the start `{start}`",
        "让前面的某个节点指向它（`next: {node}`），或删除它",
        "lead an earlier node to it (`next: {node}`) or remove it",
    ),
    "definition.graph.no_end": Entry(
        "流程定义没有 `end` 节点",
        "the definition has no `end` node",
        "加上 `- {{id: done, type: end, name: {{zh: 结束, en: Done}}}}`，并让最后的节点指向它",
        "add `- {{id: done, type: end, name: {{zh: 结束, en: Done}}}}` and lead the last "
        "nodes to it",
    ),
    "definition.node.dead_end": Entry(
        "节点 `{node}` 是死路：它不通向任何节点",
        "node `{node}` is a dead end: it leads nowhere",
        "在 `{node}` 中加上 `next: <节点>`",
        "add `next: <node>` to `{node}`",
    ),
    "definition.node.endless_loop": Entry(
        "节点 `{node}` 无法到达结束节点：从它出发的每条路径都是循环",
        "node `{node}` cannot reach an end node: every path from it loops",
        "给经过 `{node}` 的循环加一条通向 `end` 节点的出口",
        "give the loop through `{node}` a way out that leads to an `end` node",
    ),
    "definition.node.returns_forward": Entry(
        "节点 `{node}` 驳回时退回到 `{target}`，但它不在该节点之前",
        "node `{node}` returns to `{target}` on reject, which is not before it",
        "改为同一路径上更早的节点，或写 `on_reject: end`",
        "name an earlier node of the same path, or `on_reject: end`",
    ),
}

JOINS = {
    "definition.join.not_opened": Entry(
        "节点 `{node}` 是汇聚节点，但没有并行节点打开它",
        "node `{node}` is a join that no parallel node opens",
        "在汇聚到 `{node}` 的分支前放一个 `parallel` 节点，或改用普通的 `next`",
        "put a `parallel` node before the branches that meet at `{node}`, or use plain `next`",
    ),
    "definition.join.closes_several": Entry(
        "节点 `{node}` 汇聚了多个并行节点：{openers}",
        "node `{node}` closes several parallel nodes: {openers}",
        "每个并行节点要有自己的汇聚节点",
        "give each parallel node its own join",
    ),
    "definition.join.entered_outside": Entry(
        "节点 `{node}` 还从并行节点 `{parallel}` 之外的 `{source}` 进入",
        "node `{node}` is also entered from `{source}`, outside parallel `{parallel}`",
        "让 `{source}` 指向别处；只有 `{parallel}` 的分支可以进入 `{node}`",
        "lead `{source}` elsewhere; only the branches of `{parallel}` may enter `{node}`",
    ),
    "definition.parallel.too_few_branches": Entry(
        "节点 `{node}` 是并行节点，但分支少于两个",
        "node `{node}` is a parallel node with fewer than two branches",
        "给 `{node}` 至少两个分支 `next: [a, b]`，或改用普通的 `next`",
        "give `{node}` at least two branches, `next: [a, b]`, or use plain `next`",
    ),
    "definition.parallel.no_join": Entry(
        "节点 `{node}` 是并行节点，但没有对应的汇聚节点",
        "node `{node}` is a parallel node without a matching join",
        "让 `{node}` 的每个分支都进入同一个 `join` 节点",
        "lead every branch of `{node}` into one `join` node",
    ),
    "definition.parallel.several_joins": Entry(
        "节点 `{node}` 的分支汇聚到了不同的汇聚节点：{joins}",
        "node `{node}` has branches that meet at different joins: {joins}",
        "让 `{node}` 的每个分支都进入同一个汇聚节点",
        "lead every branch of `{node}` into the same join",
    ),
    "definition.parallel.branch_ends": Entry(
        "节点 `{node}` 打开的分支 `{branch}` 在汇聚节点 `{join}` 之前就到达了 `{end}`",
        "node `{node}` opens branch `{branch}` that reaches `{end}` before join `{join}`",
        "让分支 `{branch}` 的每条路径都进入汇聚节点 `{join}`",
        "lead branch `{branch}` into join `{join}` on every path",
    ),
    "definition.parallel.branch_misses_join": Entry(
        "节点 `{node}` 打开的分支 `{branch}` 永远到不了汇聚节点 `{join}`",
        "node `{node}` opens branch `{branch}` that never reaches it before join `{join}`",
        "让分支 `{branch}` 的每条路径都进入汇聚节点 `{join}`",
        "lead branch `{branch}` into join `{join}` on every path",
    ),
    "definition.policy.no_approval": Entry(
        "节点 `{node}` 未经 {departments} 审批即可到达（政策 `{tag}`）",
        "node `{node}` is reached without an approval by {departments} (policy `{tag}`)",
        "在从开始到 `{node}` 的每条路径上，先加一个 `assignee: {{department: {first}}}` 的 "
        "`approval` 节点",
        "add an `approval` node with `assignee: {{department: {first}}}` before `{node}` on "
        "every path from the start",
    ),
}

NAMES = {
    "definition.table.route_without_to": Entry(
        "决策表 `{table}` 为网关 `{node}` 路由，但有一个 `then` 没有 `to`",
        "decision table `{table}` routes gateway `{node}` but a `then` has no `to`",
        "路由用的决策表每条规则都写 `then: {{to: <节点>}}`",
        "write `then: {{to: <node>}}` in every rule of a routing table",
    ),
    "definition.expression.unknown_name": Entry(
        "{what} 使用了未知的名称 `{name}`（表达式 {text}）",
        "{what} uses unknown name `{name}` in {text}",
        "{advice}",
        "{advice}",
    ),
    "definition.assignee.unknown_field": Entry(
        "节点 `{node}` 的处理人引用了不存在的表单字段 `{field}`",
        "assignee of node `{node}` names unknown form field `{field}`",
        "{advice}",
        "{advice}",
    ),
    "definition.assignee.field_type": Entry(
        "节点 `{node}` 的处理人引用的字段 `{field}` 类型为 {type}",
        "assignee of node `{node}` names field `{field}` of type {type}",
        "把 `{field}` 的类型改为 department 或 user",
        "give `{field}` the type department or user",
    ),
    "definition.table.assignment_without_party": Entry(
        "决策表 `{table}` 为节点 `{node}` 指定处理人，"
        "但有一个 `then` 既没有 `department` 也没有 `user`",
        "decision table `{table}` assigns node `{node}` but a `then` has no `department` or `user`",
        "写成 `then: {{department: <部门代码>}}` 或 `then: {{user: <登录名>}}`",
        "write `then: {{department: <code>}}` or `then: {{user: <login>}}`",
    ),
    "definition.trigger.unknown_field": Entry(
        "节点 `{node}` 有 `planned_date: {field}`，但它不是表单字段",
        "node `{node}` has `planned_date: {field}`, which is not a form field",
        "{advice}",
        "{advice}",
    ),
    "definition.trigger.field_type": Entry(
        "节点 `{node}` 有 `planned_date: {field}`，该字段类型为 {type}",
        "node `{node}` has `planned_date: {field}`, a field of type {type}",
        "把表单字段 `{field}` 的类型改为 date",
        "give form field `{field}` the type date",
    ),
    "definition.table.unknown": Entry(
        "节点 `{node}` 使用了不存在的决策表 `{table}`",
        "node `{node}` uses unknown decision table `{table}`",
        "{advice}",
        "{advice}",
    ),
    "definition.org.unknown": Entry(
        "{what} 引用了不存在的{kind} `{name}`",
        "{what} names unknown {kind} `{name}`",
        "{advice}",
        "{advice}",
    ),
    "definition.org.department": Entry("部门", "department"),
    "definition.org.user": Entry("用户", "user"),
    "definition.org.role": Entry("角色", "role"),
}

MEANING = {**NODES, **JOINS, **NAMES}
MEANING.update(
    {
        "definition.planned.unknown_field": Entry(
            "节点 `{node}` 有 `planned: {field}`，但它不是表单字段",
            "node `{node}` has `planned: {field}`, which is not a form field",
            "{advice}",
            "{advice}",
        ),
        "definition.planned.field_type": Entry(
            "节点 `{node}` 有 `planned: {field}`，该字段类型为 {type}",
            "node `{node}` has `planned: {field}`, a field of type {type}",
            "把表单字段 `{field}` 的类型改为 date 或 datetime",
            "give form field `{field}` the type date or datetime",
        ),
        "definition.planned.bad": Entry(
            "{what} 须是日期字段名或 {{key_node: 名称}}；实际是 {value}",
            "{what} must name a date field or be {{key_node: NAME}}; got {value}",
            "例如 planned: m1_date 或 planned: {{key_node: 方案评审通过}}",
            "e.g. planned: m1_date or planned: {{key_node: 方案评审通过}}",
        ),
    }
)
