"""The name of an archive (ARC-1) from its node's pattern, e.g. ``项目归档-{yyyy}-{product_name}``
→ ``项目归档-2024-新产品A``. Pure.

Placeholders: ``{yyyy}``, ``{MM}``, ``{dd}`` (the local date it is archived), ``{title}``,
``{business_key}``, and any field of the form by its name (an empty or missing field: the
instance's title). The name is also the bundle's folder name, so what a file system would
read as a path (``/``, ``\\``, ``..``, control characters) becomes ``_``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

DEFAULT_PATTERN = "归档-{business_key}"
MAX_LENGTH = 180  # room for a "-NN" suffix that keeps names unique
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_UNSAFE = re.compile(r'[\\/:*?"<>|]')


def archive_name(
    pattern: str,
    local: datetime,
    title: str,
    business_key: str,
    data: Mapping[str, Any],
    hidden: frozenset[str] = frozenset(),
) -> str:
    """The name ``pattern`` gives an instance archived at ``local`` (its local time).
    Fields in ``hidden`` (sensitive ones) are never written into a name: the title
    stands in for them."""
    known = {
        "yyyy": f"{local.year:04d}",
        "MM": f"{local.month:02d}",
        "dd": f"{local.day:02d}",
        "title": title,
        "business_key": business_key,
    }

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in known:
            return known[key]
        found = data.get(key) if key not in hidden else None
        return str(found) if found not in (None, "") else title

    return safe_name(_PLACEHOLDER.sub(value, pattern or DEFAULT_PATTERN)) or business_key


def safe_name(name: str) -> str:
    """``name`` as one folder name: no separators, control characters or leading dots."""
    kept = "".join("_" if unicodedata.category(c)[0] == "C" else c for c in name)
    kept = _UNSAFE.sub("_", kept).replace("..", "_").strip().lstrip(".")
    return kept[:MAX_LENGTH]


def numbered(name: str, number: int) -> str:
    """The ``number``-th archive of the same name: the first keeps it, then ``-2``, ``-3`` …"""
    return name if number <= 1 else f"{name}-{number}"
