"""Ways out that name commands of the CLI, by error code: the CLI adds them to what the
catalogue says (``domain/texts``), which names no command so that every adapter can use it."""

from __future__ import annotations

from oaflow.domain.text import Text

#: definitions, organisation, calendar, forms and notifications (the domain's codes)
DOMAIN_HINTS: dict[str, Text] = {
    "form.outputs.invalid": Text(
        "用 --field 名称=值 和 --deliverable '名称=文件或链接' 补上，"
        "例如 oaflow task complete ID --as 登录名 --field cause=模具磨损",
        "supply them, e.g. --field NAME=VALUE --deliverable 'NAME=FILE OR LINK'",
    ),
    "form.initiation.invalid": Text(
        '用 --data \'{"title": "..."}\' 或 --form 文件 给出表单；'
        "流程的字段见 oaflow process show 流程标识",
        'give the form with --data \'{"title": "..."}\' or --form FILE; '
        "the fields of a process: oaflow process show KEY",
    ),
    "definition.builtin.unknown": Text(
        "已发布的流程见 oaflow process list", "the published processes: oaflow process list"
    ),
    "definition.org.unknown": Text(
        "查看组织架构：oaflow org users，或导出后查看：oaflow org export org.yaml",
        "see the organisation: oaflow org users, or oaflow org export org.yaml",
    ),
    "template.invalid": Text(
        "查看默认模板：oaflow notify template show 事件 --locale zh",
        "see the default template: oaflow notify template show EVENT --locale en",
    ),
    "channel.invalid": Text(
        "已配置的渠道见 oaflow notify channel list", "the channels: oaflow notify channel list"
    ),
    "calendar.file.no_column": Text(
        "导入文件的格式见 oaflow calendar import --help",
        "the file format: oaflow calendar import --help",
    ),
}
