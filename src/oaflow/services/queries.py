"""Read use cases: a user's tasks, one task, one instance's timeline and progress table."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oaflow.domain import labels
from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.errors import NotFoundError
from oaflow.domain.model import InstanceRecord, TaskRecord
from oaflow.domain.org import Organisation
from oaflow.domain.sla import countdown, delay_hours
from oaflow.domain.states import TaskState
from oaflow.domain.text import Text
from oaflow.engine.runtime import returnable
from oaflow.services.app import App
from oaflow.storage import notices_repo, notify_repo
from oaflow.storage import runtime_reads as repo

SYSTEM = Text("系统", "system")


def local_text(app: App, at: datetime | None) -> str | None:
    if at is None:
        return None
    return at.astimezone(ZoneInfo(app.calendar.tz)).strftime("%Y-%m-%d %H:%M")


def tasks_for(app: App, login: str) -> list[dict[str, Any]]:
    """The open tasks of ``login``, soonest deadline first, with their countdown."""
    with app.db.read() as conn:
        org = app.org(conn)
        if login not in org.users:
            raise NotFoundError(f"user '{login}' does not exist", "see `oaflow org users`")
        rows = []
        for task in repo.open_tasks_for(conn, login):
            instance = repo.load_instance(conn, task.instance_id)
            assert instance is not None
            definition = app.definition(conn, instance.definition_id)
            rows.append(_mark_delegation(task_view(app, task, instance, definition, org), login))
        return rows


def _mark_delegation(view: dict[str, Any], login: str) -> dict[str, Any]:
    """ORG-3: the deputy holds the task ``as_deputy_of`` its person, who sees it read-only
    as ``delegated_to`` the deputy."""
    view["as_deputy_of"] = view["on_behalf_of"] if view["assignee"] == login else None
    view["delegated_to"] = view["assignee"] if view["on_behalf_of"] == login else None
    return view


def task_view(
    app: App,
    task: TaskRecord,
    instance: InstanceRecord,
    definition: ProcessDefinition,
    org: Organisation,
) -> dict[str, Any]:
    lang = app.lang
    node = definition.node(task.node_id)
    clock = countdown(node, task.created_at, task.due_at, app.now(), app.calendar)
    if not task.is_open:
        clock = countdown(node, task.created_at, None, app.now(), app.calendar)
    elif task.exception:
        clock = replace(clock, state="exception")
    return {
        "id": task.id,
        "business_key": instance.business_key,
        "process": definition.key,
        "title": instance.title,
        "node_id": node.id,
        "node": node.name.get(lang),
        "kind": "decide" if node.is_decision else "complete",
        "department": task.department,
        "department_name": org.department_name(task.department, lang) if task.department else "",
        "assignee": task.assignee,
        "assignee_name": _assignee_name(task, org, lang),
        "on_behalf_of": task.on_behalf_of,
        "on_behalf_of_name": org.user_name(task.on_behalf_of, lang) if task.on_behalf_of else "",
        "candidates": list(task.candidates),
        "state": task.state.value,
        "state_label": labels.TASK_STATES[task.state].get(lang),
        "progress": task.progress,
        "note": task.note,
        "created_at": local_text(app, task.created_at),
        "due_at": local_text(app, task.due_at),
        # the deadline touches a year whose official holiday schedule is not in the calendar
        "provisional": task.due_at is not None
        and app.calendar.is_provisional(task.created_at, task.due_at),
        "sla": clock.state,
        "sla_label": labels.SLA_STATES[clock.state].get(lang),
        "remaining_hours": None
        if clock.remaining_hours is None
        else round(clock.remaining_hours, 1),
        "finished_at": local_text(app, task.finished_at),
        "finished_by": task.finished_by,
        "exception": task.exception,
    }


def _assignee_name(task: TaskRecord, org: Organisation, lang: str) -> str:
    """``张三 (代 李四)`` / ``Zhang San (for Li Si)`` when a deputy holds the task (ORG-3)."""
    if not task.assignee:
        return ""
    name = org.user_name(task.assignee, lang)
    if task.on_behalf_of:
        person = org.user_name(task.on_behalf_of, lang)
        return f"{name} (代 {person})" if lang == "zh" else f"{name} (for {person})"
    return name


def task_detail(app: App, task_id: int, login: str | None) -> dict[str, Any]:
    with app.db.read() as conn:
        task = repo.load_task(conn, task_id)
        if task is None or (login is not None and not _may_see(task, login)):
            raise NotFoundError(f"task {task_id} does not exist", "see `oaflow tasks --as YOU`")
        instance = repo.load_instance(conn, task.instance_id)
        assert instance is not None
        definition = app.definition(conn, instance.definition_id)
        view = task_view(app, task, instance, definition, app.org(conn))
    node = definition.node(task.node_id)
    view["inputs"] = list(node.inputs)
    view["required_fields"] = [f.name for f in node.outputs.fields if f.required]
    view["required_deliverables"] = list(node.outputs.deliverables)
    view["outputs"] = task.outputs
    view["returnable"] = (
        [
            {"node_id": n, "node": definition.node(n).name.get(app.lang)}
            for n in returnable(definition, instance, task.node_id)
        ]
        if task.is_open
        else []
    )
    return view


def _may_see(task: TaskRecord, login: str) -> bool:
    return (
        task.may_act(login)
        or login in (task.finished_by, task.on_behalf_of)
        or login in task.candidates
    )


def instance_detail(app: App, business_key: str) -> dict[str, Any]:
    lang = app.lang
    with app.db.read() as conn:
        instance = repo.find_instance(conn, business_key)
        if instance is None:
            raise NotFoundError(
                f"instance {business_key} does not exist",
                "check the business key (e.g. PROJ20240301)",
            )
        definition = app.definition(conn, instance.definition_id)
        org = app.org(conn)
        tasks = repo.instance_tasks(conn, instance.id or 0)
        events = repo.history_of(conn, instance.id or 0)
        opened = notices_repo.exceptions_of(conn, instance.id)
    return {
        "business_key": instance.business_key,
        "process": definition.key,
        "process_name": definition.name.get(lang),
        "title": instance.title,
        "state": instance.state.value,
        "state_label": labels.INSTANCE_STATES[instance.state].get(lang),
        "initiator": instance.initiator,
        "initiator_name": org.user_name(instance.initiator, lang),
        "department": instance.department,
        "started_at": local_text(app, instance.started_at),
        "ended_at": local_text(app, instance.ended_at),
        "progress": [progress_row(app, t, instance, definition, org) for t in tasks],
        "timeline": [_event_view(app, e, definition, org) for e in events],
        "exceptions": [exception_view(app, e, definition, org) for e in opened],
    }


def exception_view(
    app: App, row: dict[str, Any], definition: ProcessDefinition | None, org: Organisation
) -> dict[str, Any]:
    """One row of Template 4 (异常处理记录表, EXC-1) as far as it is filled."""
    node = definition.nodes.get(row["node_id"]) if definition else None
    reporter = row["reporter"]
    by_person = reporter != "system"
    return {
        "code": row["code"],
        "business_key": row["business_key"],
        "node": node.name.get(app.lang) if node else row["node_id"],
        "department": org.department_name(row["department"], app.lang) if row["department"] else "",
        "description": row["description"],
        "reporter": reporter,
        "reporter_name": org.user_name(reporter, app.lang) if by_person else SYSTEM.get(app.lang),
        "reporter_department": org.department_name(org.primary_department(reporter) or "", app.lang)
        if by_person
        else "",
        "reported_at": local_text(app, row["reported_at"]),
        "state": row["state"],
    }


def event_label(event: str) -> Text:
    """The label of an outbox event (NTF-1)."""
    return labels.MESSAGE_EVENTS.get(event, Text(event, event))


def exceptions(app: App) -> list[dict[str, Any]]:
    with app.db.read() as conn:
        rows = notices_repo.exceptions_of(conn)
        org = app.org(conn)
        return [exception_view(app, r, app.definition(conn, r["definition_id"]), org) for r in rows]


def outbox(app: App, recipient: str | None = None) -> list[dict[str, Any]]:
    """Outgoing messages, oldest first; where each went is in ``deliveries``."""
    with app.db.read() as conn:
        rows = notices_repo.messages(conn, recipient=recipient)
        org = app.org(conn)
    return [
        {
            "message_id": r["message_id"],
            "event": r["event"],
            "event_label": event_label(r["event"]).get(app.lang),
            "recipients": r["recipients"],
            "recipient_names": [org.user_name(p, app.lang) for p in r["recipients"]],
            "business_key": r["business_key"],
            "task_id": r["task_id"],
            "node": r["data"].get("node_en" if app.lang == "en" else "node_zh"),
            "created_at": local_text(app, r["created_at"]),
            "status": r["status"],
            "data": r["data"],
        }
        for r in rows
    ]


def deliveries(app: App, status: str | None = None) -> list[dict[str, Any]]:
    """Where each outbox message went (NTF-5), oldest first; ``status='dead'``: dead letters."""
    with app.db.read() as conn:
        rows = notify_repo.delivery_list(conn, status)
        org = app.org(conn)
    return [
        {
            "id": r["id"],
            "message_id": r["message_id"],
            "event": r["event"],
            "event_label": event_label(r["event"]).get(app.lang),
            "business_key": r["data"].get("business_key"),
            "endpoint": r["endpoint"],
            "kind": r["kind"],
            "login": r["login"],
            "to": org.user_name(r["login"], app.lang) if r["login"] else r["address"],
            "address": r["address"],
            "status": r["status"],
            "status_label": labels.DELIVERY_STATES.get(r["status"], Text(r["status"], "")).get(
                app.lang
            ),
            "attempts": r["attempts"],
            "sent_at": local_text(app, r["sent_at"]),
            "next_attempt_at": local_text(app, r["next_attempt_at"]),
            "last_error": r["last_error"],
        }
        for r in rows
    ]


def progress_row(
    app: App,
    task: TaskRecord,
    instance: InstanceRecord,
    definition: ProcessDefinition,
    org: Organisation,
) -> dict[str, Any]:
    """One row of Template 3 (执行进度跟踪表, MON-1)."""
    lang = app.lang
    node = definition.node(task.node_id)
    return {
        "business_key": instance.business_key,
        "task_id": task.id,
        "node": node.name.get(lang),
        "department": org.department_name(task.department, lang) if task.department else "",
        "owner": org.user_name(task.finished_by or task.assignee or "", lang)
        if (task.finished_by or task.assignee)
        else "",
        "planned": local_text(app, task.due_at),
        "actual": local_text(app, task.finished_at),
        "status": status_text(task, app.now(), lang),
        "delay_hours": round(
            delay_hours(task.due_at, task.finished_at or (None if not task.is_open else app.now())),
            1,
        ),
        "delay_reason": task.note if delay_hours(task.due_at, task.finished_at) > 0 else "",
    }


def status_text(task: TaskRecord, now: datetime, lang: str) -> str:
    """``已完成(延迟16小时)`` and the like."""
    label = labels.TASK_STATES[task.state].get(lang)
    if task.is_open:
        late = delay_hours(task.due_at, now)
        if late > 0:
            return f"已逾期({_hours(late)}小时)" if lang == "zh" else f"overdue ({_hours(late)} h)"
        return label
    late = delay_hours(task.due_at, task.finished_at)
    if late > 0 and task.state is not TaskState.CANCELLED:
        return (
            f"{label}(延迟{_hours(late)}小时)"
            if lang == "zh"
            else f"{label} ({_hours(late)} h late)"
        )
    return label


def _hours(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _event_view(
    app: App, event: dict[str, Any], definition: ProcessDefinition, org: Organisation
) -> dict[str, Any]:
    lang = app.lang
    node_id = event["node_id"]
    node = definition.nodes.get(node_id) if node_id else None
    text = labels.EVENTS.get(event["kind"])
    return {
        "seq": event["seq"],
        "at": local_text(app, event["at"]),
        "kind": event["kind"],
        "event": text.get(lang) if text else event["kind"],
        "node": node.name.get(lang) if node else "",
        "task_id": event["task_id"],
        "actor": event["actor"],
        "actor_name": org.user_name(event["actor"], lang) if event["actor"] else "",
        "to_names": [org.user_name(login, lang) for login in event["data"].get("to", [])],
        "data": event["data"],
    }
