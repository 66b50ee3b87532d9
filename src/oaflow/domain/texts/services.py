"""Texts of the errors and problems of the use cases (services)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
