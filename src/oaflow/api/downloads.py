"""The Content-Disposition of a download whose name may not be ASCII (RFC 6266): a plain
ASCII ``filename`` for old clients and the real name, UTF-8 and percent-encoded, as
``filename*`` (what browsers save it as)."""

from __future__ import annotations

import re
from urllib.parse import quote

#: what an ASCII fallback name keeps; anything else becomes "_"
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]")


def attachment(name: str, fallback: str = "") -> dict[str, str]:
    """The header that makes ``name`` a download; ``fallback`` the ASCII name (made from
    ``name`` when not given)."""
    plain = _NOT_PLAIN.sub("_", fallback or name)
    return {
        "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''"
        + quote(name, safe=""),
        "X-Content-Type-Options": "nosniff",
    }
