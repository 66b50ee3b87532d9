"""How service calls' states (INT-2) are worded for people, in the CLI and on the web."""

from __future__ import annotations

from oaflow.domain.text import Text

STATES = {
    "pending": Text("待调用", "pending"),
    "running": Text("调用中", "calling"),
    "done": Text("已受理", "accepted"),
    "incident": Text("失败待处理", "incident"),
    "skipped": Text("已跳过", "skipped"),
    "cancelled": Text("已取消", "cancelled"),
}


def state_text(state: str, lang: str) -> str:
    found = STATES.get(state)
    return found.get(lang) if found else state
