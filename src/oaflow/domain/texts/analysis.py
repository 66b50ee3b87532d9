"""Texts of the errors of the cause list and the monthly cause analysis (EXC-5)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {
    "cause.none_given": Entry(
        "原因分类至少要有一项",
        "the cause list needs at least one cause",
        "例如：需求变更、数据不完整、外部供应商延迟、资源不足",
        "e.g. 需求变更, 数据不完整, 外部供应商延迟, 资源不足",
    ),
    "cause.blank": Entry(
        "原因分类第 {position} 项是空的",
        "cause {position} of the list is empty",
        "去掉空项，或填上名称",
        "remove it or give it a name",
    ),
    "cause.too_long": Entry(
        "原因分类“{name}”超过 {limit} 个字",
        "the cause '{name}' is longer than {limit} characters",
        "请缩短名称",
        "shorten the name",
    ),
    "cause.duplicate": Entry(
        "原因分类“{name}”重复了",
        "the cause '{name}' is in the list twice",
        "每个名称只列一次",
        "name each cause once",
    ),
    "analysis.bad_month": Entry(
        "月份“{month}”无效",
        "'{month}' is not a month",
        "按 年-月 给出，例如 2024-03",
        "give it as YYYY-MM, e.g. 2024-03",
    ),
    "analysis.bad_dimension": Entry(
        "不能按“{by}”分组",
        "cannot group by '{by}'",
        "可用：{known}",
        "use one of: {known}",
    ),
    "analysis.unknown_process": Entry(
        "没有流程 {key}",
        "there is no process '{key}'",
        "可用：{known}",
        "use one of: {known}",
    ),
}
