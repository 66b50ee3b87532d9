"""The crafted history of the metrics tests (MTR-1..4): six complaints in March and April
2024 with a rejection, a return, an overdue node with an exception, a running one and
surveys. tests/contract/test_metrics.py tells the story and works out its right answers by
hand; tests/contract/test_review.py reads the review report of the same history."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from oaflow.domain.clock import FixedClock
from oaflow.domain.states import Action
from oaflow.services import exceptions
from oaflow.services.app import App

from .driver import COMPLAINT, Driver, tasks_of, who

SHANGHAI = ZoneInfo("Asia/Shanghai")
COMPLAINT_KEY = "customer-complaint"


def at(clock: FixedClock, when: str) -> None:
    """Set the clock to ``when`` (``MM-DD HH:MM`` of 2024, Shanghai time)."""
    clock.set(datetime.strptime(f"2024-{when}", "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI))


#: each step of a plan: the node, who acts, the action, what it gives
STEPS: dict[str, tuple[str, str, Action, dict[str, Any]]] = {
    "triage": ("triage", "csd.head", Action.APPROVE, {}),
    "handle": (
        "handle",
        "prd.head",
        Action.COMPLETE,
        {"outputs": {"cause": "包装强度不足", "solution": "更换包装"}},
    ),
    "review": ("review", "csd.head", Action.APPROVE, {}),
    "reject": ("review", "csd.head", Action.REJECT, {"note": "原因不充分"}),
    "return": ("review", "csd.head", Action.RETURN, {"target": "handle"}),
    "reply": ("reply", "csd.head", Action.COMPLETE, {"outputs": {"reply": "已处理"}}),
}


def steps(d: Driver, clock: FixedClock, key: str, plan: list[tuple[str, str]]) -> None:
    """Act on instance ``key``'s open task at each (time, step) of ``plan``."""
    for when, step in plan:
        at(clock, when)
        node, login, action, given = STEPS[step]
        (task,) = [
            t["id"]
            for t in tasks_of(d.app, login)
            if t["node_id"] == node and t["business_key"] == key
        ]
        d.do(int(task), action, login, **given)


def crafted_history(demo_app: App, clock: FixedClock) -> dict[str, str]:
    """Complaints A-F of tests/contract/test_metrics.py's story on ``demo_app``, the clock
    moved through March and April 2024; their business keys by letter."""
    d, keys = Driver(demo_app), {}

    def start(name: str, when: str) -> None:
        at(clock, when)
        keys[name] = d.start(COMPLAINT_KEY, "csd.head", COMPLAINT)

    start("A", "03-01 09:00")
    steps(d, clock, keys["A"], [("03-01 10:00", "triage"), ("03-01 11:00", "handle")])
    steps(d, clock, keys["A"], [("03-01 12:00", "review"), ("03-01 14:30", "reply")])
    start("B", "03-04 09:00")
    b_plan = [("03-04 09:30", "triage"), ("03-04 10:30", "handle"), ("03-04 11:00", "reject")]
    b_plan += [("03-04 14:00", "handle"), ("03-04 15:00", "review"), ("03-04 16:00", "reply")]
    steps(d, clock, keys["B"], b_plan)
    start("C", "03-05 09:00")
    steps(d, clock, keys["C"], [("03-05 11:00", "triage")])
    at(clock, "03-13 16:00")
    code = exceptions.open_exception(
        demo_app, who(demo_app, "csd.head"), keys["C"], "handle", "延误"
    )
    with demo_app.db.write() as conn:  # closed as verification would close it
        conn.execute(text("UPDATE exceptions SET state = 'closed' WHERE code = :c"), {"c": code})
    c_plan = [("03-14 15:30", "handle"), ("03-14 17:00", "review"), ("03-15 10:00", "reply")]
    steps(d, clock, keys["C"], c_plan)
    start("D", "03-18 09:00")
    d_plan = [("03-18 10:00", "triage"), ("03-18 11:00", "handle"), ("03-18 11:30", "return")]
    d_plan += [("03-18 12:00", "handle"), ("03-18 14:30", "review"), ("03-18 15:30", "reply")]
    steps(d, clock, keys["D"], d_plan)
    start("E", "03-20 09:00")
    steps(d, clock, keys["E"], [("03-20 10:00", "triage")])
    start("F", "03-29 17:00")
    f_plan = [("04-01 09:30", "triage"), ("04-01 10:00", "handle"), ("04-01 10:30", "review")]
    steps(d, clock, keys["F"], [*f_plan, ("04-01 11:00", "reply")])
    # the survey (MTR-2): A's two departments answered, B's csd answered and prd not yet
    with demo_app.db.write() as conn:
        for key, department, score in (
            ("A", "csd", 5),
            ("A", "prd", 4),
            ("B", "csd", 3),
            ("B", "prd", None),
        ):
            conn.execute(
                text(
                    "INSERT INTO surveys (instance_id, department, asked_at, score, comment) "
                    "SELECT id, :d, ended_at, :s, '' FROM instances WHERE business_key = :k"
                ),
                {"d": department, "s": score, "k": keys[key]},
            )
    return keys
