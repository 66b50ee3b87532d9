"""Texts of the errors and problems of process definitions: loading and validation (DEF-1..7).

Places (``definition.place.*``) are parameters of other texts: ```when`` of a route of node
`a``. Hints (``definition.hint.*``) are the ``advice`` of problems whose way out depends on
what was found.
"""

from __future__ import annotations

from oaflow.domain.texts import Entry
from oaflow.domain.texts.definition_meaning import MEANING

PLACES = {
    "definition.place.top": Entry("文件顶层", "the top level of the file"),
    "definition.place.definition": Entry("流程定义", "the definition"),
    "definition.place.a_node": Entry("节点", "a node"),
    "definition.place.a_route": Entry("一条路由", "a route"),
    "definition.place.node": Entry("节点 `{node}`", "node `{node}`"),
    "definition.place.gateway": Entry("网关 `{node}`", "gateway `{node}`"),
    "definition.place.table": Entry("决策表 `{table}`", "decision table `{table}`"),
    "definition.place.key_of": Entry("{of} 的 `{key}`", "`{key}` of {of}"),
    "definition.place.rule_of": Entry("{of} 的一条规则", "a rule of {of}"),
    "definition.place.route_of": Entry("{of} 的一条路由", "a route of {of}"),
    "definition.place.field_of": Entry("{of} 中的字段", "a field of {of}"),
    "definition.place.named_field_of": Entry("{of} 中的字段 `{field}`", "field `{field}` of {of}"),
    "definition.place.outputs_of": Entry("{of} 的输出", "the outputs of {of}"),
    "definition.place.assignee_of": Entry("{of} 的处理人", "assignee of {of}"),
    "definition.place.recipient_of": Entry("{of} 的接收人", "recipient of {of}"),
    "definition.place.level_of": Entry("{of} 的一级升级", "an escalation level of {of}"),
    "definition.place.escalation_of": Entry("节点 `{node}` 的升级设置", "node `{node}` escalation"),
}

HINTS = {
    "definition.hint.top_example": Entry(
        "以 `key: my-process` 开头的映射", "a mapping that starts with `key: my-process`"
    ),
    "definition.hint.remove_key": Entry(
        "删除它；{what} 可用的键有 {known}", "remove it; {what} takes {known}"
    ),
    "definition.hint.write_choice": Entry("写成 `{key}: {choice}`", "write `{key}: {choice}`"),
    "definition.hint.no_keys": Entry("没有其他键", "no other keys"),
    "definition.hint.none": Entry("一个也没有", "none"),
    "definition.hint.type_close": Entry(
        "是不是想写 `{word}`？可用的类型：{types}", "did you mean `{word}`? use one of {types}"
    ),
    "definition.hint.use_type": Entry("可用的类型：{types}", "use one of {types}"),
    "definition.hint.time_limit_example": Entry(
        "`time_limit: {{hours: 24}}` 或 `time_limit: {{hours: 48, basis: calendar}}`",
        "`time_limit: {{hours: 24}}` or `time_limit: {{hours: 48, basis: calendar}}`",
    ),
    "definition.hint.trigger": Entry(
        "写成 `trigger: auto`、`trigger: manual` 或 `trigger: {{planned_date: 字段名}}`",
        "write `trigger: auto`, `trigger: manual` or `trigger: {{planned_date: FIELD}}`",
    ),
    "definition.hint.add_node": Entry(
        "添加一个 `id: {target}` 的节点，或改为引用已有的节点",
        "add a node with `id: {target}` or name one of the existing nodes",
    ),
    "definition.hint.add_field": Entry(
        "添加名为 `{name}` 的表单字段或任务输出",
        "add a form field `{name}` or a task output of that name",
    ),
    "definition.hint.add_assignee_field": Entry(
        "添加类型为 department 或 user 的表单字段 `{field}`",
        "add a form field `{field}` of type department or user",
    ),
    "definition.hint.add_date_field": Entry(
        "在 `form` 中加上 `- {{name: {field}, type: date, required: true}}`",
        "add `- {{name: {field}, type: date, required: true}}` to `form`",
    ),
    "definition.hint.define_table": Entry(
        "在 `decision_tables: {{{table}: {{rules: [...]}}}}` 下定义它",
        "define it under `decision_tables: {{{table}: {{rules: [...]}}}}`",
    ),
    "definition.hint.use_one_of": Entry("可选：{choices}", "use one of {choices}"),
    "definition.hint.add_to_org": Entry(
        "先在组织架构中添加该{kind}", "add the {kind} to the organisation"
    ),
}

SHAPE = {
    "definition.key.twice": Entry(
        "键 `{key}` 在同一个映射中出现了两次",
        "key `{key}` appears twice in one mapping",
        "删除其中一个；YAML 只保留最后一个",
        "remove one; YAML keeps only the last",
    ),
    "definition.key.missing": Entry(
        "{what} 缺少 `{key}`",
        "{what} has no `{key}`",
        "在{what}中加上 `{key}: ...`",
        "add `{key}: ...` to {what}",
    ),
    "definition.key.unknown": Entry(
        "{what} 中有未知的键 `{key}`", "unknown key `{key}` in {what}", "{advice}", "{advice}"
    ),
    "definition.value.not_mapping": Entry(
        "{what} 必须是映射（mapping）；实际是 {value}",
        "{what} must be a mapping; got {value}",
        "写成 {example}",
        "write it as {example}",
    ),
    "definition.value.not_text": Entry(
        "{what} 必须是非空文本；实际是 {value}",
        "{what} must be a non-empty text; got {value}",
        "写成 `{key}: 某个文本`（看起来像数字或 true/false 时请加引号）",
        "write `{key}: some-text` (quote it if it looks like a number or true/false)",
    ),
    "definition.value.not_choice": Entry(
        "{what} 必须是 {options} 之一；实际是 {value}",
        "{what} must be one of {options}; got {value}",
        "{advice}",
        "{advice}",
    ),
    "definition.value.not_texts": Entry(
        "{what} 必须是文本列表；实际是 {value}",
        "{what} must be a list of texts; got {value}",
        "写成 `{key}: [first, second]`",
        "write `{key}: [first, second]`",
    ),
    "definition.value.not_flag": Entry(
        "{what} 必须是 true 或 false；实际是 {value}",
        "{what} must be true or false; got {value}",
        "写成 `{key}: true`，或者不写",
        "write `{key}: true` or leave it out",
    ),
    "definition.value.not_number": Entry(
        "{what} 必须是数字；实际是 {value}",
        "{what} must be a number; got {value}",
        "写成 `{key}: 24`",
        "write `{key}: 24`",
    ),
    "definition.value.not_bilingual": Entry(
        "{what} 必须是中英文文本；实际是 {value}",
        "{what} must be a text in Chinese and English; got {value}",
        "写成 `{key}: {{zh: 中文名称, en: English name}}`",
        "write `{key}: {{zh: 中文名称, en: English name}}`",
    ),
    "definition.process_key.bad": Entry(
        "流程标识 {key} 不合规",
        "bad process key {key}",
        "只用小写字母、数字和 '-'，例如 `customer-complaint`",
        "use lower-case letters, digits and '-', e.g. `customer-complaint`",
    ),
    "definition.business_key.bad": Entry(
        "业务编号格式 {pattern} 不合规：{reason}",
        "bad business key pattern {pattern}: {reason}",
        "写前缀、日期占位符 {{yyyy}} {{yy}} {{MM}} {{dd}}，并以一个 `{{seq:0N}}` 结尾，"
        '例如 "PROJ{{yyyy}}{{MM}}{{seq:02}}"',
        "write a prefix, date tokens {{yyyy}} {{yy}} {{MM}} {{dd}} and one `{{seq:0N}}` at the "
        'end, e.g. "PROJ{{yyyy}}{{MM}}{{seq:02}}"',
    ),
    "definition.business_key.unknown_token": Entry(
        "未知的占位符 {tokens}", "unknown token {tokens}"
    ),
    "definition.business_key.stray_brace": Entry(
        "占位符之外有 '{{' 或 '}}'", "a '{{' or '}}' outside a token"
    ),
    "definition.business_key.white_space": Entry("其中含有空白字符", "it contains white space"),
    "definition.business_key.sequences": Entry(
        "必须恰好有一个 {{seq:0N}}；现在有 {count} 个",
        "it needs exactly one {{seq:0N}}; it has {count}",
    ),
    "definition.business_key.sequence_not_last": Entry(
        "{{seq:0N}} 必须放在最后", "{{seq:0N}} must come last"
    ),
    "definition.business_key.no_sequence": Entry(
        "业务编号格式 '{pattern}' 的末尾没有 {{seq:0N}}",
        "business-key pattern '{pattern}' has no {{seq:0N}} at its end",
        "以序号结尾，例如 PROJ{{yyyy}}{{MM}}{{seq:02}}",
        "end the pattern with a sequence, e.g. PROJ{{yyyy}}{{MM}}{{seq:02}}",
    ),
    "definition.builtin.unknown": Entry(
        "没有内置流程 {key}",
        "no built-in process {key}",
        "内置流程有：{keys}",
        "built-in processes are: {keys}",
    ),
    "definition.table.bad_name": Entry(
        "决策表名称 {name} 不合规",
        "bad decision table name {name}",
        "只用字母、数字和 `_`，例如 `complaint_route`",
        "use letters, digits and `_`, e.g. `complaint_route`",
    ),
    "definition.table.no_rules": Entry(
        "{what} 必须是非空列表；实际是 {value}",
        "{what} must be a non-empty list; got {value}",
        "写成 `rules: [{{when: 'amount > 1000', then: {{department: fin}}}}]`",
        "write `rules: [{{when: 'amount > 1000', then: {{department: fin}}}}]`",
    ),
    "definition.table.key_not_text": Entry(
        "{what} 有一个不是文本的键：{key}",
        "{what} has a key that is not a text: {key}",
        "用名称作为键",
        "use names as keys",
    ),
    "definition.nodes.not_list": Entry(
        "`nodes` 必须是非空的节点列表；实际是 {value}",
        "`nodes` must be a non-empty list of nodes; got {value}",
        "写 `nodes:`，下面每项写成 `- {{id: ..., type: ..., name: ...}}`",
        "write `nodes:` followed by `- {{id: ..., type: ..., name: ...}}` items",
    ),
    "definition.node.id_twice": Entry(
        "节点 id `{node}` 用了两次（第一次在第 {first} 行）",
        "node id `{node}` is used twice (first on line {first})",
        "每个节点要有自己的 id",
        "give every node its own id",
    ),
    "definition.node.no_id": Entry(
        "有一个节点没有 `id`",
        "a node has no `id`",
        "加上 `id: some_step`（字母、数字、_ 和 -）",
        "add `id: some_step` (letters, digits, _ and -)",
    ),
    "definition.node.bad_id": Entry(
        "节点 id {value} 不合规",
        "bad node id {value}",
        "用 1 到 64 个字母、数字、`_` 或 `-`，例如 `legal_review`",
        "use 1 to 64 letters, digits, `_` and `-`, e.g. `legal_review`",
    ),
    "definition.node.no_type": Entry(
        "有一个节点没有 `type`",
        "a node has no `type`",
        "加上 `type: ...`，可选 {types}",
        "add `type: ...`, one of {types}",
    ),
    "definition.node.unknown_type": Entry(
        "未知的节点类型 {value}", "unknown node type {value}", "{advice}", "{advice}"
    ),
    "definition.node.key_not_for_type": Entry(
        "`{key}` 不适用于类型为 {type} 的{what}",
        "`{key}` does not apply to {what} of type {type}",
        "删除 `{key}`；{type} 节点可用的键有 {takes}",
        "remove `{key}`; a {type} node takes {takes}",
    ),
    "definition.node.bad_next": Entry(
        "{what} 必须是节点 id 或节点 id 列表；实际是 {value}",
        "{what} must be a node id or a list of node ids; got {value}",
        "写成 `next: other_node`（并行节点之后写 `next: [a, b]`）",
        "write `next: other_node` (or `next: [a, b]` after a parallel node)",
    ),
    "definition.node.bad_routes": Entry(
        "{what} 必须是规则列表；实际是 {value}",
        "{what} must be a list of rules; got {value}",
        "写成 `routes: [{{when: 'amount > 1000', to: big_amount}}]`",
        "write `routes: [{{when: 'amount > 1000', to: big_amount}}]`",
    ),
    "definition.node.routes_and_decision": Entry(
        "{what} 同时有 `routes` 和 `decision`",
        "{what} has both `routes` and `decision`",
        "按 `routes` 规则或按决策表路由，二选一",
        "route either by `routes` rules or by a decision table, not both",
    ),
    "definition.node.bad_pass_ratio": Entry(
        "{what} 必须大于 0 且不超过 1；实际是 {ratio}",
        "{what} must be above 0 and at most 1; got {ratio}",
        "例如 `pass_ratio: 0.6` 表示 60% 的人同意即通过",
        "e.g. `pass_ratio: 0.6` passes when 60 % have approved",
    ),
    "definition.expression.not_text": Entry(
        "{what} 必须是表达式文本；实际是 {value}",
        "{what} must be an expression text; got {value}",
        "用引号括起来，例如 'amount > 500000'",
        "write it in quotes, e.g. 'amount > 500000'",
    ),
    "definition.expression.bad": Entry(
        "{what} 中的表达式有误：{error}（表达式 {text}）",
        "bad expression in {what}: {error} (in {text})",
        "{advice}",
        "{advice}",
    ),
    "definition.expression.bad_at": Entry(
        "{what} 中的表达式在第 {offset} 个字符处有误：{error}（表达式 {text}）",
        "bad expression in {what} at offset {offset}: {error} (in {text})",
        "{advice}",
        "{advice}",
    ),
    "definition.fields.not_list": Entry(
        "{what} 必须是字段列表；实际是 {value}",
        "{what} must be a list of fields; got {value}",
        "每个字段写成 `- {{name: amount, type: number}}`",
        "write `- {{name: amount, type: number}}` for each field",
    ),
    "definition.field.twice": Entry(
        "字段 `{field}` 在{what}中出现了两次",
        "field `{field}` appears twice in {what}",
        "删除或重命名其中一个",
        "remove or rename one",
    ),
    "definition.field.bad_name": Entry(
        "{what}：该名称不能在表达式中使用",
        "{what}: the name is not usable in expressions",
        "用字母、数字和 `_`，以字母开头，例如 `complaint_type`",
        "use letters, digits and `_`, starting with a letter, e.g. `complaint_type`",
    ),
    "definition.field.enum_without_values": Entry(
        "{what} 是 enum 类型，但没有 `values`",
        "{what} is an enum without `values`",
        "加上 `values: [a, b, c]`",
        "add `values: [a, b, c]`",
    ),
    "definition.field.values_without_enum": Entry(
        "{what} 有 `values`，但不是 enum 类型",
        "{what} has `values` but is not an enum",
        "加上 `type: enum`，或删除 `values`",
        "add `type: enum` or remove `values`",
    ),
    "definition.assignee.not_a_form": Entry(
        "{what} {value} 不是处理人的写法",
        "{what} {value} is not an assignee form",
        "部门负责人写成 `{{department: {code}}}`；可用写法：{forms}",
        "write `{{department: {code}}}` for a department's head; forms: {forms}",
    ),
    "definition.assignee.not_one_kind": Entry(
        "{what} 必须恰好指定 {kinds} 中的一种；现在指定了 {named}",
        "{what} must name exactly one of {kinds}; it names {named}",
        "只写一种，例如 {forms}",
        "write one form, e.g. {forms}",
    ),
    "definition.assignee.no_users": Entry(
        "{what} 为空",
        "{what} is empty",
        "列出审批人：`{{users: [gm, vp.admin]}}`",
        "list the approvers: `{{users: [gm, vp.admin]}}`",
    ),
    "definition.notify.not_list": Entry(
        "{what} 必须是接收人列表；实际是 {value}",
        "{what} must be a list of recipients; got {value}",
        "写成 `notify: [{{department: sal}}, {{user: gm}}]`；可用写法：{forms}",
        "write `notify: [{{department: sal}}, {{user: gm}}]`; forms: {forms}",
    ),
    "definition.time_limit.out_of_range": Entry(
        "{what} 的时限必须大于 0 且不超过 {max} 小时；实际是 {hours}",
        "time limit of {what} must be more than 0 and at most {max} hours; got {hours}",
        "以小时为单位，例如 `hours: 24`",
        "give the limit in hours, e.g. `hours: 24`",
    ),
    "definition.trigger.unknown": Entry(
        "{what} 的触发方式 {value} 未知",
        "unknown trigger {value} of {what}",
        "{advice}",
        "{advice}",
    ),
    "definition.trigger.bad": Entry(
        "{what} 必须是 auto、manual 或映射；实际是 {value}",
        "{what} must be auto, manual or a mapping; got {value}",
        "{advice}",
        "{advice}",
    ),
    "definition.sla.unknown_recipient": Entry(
        "未知的接收人 `{name}`；可用 {roles}、user:登录名 或 field:字段名",
        "unknown recipient `{name}`; use {roles}, user:LOGIN or field:NAME",
    ),
    "definition.sla.bad_recipient": Entry(
        "{problem}（在{what}中）", "{problem} (in {what})", "改正接收人", "fix the recipient"
    ),
    "definition.sla.hours_out_of_range": Entry(
        "{what} 必须在 0 到 {max} 小时之间；实际是 {hours}",
        "{what} must be 0 to {max} hours; got {hours}",
        "填写派发后（或到期后）的小时数，例如 24",
        "give the hours after dispatch (or after the deadline), e.g. 24",
    ),
    "definition.sla.bad_warn_at": Entry(
        "{what} 必须是 0 到 1 之间的比例列表；实际是 {value}",
        "{what} must be a list of shares between 0 and 1; got {value}",
        "例如 `warn_at: [0.5, 0.75]` 表示时间用掉一半和四分之三时各预警一次",
        "e.g. `warn_at: [0.5, 0.75]` warns when half and three quarters of the time are used",
    ),
    "definition.sla.bad_escalation": Entry(
        "{what} 必须是升级级别的列表；实际是 {value}",
        "{what} must be a list of levels; got {value}",
        "参照这样写：{example}",
        "write it like {example}",
    ),
    "definition.sla.reminders_after_escalation": Entry(
        "{what}：提醒必须早于升级（{remind} ≤ {again} ≤ {escalate} 小时）",
        "{what}: reminders must come before the escalation ({remind} ≤ {again} ≤ {escalate} hours)",
        "按 remind_after ≤ remind_again_after ≤ escalate_after 的顺序设置",
        "order remind_after ≤ remind_again_after ≤ escalate_after",
    ),
    "definition.sla.levels_out_of_order": Entry(
        "{what}：升级级别必须按 `after` 从小到大排列",
        "{what}: escalation levels must be in order of `after`",
        "从最早到最晚列出各级",
        "list the levels from the earliest to the latest",
    ),
}

TEXTS: dict[str, Entry] = {**PLACES, **HINTS, **SHAPE, **MEANING}
