"""The composition root: the one place that builds concrete adapters from Settings."""

from __future__ import annotations

from oaflow.config import Settings
from oaflow.domain.clock import Clock, SystemClock
from oaflow.domain.holidays_cn import china_calendar
from oaflow.services.app import App
from oaflow.storage.database import Database


def build_app(settings: Settings, clock: Clock | None = None, url: str | None = None) -> App:
    return App(
        db=Database(url or settings.database_url),
        clock=clock or SystemClock(),
        calendar=china_calendar(tz=settings.timezone),
        lang=settings.lang,
    )
