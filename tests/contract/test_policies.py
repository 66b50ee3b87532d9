"""Assignment policies of a node (APR-3) on a real database."""

from __future__ import annotations

import pytest

from oaflow.domain.errors import InputError
from oaflow.domain.security import SYSTEM
from oaflow.services import catalog, runtime
from oaflow.services.app import App

from .driver import Driver, instance_view, tasks_of, who

BASE = """
key: policy-KEY
name: {zh: 策略测试}
business_key: "PL{yyyy}{seq:03}"
nodes:
  - {id: start, type: initiate, name: {zh: 发起}, next: first}
  - id: first
    type: approval
    name: {zh: 第一步审批}
    FIRST
    time_limit: {hours: 8}
    next: second
  - id: second
    type: approval
    name: {zh: 第二步审批}
    SECOND
    time_limit: {hours: 8}
    next: done
  - {id: done, type: end, name: {zh: 结束}}
"""


def start(app: App, key: str, first: str, second: str, actor: str = "mkt.head") -> str:
    text = BASE.replace("KEY", key).replace("FIRST", first).replace("SECOND", second)
    catalog.publish(app, SYSTEM, text, f"{key}.yaml")
    return runtime.start(app, who(app, actor), f"policy-{key}", {"title": "策略"}).business_key


def kinds(app: App, key: str) -> list[str]:
    return [e["kind"] for e in instance_view(app, key)["timeline"]]


NOBODY = "assignee: {department: hq, pick: interface}"  # 总部 has no interface person
GM = "assignee: {user: gm}"


def test_empty_assignee_auto_passes(demo_app: App) -> None:
    key = start(demo_app, "pass", f"{NOBODY}\n    on_empty: pass", GM)
    assert "node_auto_passed" in kinds(demo_app, key)
    assert Driver(demo_app).task("gm", "second") > 0


def test_empty_assignee_goes_to_the_administrator(demo_app: App) -> None:
    start(demo_app, "admin", f"{NOBODY}\n    on_empty: admin", GM)
    assert Driver(demo_app).task("admin", "first") > 0


def test_empty_assignee_fails_the_start_with_a_reason_and_writes_nothing(demo_app: App) -> None:
    with pytest.raises(InputError, match="interface"):
        start(demo_app, "fail", NOBODY, GM)
    assert tasks_of(demo_app, "gm") == []


def test_the_initiator_as_approver_is_passed(demo_app: App) -> None:
    key = start(demo_app, "self-pass", "assignee: initiator\n    if_initiator: pass", GM)
    assert "node_auto_passed" in kinds(demo_app, key)
    assert [t["node_id"] for t in tasks_of(demo_app, "mkt.head")] == []  # no own task


def test_the_initiator_as_approver_is_sent_to_their_head(demo_app: App) -> None:
    start(
        demo_app, "self-head", "assignee: initiator\n    if_initiator: head", GM, actor="mkt.staff"
    )
    assert Driver(demo_app).task("mkt.head", "first") > 0
    assert tasks_of(demo_app, "mkt.staff") == []


def test_the_same_approver_twice_in_a_row_approves_once(demo_app: App) -> None:
    key = start(demo_app, "dedupe", GM, f"{GM}\n    dedupe: true")
    Driver(demo_app).approve("gm", "first")
    view = instance_view(demo_app, key)
    assert view["state"] == "completed"
    assert kinds(demo_app, key).count("task_approved") == 1


def test_without_dedupe_the_same_approver_decides_twice(demo_app: App) -> None:
    key = start(demo_app, "no-dedupe", GM, GM)
    d = Driver(demo_app)
    d.approve("gm", "first")
    d.approve("gm", "second")
    assert kinds(demo_app, key).count("task_approved") == 2
