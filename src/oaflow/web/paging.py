"""Links to the previous and next page of a list, keeping its filters."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request


def paging(request: Request, total: int, offset: int, size: int) -> dict[str, object]:
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "flash")}

    def link(at: int) -> str:
        return request.url.path + "?" + urlencode({**params, "offset": at})

    return {
        "first": offset + 1 if total else 0,
        "last": min(offset + size, total),
        "total": total,
        "previous": link(max(offset - size, 0)) if offset > 0 else None,
        "next": link(offset + size) if offset + size < total else None,
    }
