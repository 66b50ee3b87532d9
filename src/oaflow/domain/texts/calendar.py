"""Texts of the errors and problems of the working calendar and of times (TIME-1)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
