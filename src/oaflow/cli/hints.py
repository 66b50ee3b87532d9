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

DOMAIN_HINTS: dict[str, Text] = {}
ENGINE_HINTS: dict[str, Text] = {}

HINTS: dict[str, Text] = {**DOMAIN_HINTS, **ENGINE_HINTS, **SERVICE_HINTS}


def cli_hint(code: str, params: Mapping[str, Any], lang: str) -> str:
    found = HINTS.get(code)
    return fill(found.get(lang), params, lang) if found else ""
