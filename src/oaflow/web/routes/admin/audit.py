"""The audit log (/admin/audit): its newest entries, and on asking the check of every hash
chain (intact, or each broken place)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from oaflow.services import audit
from oaflow.services.audit import AuditEntry, Verification
from oaflow.web import render
from oaflow.web.routes.admin.common import gate, page
from oaflow.web.viewer import Seen, TheApp

router = APIRouter()
#: characters of an audit detail's value shown in the table
SHORT_DETAIL = 40
#: the audit entries shown unless asked for more or fewer
AUDIT_SHOWN = 100


@router.get("/admin/audit")
def audit_page(
    request: Request,
    app: TheApp,
    viewer: Seen,
    limit: Annotated[int, Query(ge=1, le=1000)] = AUDIT_SHOWN,
    verify: bool = False,
) -> Response:
    """The newest entries of the audit log; ``verify``: with the check of every hash chain."""
    gate(viewer)
    found = audit.entries(app, viewer.principal, None, limit)
    checked = _checked(audit.verify(app, viewer.principal), viewer.lang) if verify else None
    return page(
        request,
        app,
        viewer,
        "admin_audit.html",
        "audit",
        entries=found,
        limit=limit,
        detail=_detail,
        checked=checked,
    )


def _detail(entry: AuditEntry) -> str:
    """An entry's detail in short, ``name=value`` (long values cut)."""
    return ", ".join(f"{name}={_short(value)}" for name, value in entry.detail.items())


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHORT_DETAIL else text[: SHORT_DETAIL - 1] + "…"


def _checked(found: Verification, lang: str) -> dict[str, Any]:
    """The verification said in words: intact or not, and each broken place."""
    counts = {"i": found.instances, "h": found.history_entries, "a": found.audit_entries}

    def word(name: str, **params: object) -> str:
        return render.word(name, lang, **params)

    places = []
    for f in found.findings:
        damage = word(f"adm_damage_{f.damage}")
        if f.chain == "history":
            places.append(word("adm_finding_history", key=f.key, seq=f.seq, damage=damage))
        elif f.seq == 0:
            places.append(word("adm_finding_head", damage=damage))
        else:
            places.append(word("adm_finding_audit", seq=f.seq, damage=damage))
    if found.intact:
        return {"intact": True, "summary": word("adm_intact", **counts), "places": places}
    summary = word("adm_broken", n=len(found.findings), **counts)
    return {"intact": False, "summary": summary, "places": places}
