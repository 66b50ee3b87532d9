"""Ways out that name a command of this CLI, by error code. The catalogue's own hints
(domain/texts) name no command, so that the API and the pages can give theirs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oaflow.domain.text import Text, fill

SERVICE_HINTS: dict[str, Text] = {
    "database.no_schema": Text(
        "先创建或升级：oaflow --db {url} init", "create or upgrade it: `oaflow --db {url} init`"
    ),
    "task.not_found": Text(
        "查看你的待办：oaflow tasks --as 你的账号", "see `oaflow tasks --as YOU`"
    ),
    "access.unknown_user": Text(
        "查看用户：oaflow org users --as 你的账号", "see `oaflow org users --as YOU`"
    ),
    "process.not_published": Text(
        "查看已发布流程：oaflow process list --as 你的账号；发布：oaflow process publish FILE",
        "see `oaflow process list --as YOU`, or publish it with `oaflow process publish FILE`",
    ),
    "process.version_not_published": Text(
        "查看版本：oaflow process list --as 你的账号", "see `oaflow process list --as YOU`"
    ),
    "department.not_found": Text(
        "查看部门：oaflow org export FILE", "see `oaflow org export FILE`"
    ),
    "channel.not_found": Text(
        "查看渠道：oaflow notify channel list", "see `oaflow notify channel list`"
    ),
    "channel.test_failed": Text(
        "查看渠道设置：oaflow notify channel list",
        "check its settings with `oaflow notify channel list`",
    ),
    "delivery.nothing_given": Text(
        "给出 oaflow outbox list --dead 中的编号，或用 --all",
        "give IDs from `oaflow outbox list --dead`, or --all",
    ),
    "inbox.nothing_given": Text(
        "给出 oaflow inbox 中的编号，或用 --all", "give IDs from `oaflow inbox`, or --all"
    ),
    "deputy.overlaps": Text(
        "或先清除：oaflow deputy clear --as 你的账号",
        "or clear them first: `oaflow deputy clear --as YOU`",
    ),
}

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
ENGINE_HINTS: dict[str, Text] = {}

HINTS: dict[str, Text] = {**DOMAIN_HINTS, **ENGINE_HINTS, **SERVICE_HINTS}


def cli_hint(code: str, params: Mapping[str, Any], lang: str) -> str:
    found = HINTS.get(code)
    return fill(found.get(lang), params, lang) if found else ""
