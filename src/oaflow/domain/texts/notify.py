"""Texts of the errors and problems of notifications: channels, templates, links (NTF)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
