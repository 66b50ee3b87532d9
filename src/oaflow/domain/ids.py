"""Business keys from patterns such as ``PROJ{yyyy}{MM}{seq:02}`` (RUN-1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from oaflow.domain.errors import InputError

_TOKEN = re.compile(r"\{(yyyy|yy|MM|dd|seq:0(\d))\}")


@dataclass(frozen=True)
class KeyScope:
    """The part of a key before the sequence; the sequence counts per scope."""

    prefix: str
    width: int

    def format(self, seq: int) -> str:
        return f"{self.prefix}{seq:0{self.width}d}"


def key_scope(pattern: str, local_time: datetime) -> KeyScope:
    """Fill the date tokens of ``pattern`` for ``local_time`` (already in the enterprise zone)."""
    prefix_parts: list[str] = []
    width = 0
    position = 0
    for match in _TOKEN.finditer(pattern):
        prefix_parts.append(pattern[position : match.start()])
        token = match.group(1)
        if token.startswith("seq"):
            width = int(match.group(2))
            if match.end() != len(pattern):
                break
            return KeyScope("".join(prefix_parts), width)
        prefix_parts.append(_date_part(token, local_time))
        position = match.end()
    raise InputError("definition.business_key.no_sequence", pattern=pattern)


def _date_part(token: str, at: datetime) -> str:
    return {
        "yyyy": f"{at.year:04d}",
        "yy": f"{at.year % 100:02d}",
        "MM": f"{at.month:02d}",
        "dd": f"{at.day:02d}",
    }[token]
