"""Texts of the engine's errors: task actions, flow, signers, assignment."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
