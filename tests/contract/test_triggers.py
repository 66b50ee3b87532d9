"""When a node starts and when it is planned to finish (DEF-3, TIME-6, Template 1): by hand
(`trigger: manual`, 待启动 until its owner starts it), at a planned date of the form
(`trigger: {planned_date: FIELD}`, started by the timers), and planned completion dates
(`planned: FIELD` / `planned: {key_node: NAME}`) — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oaflow.domain.clock import FixedClock, parse_instant
from oaflow.domain.errors import ConflictError, ValidationError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.services import catalog, queries, timers
from oaflow.services.app import App

from .driver import Driver, as_dicts, instance_view, outbox, tasks_of, who

PLAN = """
key: kickoff-plan
name: {zh: 项目启动计划, en: Kick-off plan}
business_key: "KP{yyyy}{seq:03}"
form:
  - {name: kickoff, type: date, required: true, label: {zh: 启动日期, en: Kick-off}}
  - {name: review_by, type: datetime, label: {zh: 评审截止, en: Review by}}
  - {name: remark, type: text, label: {zh: 说明, en: Remark}}
nodes:
  - {id: start, type: initiate, name: {zh: 立项, en: Start}, next: prepare}
  - id: prepare
    type: handle
    name: {zh: 准备材料, en: Prepare}
    assignee: {department: rnd}
    trigger: manual
    time_limit: {hours: 8}
    next: kickoff
  - id: kickoff
    type: handle
    name: {zh: 项目启动, en: Kick-off}
    assignee: {department: prd}
    trigger: {planned_date: kickoff}
    time_limit: {hours: 16}
    next: review
  - id: review
    type: milestone
    name: {zh: 方案评审, en: Review}
    assignee: {department: itd}
    planned: review_by
    next: done
  - {id: done, type: end, name: {zh: 结束, en: Done}}
"""
FORM = {"title": "试点项目", "kickoff": "2024-03-11", "review_by": "2024-03-20T17:00"}


def at(text: str) -> object:
    return parse_instant(text)


@pytest.fixture
def plan(demo_app: App, clock: FixedClock) -> Driver:
    catalog.publish(demo_app, SYSTEM, PLAN, "plan.yaml")
    clock.set(parse_instant("2024-03-04T09:00"))  # a Monday
    return Driver(demo_app)


def test_a_manual_node_waits_for_its_owner_to_start_it(
    demo_app: App, clock: FixedClock, plan: Driver
) -> None:
    key = plan.start("kickoff-plan", "mkt.head", FORM)
    (task,) = tasks_of(demo_app, "rnd.head")
    assert (task["state"], task["state_label"], task["due_at"]) == ("waiting", "待启动", None)
    told = [m for m in outbox(demo_app) if m["task_id"] == task["id"]]
    assert [m["event"] for m in told] == ["task_assigned"]  # they are told to start it
    with pytest.raises(ConflictError) as early:
        plan.do(task["id"], Action.ACK, "rnd.head")
    assert early.value.code == "task.waiting"
    clock.set(parse_instant("2024-03-05T10:00"))
    plan.do(task["id"], Action.START, "rnd.head")
    (started,) = tasks_of(demo_app, "rnd.head")
    assert (started["state"], started["due_at"]) == ("acknowledged", "2024-03-06 10:30")
    kinds = [e["kind"] for e in instance_view(demo_app, key)["timeline"]]
    assert kinds[-1] == "task_started"


def test_a_dated_node_starts_by_itself_at_its_planned_date(
    demo_app: App, clock: FixedClock, plan: Driver
) -> None:
    plan.start("kickoff-plan", "mkt.head", FORM)
    prepare = plan.task("rnd.head", "prepare")
    plan.do(prepare, Action.START, "rnd.head")
    clock.set(parse_instant("2024-03-05T11:00"))
    plan.do(prepare, Action.COMPLETE, "rnd.head")
    (waiting,) = tasks_of(demo_app, "prd.head")
    assert (waiting["state"], waiting["due_at"]) == ("waiting", None)
    assert not [m for m in outbox(demo_app) if m["task_id"] == waiting["id"]]  # not yet
    timers.tick(demo_app, clock, parse_instant("2024-03-11T17:00"))
    assert tasks_of(demo_app, "prd.head")[0]["state"] == "waiting"  # the day's close is 18:00
    timers.tick(demo_app, clock, parse_instant("2024-03-11T18:30"))
    (started,) = tasks_of(demo_app, "prd.head")
    # started at 18:00 on the planned day; 16 working hours from then: Thursday 10:00
    assert (started["state"], started["due_at"]) == ("pending", "2024-03-14 10:00")
    (told,) = [m for m in outbox(demo_app) if m["task_id"] == waiting["id"]]
    assert (told["event"], told["created_at"]) == ("task_assigned", "2024-03-11 18:00")


def test_a_planned_date_already_past_starts_the_node_at_once(
    demo_app: App, clock: FixedClock, plan: Driver
) -> None:
    plan.start("kickoff-plan", "mkt.head", {**FORM, "kickoff": "2024-03-01"})
    prepare = plan.task("rnd.head", "prepare")
    plan.do(prepare, Action.START, "rnd.head")
    plan.do(prepare, Action.COMPLETE, "rnd.head")
    (task,) = tasks_of(demo_app, "prd.head")
    assert task["state"] == "pending" and task["due_at"] is not None


def test_a_milestone_is_due_at_its_planned_date_and_plans_are_shown(
    demo_app: App, clock: FixedClock, plan: Driver
) -> None:
    key = plan.start("kickoff-plan", "mkt.head", {**FORM, "kickoff": "2024-03-01"})
    for login, node in (("rnd.head", "prepare"), ("prd.head", "kickoff")):
        task_id = plan.task(login, node)
        plan.do(task_id, Action.START if node == "prepare" else Action.ACK, login)
        plan.do(task_id, Action.COMPLETE, login)
    (review,) = tasks_of(demo_app, "itd.head")
    assert review["due_at"] == "2024-03-20 17:00"
    planned = instance_view(demo_app, key)["planned"]
    assert [(p["node_id"], p["start"], p["finish"]) for p in planned] == [
        ("kickoff", "2024-03-01 18:00", None),
        ("review", None, "2024-03-20 17:00"),
    ]


def test_the_new_product_launch_shows_the_key_nodes_of_its_form(
    demo_app: App, clock: FixedClock
) -> None:
    """S1: the key nodes of Template 1 (3-15, 4-01, 4-20) become the nodes' planned dates."""
    clock.set(parse_instant("2024-03-12T09:00"))
    form = {
        "title": "新产品A上市推进",
        "collaborating_departments": ["rnd"],
        "key_nodes": [
            {"name": "研发输出方案", "date": "2024-03-15", "owner": "rnd"},
            {"name": "生产确认产能", "date": "2024-04-01", "owner": "prd"},
            {"name": "销售培训完成", "date": "2024-04-20", "owner": "sal"},
        ],
    }
    key = Driver(demo_app).start("new-product-launch", "mkt.head", form)
    detail = queries.instance_detail(demo_app, who(demo_app, "mkt.head"), key)
    planned = as_dicts(demo_app, detail.planned)
    assert [(p["node"], p["finish"]) for p in planned] == [
        ("研发方案输出", "2024-03-15 18:00"),
        ("生产确认产能", "2024-04-01 18:00"),
        ("销售培训", "2024-04-20 18:00"),  # a Saturday's close: the plan says the date
    ]


def test_a_planned_field_must_be_a_date(demo_app: App) -> None:
    text = PLAN.replace("planned: review_by", "planned: remark").replace(
        "key: kickoff-plan", "key: bad-plan"
    )
    with pytest.raises(ValidationError) as bad:
        catalog.publish(demo_app, SYSTEM, text, "bad.yaml")
    assert [p.code for p in bad.value.problems] == ["definition.planned.field_type"]


def test_a_waiting_task_keeps_its_start_when_moved(
    demo_app: App, clock: FixedClock, plan: Driver
) -> None:
    from oaflow.services import runtime

    plan.start("kickoff-plan", "mkt.head", FORM)
    task_id = plan.task("rnd.head", "prepare")
    clock.advance(timedelta(hours=1))
    assert runtime.move_open_tasks(demo_app, who(demo_app, "admin"), "rnd.head", "rnd.staff") == [
        task_id
    ]
    (moved,) = tasks_of(demo_app, "rnd.staff")
    assert moved["state"] == "waiting"
    clock.set(at("2024-03-04T11:00"))  # type: ignore[arg-type]
    plan.do(task_id, Action.START, "rnd.staff")
    assert tasks_of(demo_app, "rnd.staff")[0]["state"] == "acknowledged"
