"""Administration pages (管理): the organisation with its people and deputies, the business
calendar, notification channels and templates, dead letters, API tokens and the audit log.
Administrators change; auditors read. Everyone else is refused (403), as the services refuse
them. Every change calls the same service as the API and the CLI; a refused input shows the
page again with why, and nothing changes. One module a section; ``common`` holds what they
share."""

from __future__ import annotations

from fastapi import APIRouter

from oaflow.web.routes.admin import (
    audit,
    calendar,
    causes,
    channels,
    deliveries,
    migrations,
    organisation,
    overview,
    tokens,
)

router = APIRouter()
for _section in (
    overview,
    organisation,
    calendar,
    causes,
    channels,
    deliveries,
    tokens,
    audit,
    migrations,
):
    router.include_router(_section.router)

__all__ = ["router"]
