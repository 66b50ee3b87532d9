"""Texts of the BPMN 2.0 import and export (DEF-1): problems of a file, and the notes on
the defaults an import took for a file drawn in another modeler."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS = {
    "bpmn.too_large": Entry(
        "BPMN 文件超过 {limit_mb} MB", "the BPMN file is larger than {limit_mb} MB"
    ),
    "bpmn.dtd_forbidden": Entry(
        "BPMN 文件含有 DTD 或实体声明（{what}），出于安全原因拒绝读取",
        "the BPMN file has a DTD or entity declarations ({what}); they are refused for safety",
        "BPMN 文件不需要 <!DOCTYPE> 或 <!ENTITY>：删除它们后再导入",
        "a BPMN file needs no <!DOCTYPE> or <!ENTITY>: remove them and import again",
    ),
    "bpmn.too_deep": Entry(
        "XML 元素嵌套超过 {depth} 层", "XML elements are nested more than {depth} deep"
    ),
    "bpmn.not_xml": Entry(
        "不是格式正确的 XML（第 {column} 列）：{reason}",
        "not well-formed XML (column {column}): {reason}",
    ),
    "bpmn.not_bpmn": Entry(
        "根元素是 {namespace} 中的 `{tag}`，不是 BPMN 2.0 的 definitions",
        "the root element is `{tag}` of {namespace}, not BPMN 2.0 definitions",
        "从建模工具导出 BPMN 2.0 XML（命名空间 {expected}）",
        "export BPMN 2.0 XML from the modeler (namespace {expected})",
    ),
    "bpmn.process_count": Entry(
        "文件中有 {count} 个含流程元素的 process，需要恰好一个",
        "the file has {count} processes with flow elements; exactly one is needed",
        "每个流程单独一个文件；多个泳池（pool）请分开导出",
        "one process a file; export each pool on its own",
    ),
    "bpmn.unsupported": Entry(
        "不支持的元素 {tag}（id {id}，名称 {name}）",
        "unsupported element {tag} (id {id}, name {name})",
    ),
    "bpmn.bad_properties": Entry(
        "元素 `{id}` 的 OA-Flow 扩展属性无法读取：{reason}",
        "the OA-Flow properties of element `{id}` cannot be read: {reason}",
    ),
    "bpmn.start_count": Entry(
        "流程有 {count} 个开始事件，需要恰好一个",
        "the process has {count} start events; exactly one is needed",
    ),
    "bpmn.flow_unknown_node": Entry(
        "顺序流 `{flow}` 连到不存在的元素 `{node}`",
        "sequence flow `{flow}` links to `{node}`, which is not a flow node of the process",
    ),
    "bpmn.condition_not_on_gateway": Entry(
        "顺序流 `{flow}` 带条件，但起点是 {tag} 而不是排他网关",
        "sequence flow `{flow}` has a condition but leaves a {tag}, not an exclusive gateway",
        "在任务后加一个排他网关，把条件放在网关的出口上",
        "put an exclusive gateway after the task and the condition on its outgoing flow",
    ),
    "bpmn.no_id": Entry(
        "{tag}（名称 {name}）没有 id",
        "a {tag} (name {name}) has no id",
        "每个元素都需要唯一的 id 属性",
        "give every element a unique id attribute",
    ),
    "bpmn.id_twice": Entry(
        "id `{id}`（{tag}）在文件中出现了不止一次", "the id `{id}` ({tag}) is used more than once"
    ),
    "bpmn.bad_id": Entry(
        "{tag} 的 id `{id}` 不能作为节点 id（只能用字母、数字、_ 和 -，最多 64 个）",
        "the id `{id}` of a {tag} cannot be a node id (letters, digits, _ and -, at most 64)",
    ),
    "bpmn.type_mismatch": Entry(
        "元素 `{id}` 是 {tag}，但其 OA-Flow 扩展写的是 {type} 节点",
        "element `{id}` is a {tag} but its OA-Flow properties are of a {type} node",
        "把元素改回原来的类型，或删除它的 OA-Flow 扩展",
        "change the element back, or remove its OA-Flow extension",
    ),
    "bpmn.mixed_gateway": Entry(
        "并行网关 `{id}` 有 {ins} 个入口和 {outs} 个出口：应只分支或只汇聚",
        "parallel gateway `{id}` has {ins} incoming and {outs} outgoing flows: it must either "
        "split or join",
        "拆成两个网关：一个汇聚，一个分支",
        "draw two gateways: one that joins, one that splits",
    ),
    "bpmn.no_department": Entry(
        "任务 `{id}`（{name}）没有负责部门：所在泳道 {lane} 不是已知部门",
        "task `{id}` ({name}) has no responsible department: its lane {lane} is not a known "
        "department",
        "把任务放进以部门名称或代码命名的泳道（如 研发部 或 rnd）",
        "put the task in a lane named after a department (its name or code, e.g. 研发部 or rnd)",
    ),
    "bpmn.end_has_outgoing": Entry(
        "结束事件 `{id}` 有出口顺序流", "end event `{id}` has outgoing sequence flows"
    ),
    "bpmn.no_outgoing": Entry(
        "{tag} `{id}` 没有出口顺序流",
        "{tag} `{id}` has no outgoing sequence flow",
        "连到下一步，或连到结束事件",
        "link it to the next step or to an end event",
    ),
    "bpmn.several_outgoing": Entry(
        "{tag} `{id}` 有多个出口顺序流",
        "{tag} `{id}` has several outgoing sequence flows",
        "分支用并行网关（全部）或排他网关（按条件）",
        "branch with a parallel gateway (all of them) or an exclusive gateway (by condition)",
    ),
    "bpmn.flow_without_condition": Entry(
        "排他网关 `{id}` 的出口 `{flow}` 既没有条件也不是默认流",
        "flow `{flow}` of exclusive gateway `{id}` has no condition and is not the default",
        "给它写条件（如 amount > 1000），或在网关上把它设为默认流",
        "give it a condition (e.g. amount > 1000) or make it the gateway's default flow",
    ),
    "bpmn.note.process": Entry(
        "流程键取为 `{key}`，业务编号规则取为 {business_key}",
        "process key taken as `{key}`, business key pattern as {business_key}",
    ),
    "bpmn.note.time_limit": Entry(
        "任务 `{id}` 没有时限，取 {hours} 个工作小时",
        "task `{id}` has no time limit: {hours} working hours taken",
    ),
    "bpmn.note.over": Entry(
        "多实例任务 `{id}` 按 `{over}`（协同部门）逐部门分派",
        "multi-instance task `{id}` runs once per department of `{over}`",
    ),
    "bpmn.note.service": Entry(
        "服务任务 `{id}` 调用的集成取为 `{service}`",
        "service task `{id}` calls the integration `{service}`",
    ),
    "bpmn.note.form_field": Entry(
        "条件中用到的 `{field}` 作为开始表单的必填字段（{type}）",
        "`{field}`, which a condition reads, becomes a required start-form field ({type})",
    ),
    "bpmn.note.default_flow": Entry(
        "排他网关 `{id}` 没有默认流：无条件的 `{flow}` 取为默认",
        "exclusive gateway `{id}` has no default flow: `{flow}`, without a condition, taken",
    ),
}
