"""Texts of the errors and problems of rule expressions (DEF-5)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
