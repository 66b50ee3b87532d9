"""Texts of the errors and problems of process definitions: loading and validation (DEF-1..7)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
