"""Texts of the audit log (SEC-4)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {
    "audit.limit": Entry(
        "条数 {limit} 不在 1–{most} 之间",
        "a limit of {limit} is not within 1–{most}",
        "例如 100",
        "e.g. 100",
    ),
}
