"""Parameters that say themselves in the reader's language, besides texts and faults.

A catalogue hint written ``{advice}`` takes a way out as its ``advice`` parameter: the
suggestion of the closest name (``did_you_mean``), a hint of its own (``fault`` of a
``….hint.…`` code), or the hint of another fault (``HintOf``) when a problem wraps one.
``Either`` lists alternatives ("leg or cmp", "leg 或 cmp"); ``Joined`` says several faults
one after another: ``sentences`` (a space between them in English, nothing in Chinese) or
``clauses`` (semicolons).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from oaflow.domain.errors import Fault, fault
from oaflow.domain.text import say


@dataclass(frozen=True)
class HintOf:
    """The hint of ``fault``, as a parameter (says itself in a language like a Fault)."""

    fault: Fault

    def text(self, lang: str = "en") -> str:
        return self.fault.hint(lang)


@dataclass(frozen=True)
class Either:
    """Alternatives, joined with "or" in the reader's language."""

    items: tuple[str, ...]

    def text(self, lang: str = "en") -> str:
        return (" 或 " if lang == "zh" else " or ").join(self.items)


@dataclass(frozen=True)
class Joined:
    """Several faults (or texts) said one after another, with ``en`` or ``zh`` between."""

    items: tuple[Any, ...]
    en: str = " "
    zh: str = ""

    def text(self, lang: str = "en") -> str:
        return (self.zh if lang == "zh" else self.en).join(say(item, lang) for item in self.items)


def sentences(items: Iterable[Any]) -> Joined:
    """Whole sentences (each ends with its full stop) one after another."""
    return Joined(tuple(items))


def clauses(items: Iterable[Any]) -> Joined:
    """Clauses of one sentence, with semicolons between them."""
    return Joined(tuple(items), "; ", "；")


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` (ignoring case), or None."""
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> Fault | None:
    """'did you mean `x`?' for the choice closest to ``word``, or None."""
    close = closest(word, choices)
    return fault("general.did_you_mean", word=close) if close is not None else None
