"""A small driver over the services for scenario tests: start, find a task, act on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oaflow.domain.security import SYSTEM, Principal
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.present.json_view import jsonable
from oaflow.services import authz, messages, queries, runtime
from oaflow.services.app import App

COMPLAINT = {
    "title": "客户投诉：包装破损",
    "customer": "上海某贸易公司",
    "phone": "13800000000",
    "complaint_type": "quality",
    "description": "收到的产品外包装破损，内件有划痕",
}


def who(app: App, login: str) -> Principal:
    """The Principal of ``login`` (as the CLI's --as states it)."""
    return authz.principal(app, login)


def as_dicts(app: App, view: Any) -> Any:
    """A typed view as the CLI's --json shows it (names and labels in Chinese)."""
    return jsonable(view, "zh", app.calendar.tz)


def tasks_of(app: App, login: str) -> list[dict[str, Any]]:
    return list(as_dicts(app, queries.tasks_for(app, who(app, login))))


def outbox(app: App) -> list[dict[str, Any]]:
    return list(as_dicts(app, messages.outbox(app, SYSTEM)))


def instance_view(app: App, business_key: str) -> dict[str, Any]:
    return dict(as_dicts(app, queries.instance_detail(app, SYSTEM, business_key)))


class Driver:
    def __init__(self, app: App) -> None:
        self.app = app

    def start(self, key: str, actor: str, form: Mapping[str, Any]) -> str:
        return runtime.start(self.app, who(self.app, actor), key, form).business_key

    def task(self, login: str, node: str) -> int:
        """The id of ``login``'s one open task at ``node``."""
        found = [t["id"] for t in tasks_of(self.app, login) if t["node_id"] == node]
        assert len(found) == 1, f"{login} has {len(found)} open task(s) at {node}"
        return int(found[0])

    def do(self, task_id: int, action: Action, actor: str, **kw: Any) -> None:
        runtime.act(self.app, who(self.app, actor), task_id, Command(action, actor, **kw))

    def ack(self, login: str, node: str) -> int:
        task_id = self.task(login, node)
        self.do(task_id, Action.ACK, login)
        return task_id

    def complete(self, login: str, node: str, note: str = "", **outputs: Any) -> int:
        task_id = self.ack(login, node)
        deliverables = outputs.pop("deliverables", {})
        self.do(
            task_id, Action.COMPLETE, login, outputs=outputs, deliverables=deliverables, note=note
        )
        return task_id

    def approve(self, login: str, node: str, note: str = "") -> int:
        task_id = self.task(login, node)
        self.do(task_id, Action.APPROVE, login, note=note)
        return task_id

    def reject(self, login: str, node: str, note: str = "") -> int:
        task_id = self.task(login, node)
        self.do(task_id, Action.REJECT, login, note=note)
        return task_id

    def instance(self, business_key: str) -> dict[str, Any]:
        return instance_view(self.app, business_key)

    def open_nodes(self, business_key: str) -> list[str]:
        view = self.instance(business_key)
        return sorted(
            r["node"]
            for r in view["progress"]
            if r["actual"] is None and r["status"] not in ("已取消",)
        )

    def run_complaint(self, complaint_type: str = "quality") -> str:
        key = self.start(
            "customer-complaint", "csd.head", {**COMPLAINT, "complaint_type": complaint_type}
        )
        self.approve("csd.head", "triage")
        handler = {"quality": "prd.head", "logistics": "log.head", "service": "svc.head"}[
            complaint_type
        ]
        self.complete(handler, "handle", cause="包装材料强度不足", solution="更换包装并补发")
        self.approve("csd.head", "review")
        self.complete("csd.head", "reply", reply="已致歉并补发新品", satisfaction=5)
        return key


#: messages of NTF-1 written with every dispatch and ending, besides the SLA and people's ones
NOTICES = frozenset(
    {
        "task_assigned",
        "task_returned",
        "task_rejected",
        "instance_completed",
        "instance_rejected",
        "exception_opened",
    }
)


def sla_outbox(app: App) -> list[dict[str, Any]]:
    """The outbox without the NTF-1 notices: reminders, warnings, escalations, urges, copies."""
    return [m for m in outbox(app) if m["event"] not in NOTICES]
