"""Rendering pages: one Jinja2 environment (autoescaped), the words and formats templates
use, the frame's data (who is signed in, the unread count), and the error page."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from oaflow.domain.text import Text, say
from oaflow.present import words
from oaflow.services import messages
from oaflow.services.app import App
from oaflow.services.view_parts import Names
from oaflow.services.views import FieldValue, Sla, TaskSummary
from oaflow.web.texts import word
from oaflow.web.viewer import Viewer, language

TEMPLATES = Path(__file__).parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
#: an SLA state's mark: never colour alone (an icon and a word go with it)
SLA_ICONS = {"on_track": "●", "at_risk": "▲", "overdue": "■", "exception": "✖", "none": "○"}


class Words:
    """What templates say things with, in one language and time zone."""

    def __init__(self, lang: str, tz: str, departments: Mapping[str, Text] | None = None) -> None:
        self.lang = lang
        self.tz = tz
        self.departments = departments or {}

    def t(self, name: str, /, **params: object) -> str:
        return word(name, self.lang, **params)

    def say(self, value: Any) -> str:
        return say(value, self.lang, self.tz)

    def time(self, at: Any) -> str:
        return words.local_time(at, self.tz) or ""

    def state(self, value: Any) -> str:
        return words.state_label(value, self.lang)

    def state_sla(self, value: str) -> str:
        return words.state_label(Sla(value), self.lang)

    def event(self, kind: str) -> str:
        return words.event_label(kind, self.lang)

    def message(self, event: str) -> str:
        return words.message_label(event, self.lang)

    def status_text(self, row: Any) -> str:
        return words.status_text(row, self.lang)

    def holder(self, task: TaskSummary) -> str:
        return words.holder_text(task, self.lang)

    def hours(self, value: float) -> str:
        return words.hours(value)

    def countdown(self, task: TaskSummary) -> str:
        """``剩余 5 工时`` / ``超时 3 工时`` / ``无时限``."""
        if task.remaining_hours is None:
            return self.t("no_deadline")
        if task.remaining_hours < 0:
            return self.t("hours_over", h=self.hours(-task.remaining_hours))
        return self.t("hours_left", h=self.hours(task.remaining_hours))

    def sla_icon(self, sla: Sla | str) -> str:
        return SLA_ICONS.get(str(sla), "")

    def priority(self, value: str) -> str:
        key = f"priority_{value}"
        return self.t(key) if key in _PRIORITIES else value

    def value(self, value: Any) -> str:
        """A form value as people read it: yes/no, lists joined, key nodes as
        ``name date owner``."""
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        if isinstance(value, list | tuple):
            return ("；" if self.lang == "zh" else "; ").join(self.value(v) for v in value)
        if isinstance(value, dict):
            return " ".join(str(v) for v in value.values())
        return self.say(value)

    def field(self, value: FieldValue) -> str:
        """A form field's value: department codes by their names, priorities in words."""
        if value.type == "department" and isinstance(value.value, str):
            return self.text(self.departments.get(value.value)) or value.value
        if value.type == "departments" and isinstance(value.value, list | tuple):
            found = [self.text(self.departments.get(str(c))) or str(c) for c in value.value]
            return self.say(found)
        if value.name == "priority" and isinstance(value.value, str):
            return self.priority(value.value)
        return self.value(value.value)

    def text(self, value: Text | None) -> str:
        return value.get(self.lang) if value is not None else ""


_PRIORITIES = {"priority_high", "priority_normal", "priority_low"}


def frame(app: App, viewer: Viewer) -> dict[str, Any]:
    """What every signed-in page shows around its content."""
    with app.db.read() as conn:
        names = Names(app.org(conn))
    me = names.known(viewer.login)
    departments = {code: d.name for code, d in names.org.departments.items()}
    return {
        "me": me,
        "my_departments": [names.known_dept(d) for d in viewer.principal.departments],
        "department_names": departments,
        "unread": messages.unread_count(app, viewer.principal),
        "csrf": viewer.csrf,
        "csrf_header": json.dumps({"X-CSRF-Token": viewer.csrf}),
        "roles": {r.value for r in viewer.principal.roles},
    }


def page(
    request: Request,
    app: App,
    viewer: Viewer | None,
    template: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered for ``viewer`` (None: a page without a session)."""
    lang = viewer.lang if viewer is not None else language(request)
    values: dict[str, Any] = {
        "w": Words(lang, app.calendar.tz),
        "lang": lang,
        "path": request.url.path,
        "query": request.url.query,
        "viewer": viewer,
        "me": None,
        "flash": request.query_params.get("flash", ""),
    }
    if viewer is not None:
        values.update(frame(app, viewer))
        values["w"] = Words(lang, app.calendar.tz, values["department_names"])
    values.update(context)
    html = ENV.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def error_page(request: Request, app: App, status: int, message: str) -> HTMLResponse:
    return page(request, app, None, "error.html", status=status, message=message)


__all__ = ["ENV", "Words", "error_page", "frame", "page", "word"]
