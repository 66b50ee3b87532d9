"""A text in Chinese and English, and how a value is said in one of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """A text in Chinese and English."""

    zh: str
    en: str = ""

    def get(self, lang: str = "zh") -> str:
        return self.en or self.zh if lang == "en" else self.zh


class Sayable(Protocol):
    """Anything that can say itself in a language (a fault, an error, a problem)."""

    def text(self, lang: str = "en") -> str: ...


#: the time zone instants in texts are shown in, unless told otherwise
DEFAULT_ZONE = "Asia/Shanghai"


def say(value: Any, lang: str, tz: str = DEFAULT_ZONE) -> str:
    """``value`` as words in ``lang``: a Text picks its language, a list is joined the way
    the language joins (、 in Chinese), an instant is shown in local time (``tz``), a fault
    renders its own message."""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple | set | frozenset):
        items = [
            say(v, lang, tz)
            for v in (sorted(value) if isinstance(value, set | frozenset) else value)
        ]
        return ("、" if lang == "zh" else ", ").join(items)
    text = getattr(value, "text", None)
    if callable(text):
        return str(text(lang))
    return "" if value is None else str(value)


def fill(template: str, params: Mapping[str, Any], lang: str, tz: str = DEFAULT_ZONE) -> str:
    """``template`` with its ``{name}`` places filled from ``params`` in ``lang``."""
    return template.format_map({k: say(v, lang, tz) for k, v in params.items()})
