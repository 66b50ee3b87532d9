"""Texts of the errors and problems of who may do what (SEC-2): principals and scope."""

from __future__ import annotations

from oaflow.domain.texts import Entry

TEXTS: dict[str, Entry] = {}
