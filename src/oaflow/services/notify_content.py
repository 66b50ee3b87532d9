"""What a message says (NTF-3, NTF-4): the template variables of one delivery, rendered with
the administrator's template or the default, in the recipient's language.

Only these variables reach a template; the form comes with its sensitive fields masked, so
no template can show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from oaflow.domain.labels import MESSAGE_EVENTS
from oaflow.domain.org import Organisation
from oaflow.domain.sla import countdown
from oaflow.notify import templates
from oaflow.notify.channels.base import Outgoing
from oaflow.services.action_links import link_for
from oaflow.services.app import App
from oaflow.storage import notify_repo
from oaflow.storage import runtime_reads as repo

#: events whose message asks the recipient to act on the task
ACTIONABLE = frozenset({"task_assigned", "task_returned", "ack_reminder", "ack_escalation", "urge"})
_ACTIONS = {
    "approve": ("请审批：同意或驳回", "please decide: approve or reject"),
    "handle": ("请确认接收并按时完成", "please acknowledge it and finish in time"),
    "deadline_warning": ("请在截止前完成", "please finish before the deadline"),
    "overdue": ("已超时：请尽快完成并说明原因", "overdue: finish it now and give the reason"),
    "escalation": ("请督办此事项", "please follow this up"),
    "ack_escalation": ("请督促责任人确认接收", "please make sure it is acknowledged"),
    "exception_opened": ("请跟进异常处理", "please follow the exception up"),
    "exception_report_reminder": (
        "请在时限内提交异常处理说明",
        "please submit the exception report in time",
    ),
    "exception_report_overdue": ("请督促责任部门提交说明", "please make sure it is reported"),
    "exception_update": ("知悉即可，按需跟进", "for your information; follow it up as needed"),
    "cc": ("知悉即可，无需处理", "for your information, nothing to do"),
    "service_incident": ("请检查接口配置后重试，或填写原因跳过", "please retry it or skip it"),
    "digest": ("请处理以下待办", "please handle these tasks"),
    "survey_requested": ("请为本次协作评分", "please score the collaboration"),
    "forecast_at_risk": ("请采取措施确保按期完成", "please act so that it finishes in time"),
}
_INFORM = ("知悉即可，无需处理", "for your information, nothing to do")


def outgoing_for(
    app: App, conn: Connection, delivery: dict[str, Any], now: datetime
) -> tuple[Outgoing, str]:
    """The rendered message of ``delivery`` and its locale."""
    message = notify_repo.message(conn, delivery["message_id"])
    if message is None:
        raise LookupError(f"outbox message {delivery['message_id']} is gone")
    org = app.org(conn)
    login = delivery["login"]
    locale = _locale(app, conn, login)
    context = _context(app, conn, message, _Reader(org, login, locale, now))
    rendered = render_event(app, conn, message["event"], locale, context)
    outgoing = Outgoing(
        message_id=message["message_id"],
        event=message["event"],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        address=delivery["address"],
        address_name=org.user_name(login, locale) if login else "",
        link=context["link"],
        data={"business_key": context["business_key"], "task_id": message["task_id"]},
    )
    return outgoing, locale


def render_event(
    app: App, conn: Connection, event: str, locale: str, context: dict[str, Any]
) -> templates.Rendered:
    """The administrator's template for ``event``; the default when it fails to render."""
    stored = notify_repo.stored_templates(conn).get((event, locale))
    if stored is not None:
        try:
            return templates.render(stored["subject"], stored["body"], context, locale=locale)
        except templates.TemplateRenderError:
            pass  # a template saved under other data: the default still says it
    subject, body = templates.default_template(event, locale)
    return templates.render(subject, body, context, locale=locale)


def _locale(app: App, conn: Connection, login: str | None) -> str:
    """The reader's chosen language, else the enterprise's (OAFLOW_LANG)."""
    if login is None:
        return app.default_locale
    stored = notify_repo.preferences_of(conn, [login]).get(login)
    return str(stored["locale"]) if stored and stored["locale"] else app.default_locale


@dataclass(frozen=True)
class _Reader:
    """Who a delivery is for (None: a group or a system), in which language, and when."""

    org: Organisation
    login: str | None
    locale: str
    now: datetime


def _context(
    app: App, conn: Connection, message: dict[str, Any], reader: _Reader
) -> dict[str, Any]:
    org, login, locale = reader.org, reader.login, reader.locale
    data, event = message["data"], message["event"]
    en = locale == "en"
    context: dict[str, Any] = {
        "recipient": org.user_name(login, locale) if login else ("all" if en else "各位同事"),
        "event_label": MESSAGE_EVENTS[event].get(locale) if event in MESSAGE_EVENTS else event,
        "business_key": data.get("business_key", ""),
        "title": data.get("title", ""),
        "task": data.get("node_en" if en else "node_zh", ""),
        "note": str(data.get("note_en" if en else "note_zh") or data.get("note") or ""),
        "actor": org.user_name(data["actor"], locale) if data.get("actor") else "",
        "action": _action(event, data, en),
        "process": data.get("process_en" if en else "process_zh", ""),
        "link": _page(app, event, data),
        "items": [_item(app, i, locale) for i in data.get("items", [])],
        "count": len(data.get("items", [])),
        # a message about a department, not a task's (the survey, MTR-2)
        "department": data.get("department_en" if en else "department_zh", ""),
    }
    context["node"] = context["task"]
    if message["definition_id"] is not None:
        _add_instance(app, conn, message, reader, context)
    if event.startswith("exception_") and data.get("code"):  # the record's page
        context["link"] = f"{app.base_url.rstrip('/')}/exceptions/{data['code']}"
    return context


def _add_instance(
    app: App, conn: Connection, message: dict[str, Any], reader: _Reader, context: dict[str, Any]
) -> None:
    org, login, locale, now = reader.org, reader.login, reader.locale, reader.now
    definition = app.definition(conn, message["definition_id"])
    context["process"] = definition.name.get(locale)
    sensitive = definition.sensitive_fields()  # sealed in the database, masked here
    context["form"] = templates.mask_sensitive(message["form"] or {}, sensitive)
    task = repo.load_task(conn, app.sensitive, message["task_id"]) if message["task_id"] else None
    if task is None:
        return
    node = definition.node(task.node_id)
    context["node"] = node.name.get(locale)
    context["department"] = org.department_name(task.department, locale) if task.department else ""
    context["deadline"] = _local(app, task.due_at)
    clock = countdown(node, task.created_at, task.due_at, now, app.calendar)
    context["remaining"] = _remaining(clock.remaining_hours, task.is_open, locale)
    may_act = login is not None and task.is_open and task.may_act(login)
    actionable = message["event"] in ACTIONABLE and may_act
    context["link"] = link_for(app, conn, task, node, login, now, actionable)


def _page(app: App, event: str, data: dict[str, Any]) -> str:
    """The page a message without a task points to."""
    base = app.base_url.rstrip("/")
    if event == "definition_changed":  # the new version's page in the knowledge base (VER-2)
        return f"{base}{data.get('page') or '/processes/' + data.get('business_key', '')}"
    if event == "digest":
        return f"{base}/tasks"
    if data.get("page"):  # a meeting's or action item's page (MTG-1/2)
        return f"{base}{data['page']}"
    return ""


def _local(app: App, at: datetime | None) -> str:
    """An instant in the enterprise's time zone, as messages show it."""
    return at.astimezone(ZoneInfo(app.calendar.tz)).strftime("%Y-%m-%d %H:%M") if at else ""


def _item(app: App, item: dict[str, Any], locale: str) -> dict[str, Any]:
    """One task of a digest in the reader's language, its remaining time said like in the
    other messages. (Digests written before 0.2 carry their texts already made.)"""
    node = item.get("node_en" if locale == "en" else "node_zh") or item.get("node_zh", "")
    due = item.get("due_at")
    said = item.get("task_en" if locale == "en" else "task_zh")  # a change notice's change
    return {
        "task": said or item.get("task") or f"{item.get('title', '')} · {node}",
        "business_key": item.get("business_key", ""),
        "deadline": item.get("deadline")
        or (_local(app, datetime.fromisoformat(due)) if due else ""),
        "remaining": _remaining(item.get("remaining_hours"), True, locale),
        "link": item.get("link", ""),
    }


def _remaining(hours: float | None, is_open: bool, locale: str) -> str:
    en = locale == "en"
    if not is_open:
        return "closed" if en else "已关闭"
    if hours is None:
        return "no deadline" if en else "无时限"
    if hours < 0:
        return f"none, {-hours:.1f} h overdue" if en else f"已超时 {-hours:.1f} 小时"
    return f"{hours:.1f} h" if en else f"{hours:.1f} 小时"


def _action(event: str, data: dict[str, Any], en: bool) -> str:
    if event in ("task_assigned", "task_returned", "ack_reminder", "urge"):
        zh, en_text = _ACTIONS.get(str(data.get("action") or "handle"), _ACTIONS["handle"])
    else:
        zh, en_text = _ACTIONS.get(event, _INFORM)
    return en_text if en else zh
