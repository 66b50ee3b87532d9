"""Texts of the errors and problems of the organisation and its files (ORG-1..3)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
