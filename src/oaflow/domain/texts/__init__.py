"""The one catalogue of what errors and problems say, in Chinese and English.

Each area keeps its entries in a module of this package; a code appears once. A text names
its parameters as ``{name}``; lists are joined the way each language joins them. Hints here
are ways out any caller can give; hints that name a command of the CLI live in the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oaflow.domain.text import DEFAULT_ZONE, fill


@dataclass(frozen=True)
class Entry:
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""


def _merged(*parts: Mapping[str, Entry]) -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for part in parts:
        twice = merged.keys() & part.keys()
        if twice:
            raise AssertionError(f"error codes defined twice: {sorted(twice)}")
        merged.update(part)
    return merged


#: the modules of this package, one per area, each with its TEXTS
AREAS = (
    "general",
    "access",
    "calendar",
    "definition",
    "engine",
    "expressions",
    "forms",
    "notify",
    "org",
    "services",
    "crypto",
    "audit",
    "meetings",
    "analysis",
    "migration",
    "archives",
    "versions",
    "bpmn",
    "templates",
    "integration",
    "reports",
    "surveys",
)


def _catalogue() -> dict[str, Entry]:
    from importlib import import_module

    return _merged(*(import_module(f"{__name__}.{area}").TEXTS for area in AREAS))


CATALOGUE: dict[str, Entry] = _catalogue()


def message(code: str, params: Mapping[str, Any], lang: str, tz: str = DEFAULT_ZONE) -> str:
    entry = CATALOGUE.get(code)
    if entry is None:  # never fails: a test checks every code is here
        return f"{code} {dict(params)}" if params else code
    return fill(entry.zh if lang == "zh" else entry.en, params, lang, tz)


def hint(code: str, params: Mapping[str, Any], lang: str, tz: str = DEFAULT_ZONE) -> str:
    entry = CATALOGUE.get(code)
    if entry is None:
        return ""
    return fill(entry.hint_zh if lang == "zh" else entry.hint_en, params, lang, tz)
