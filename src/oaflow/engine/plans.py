"""Planned dates (DEF-3, TIME-6, Template 1): when a node starts — by hand (``trigger:
manual``) or at a date of the form (``trigger: {planned_date: FIELD}``) — and when it is
planned to be finished (``planned: FIELD`` or ``planned: {key_node: NAME}``). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oaflow.domain.calendar import WorkingCalendar
from oaflow.domain.clock import parse_instant
from oaflow.domain.definition import Node, Planned


def instant(value: Any, calendar: WorkingCalendar) -> datetime | None:
    """A date or date-time of a form; a date alone means the end of that working day."""
    if not value:
        return None
    text = str(value).strip()
    at = parse_instant(text, calendar.tz)
    if len(text) == 10:  # YYYY-MM-DD: planned for the day, i.e. by its close
        end = calendar.periods[-1][1]
        local = at.astimezone(ZoneInfo(calendar.tz))
        at = local.replace(hour=end.hour, minute=end.minute)
    return at


def planned_value(planned: Planned, data: Mapping[str, Any]) -> Any:
    """The date a node's plan names in the form data, or None."""
    if planned.field:
        return data.get(planned.field)
    for item in data.get("key_nodes") or ():
        if isinstance(item, Mapping) and item.get("name") == planned.key_node:
            return item.get("date")
    return None


def planned_completion(
    node: Node, data: Mapping[str, Any], calendar: WorkingCalendar
) -> datetime | None:
    return instant(planned_value(node.planned, data), calendar) if node.planned else None


def planned_start(
    node: Node, data: Mapping[str, Any], calendar: WorkingCalendar
) -> datetime | None:
    if node.trigger.kind != "planned_date":
        return None
    return instant(data.get(node.trigger.field), calendar)
