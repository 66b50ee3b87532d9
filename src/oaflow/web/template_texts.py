"""The words of the templates page (TPL-1..4), in Chinese and English; merged into the
pages' words (web/texts.py)."""

from __future__ import annotations

from oaflow.domain.text import Text

TEMPLATE_WORDS: dict[str, Text] = {
    "tpl_nav": Text("模板", "Templates"),
    "tpl_one": Text("模板{n}", "Template {n}"),
    "tpl_title": Text("手册模板（Excel / CSV）", "The manual's templates (Excel / CSV)"),
    "tpl_intro": Text(
        "手册的四个模板：下载空白表（含手册示例行），导出数据，或导入填好的表。"
        "CSV 为带 BOM 的 UTF-8，可直接用中文版 Excel 打开；导出的单元格不会被当作公式执行。",
        "The manual's four templates: download a blank sheet (with the manual's example row), "
        "export data, or import a filled sheet. CSV is UTF-8 with a BOM, so Excel on Chinese "
        "Windows opens it; exported cells never run as formulas.",
    ),
    "tpl_blank": Text("空白模板", "Blank template"),
    "tpl_export": Text("导出", "Export"),
    "tpl_import": Text("导入", "Import"),
    "tpl_file": Text("文件（.xlsx 或 .csv）", "File (.xlsx or .csv)"),
    "tpl_format": Text("格式", "Format"),
    "tpl_process": Text("流程", "Process"),
    "tpl_version": Text("版本（留空为最新）", "Version (empty: the newest)"),
    "tpl_business_key": Text("任务ID（留空为全部）", "Task ID (empty: all)"),
    "tpl_department": Text("部门", "Department"),
    "tpl_state": Text("状态", "State"),
    "tpl_any": Text("全部", "All"),
    "tpl_open_only": Text("仅未关闭的", "Open ones only"),
    "tpl_dry_run": Text("只检查，不发起/不发布", "Check only: start or publish nothing"),
    "tpl_check": Text("检查并导入", "Check and import"),
    "tpl_t1_help": Text(
        "每行发起一个流程实例（以您的身份、从您的部门）；任何一行有问题时一个也不发起，"
        "并列出每个问题所在的工作表、行和列。",
        "Each row starts one instance (as you, from your department); when any row has a "
        "problem none is started and every problem is listed with its sheet, row and column.",
    ),
    "tpl_t2_help": Text(
        "把填好的流程节点配置表发布为流程定义的新版本（仅管理员）。流程编号和名称来自“流程信息”"
        "工作表或下面的输入框。“手动发起”为第一个节点，“001节点完成后自动触发”“002节点通过后自动"
        "触发”确定顺序。",
        "Publish a filled node configuration sheet as a new version of a process definition "
        "(administrators). Its key and name come from the 流程信息 sheet or the fields below. "
        "手动发起 marks the first node; 001节点完成后自动触发 / 002节点通过后自动触发 give the "
        "order.",
    ),
    "tpl_t2_admin_only": Text(
        "导入流程节点配置表需要管理员权限；您可以下载空白模板或导出已发布的流程。",
        "Importing a node configuration sheet is for administrators; you may download the blank "
        "template or export a published process.",
    ),
    "tpl_key": Text("流程编号", "Process key"),
    "tpl_name": Text("流程名称", "Name"),
    "tpl_name_en": Text("英文名称", "English name"),
    "tpl_initiators": Text("发起部门", "Initiating departments"),
    "tpl_problems": Text(
        "发现 {n} 个问题，未做任何更改：", "{n} problem(s) found; nothing was changed:"
    ),
    "tpl_sheet": Text("工作表", "Sheet"),
    "tpl_row": Text("行", "Row"),
    "tpl_column": Text("列", "Column"),
    "tpl_problem": Text("问题", "Problem"),
    "tpl_started": Text("已发起 {n} 个流程实例：", "{n} instance(s) started:"),
    "tpl_checked": Text("检查通过（{n} 行），未发起。", "Checked ({n} rows); nothing started."),
    "tpl_published": Text("已发布 {label}", "Published {label}"),
    "tpl_checked_definition": Text(
        "检查通过，未发布。生成的流程定义：", "Checked; not published. The definition it becomes:"
    ),
    "tpl_download_t1": Text("导出模板1（需求表）", "Template 1 (start form)"),
    "tpl_download_t3": Text("导出模板3（进度表）", "Template 3 (progress)"),
    "tpl_download_t4": Text("导出模板4（异常处理记录表）", "Export Template 4 (exception records)"),
}
