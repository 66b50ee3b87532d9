"""The words of the BPMN import page and download link (DEF-1), in Chinese and English;
merged into the pages' words (web/texts.py)."""

from __future__ import annotations

from oaflow.domain.text import Text

BPMN_WORDS: dict[str, Text] = {
    "bpmn_tab": Text("BPMN 导入", "BPMN import"),
    "bpmn_title": Text("从 BPMN 2.0 导入流程", "Import a process from BPMN 2.0"),
    "bpmn_about": Text(
        "上传在 bpmn.io / Camunda Modeler、Signavio 或 Visio 中绘制的 BPMN 2.0 文件，或 OA-Flow "
        "导出的文件。支持：开始/结束事件、用户/手工/服务/发送任务、排他网关（条件写在出口上）、"
        "并行网关和泳道（以部门名称或代码命名的泳道即为任务的负责部门）。子流程、调用活动、"
        "边界事件、定时/消息/信号事件、包容/事件网关等会被全部列出并拒绝。",
        "Upload a BPMN 2.0 file drawn in bpmn.io / Camunda Modeler, Signavio or Visio, or one "
        "OA-Flow exported. Taken: start and end events, user, manual, service and send tasks, "
        "exclusive gateways (conditions on their outgoing flows), parallel gateways and lanes "
        "(a lane named after a department, by name or code, is its tasks' department). "
        "Sub-processes, call activities, boundary events, timer/message/signal events, "
        "inclusive and event-based gateways … are all listed and refused.",
    ),
    "bpmn_file": Text("BPMN 文件", "BPMN file"),
    "bpmn_xml": Text(
        "BPMN XML（选择文件后自动填入，也可直接粘贴）",
        "BPMN XML (filled in from the file, or paste it)",
    ),
    "bpmn_major": Text("作为新的主版本发布", "Publish as a new major version"),
    "bpmn_note": Text("变更说明（发布时）", "Change note (when publishing)"),
    "bpmn_check": Text("检查", "Check"),
    "bpmn_publish": Text("检查并发布", "Check and publish"),
    "bpmn_problems": Text(
        "发现 {n} 个问题，未发布任何内容", "{n} problem(s) found; nothing was published"
    ),
    "bpmn_valid": Text("校验通过：{key}（{n} 个节点）", "Valid: {key} ({n} nodes)"),
    "bpmn_notes": Text("采用的默认值", "Defaults taken"),
    "bpmn_preview": Text("生成的流程定义（YAML）", "The definition it becomes (YAML)"),
    "bpmn_admin_only": Text(
        "只有管理员可以导入和发布。", "Only administrators import and publish."
    ),
    "bpmn_download": Text("下载 BPMN", "Download BPMN"),
    "bpmn_view": Text("BPMN 视图", "BPMN view"),
    "process_as_files": Text("流程文件", "As files"),
    "template2_xlsx": Text("模板2 流程节点配置表 (.xlsx)", "Template 2 node table (.xlsx)"),
    "other_imports": Text("也可导入", "Or import"),
    "template2_import": Text("模板2 流程节点配置表", "Template 2 node table"),
    "bpmn_back": Text("返回流程", "Back to the process"),
    "bpmn_view_about": Text(
        "BPMN 2.0 视图：可拖动、滚轮或双指缩放。下载的文件可在 bpmn.io / Camunda Modeler、Signavio "
        "或 Visio 中打开，修改后在“管理 › BPMN 导入”中导入。",
        "The BPMN 2.0 view: drag to move, wheel or pinch to zoom. The downloaded file opens in "
        "bpmn.io / Camunda Modeler, Signavio or Visio; import it back under Administration › "
        "BPMN import.",
    ),
    "bpmn_diagram_of": Text("{name} 的 BPMN 流程图", "BPMN diagram of {name}"),
    "bpmn_view_loading": Text("正在绘制流程图…", "Drawing the diagram…"),
    "bpmn_view_failed": Text(
        "流程图无法显示，请下载文件查看", "The diagram cannot be shown; download the file instead"
    ),
}
