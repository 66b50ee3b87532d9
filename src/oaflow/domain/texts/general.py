"""Texts of errors that any part may raise."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS = {
    # TRANSITIONAL: errors not yet given a code say their English message in both languages
    "legacy": Entry("{message}", "{message}", "{hint}", "{hint}"),
    "validation.problems": Entry(
        "发现 {count} 个问题",
        "{count} problem(s) found",
        "逐一修正所列问题后再运行",
        "fix every problem listed, then run the command again",
    ),
}
