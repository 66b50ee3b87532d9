"""The cause categories of exception records (EXC-1, EXC-5): a list the administrators keep
(settings ``exceptions.causes``, a JSON list of names), the manual's own by default."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from oaflow.storage.tables import settings

SETTING = "exceptions.causes"
#: the manual's examples of causes, and the usual others
DEFAULT_CAUSES: tuple[str, ...] = (
    "需求变更",
    "数据不完整",
    "外部供应商延迟",
    "资源不足",
    "人员变动",
    "其他",
)


def causes(conn: Connection) -> tuple[str, ...]:
    """The cause categories in force, in their order."""
    value = conn.execute(select(settings.c.value).where(settings.c.name == SETTING)).scalar()
    return tuple(json.loads(value)) if value else DEFAULT_CAUSES
