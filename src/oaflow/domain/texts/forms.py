"""Texts of the errors and problems of form values (initiation forms, task outputs)."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
