"""Two people complete the same task at the same instant: exactly one wins (RUN-6).

Deterministic: the first transaction is paused just before its commit (a hook in the
unit of work), the second runs against it, then the first is resumed. On SQLite the second
queues behind the first's write lock and then finds the task finished; on PostgreSQL it
reads the old row, blocks on the row lock, and its version check fails after the commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from oaflow.domain.errors import ConflictError, OAFlowError
from oaflow.domain.security import SYSTEM
from oaflow.domain.states import Action
from oaflow.engine.runtime import Command
from oaflow.services import runtime
from oaflow.services.app import App
from oaflow.storage.database import Database

from .driver import COMPLAINT, Driver, tasks_of, who
from .races import wait_for_lock_waiter

WAIT = 30  # seconds: an upper bound for a stuck test, never a pause


class Paused:
    """Runs a command in a thread and holds its transaction open just before commit."""

    def __init__(self, app: App, command: Callable[[], object]) -> None:
        self.reached = threading.Event()
        self.resume = threading.Event()
        self.error: BaseException | None = None
        app.db.before_commit = self._hold
        self.thread = threading.Thread(target=self._run, args=(command,))

    def _hold(self) -> None:
        self.reached.set()
        assert self.resume.wait(WAIT)

    def _run(self, command: Callable[[], object]) -> None:
        try:
            command()
        except BaseException as exc:  # handed to the test
            self.error = exc


def second_app(app: App) -> App:
    return App(
        db=Database(app.db.url),
        clock=app.clock,
        calendar=app.calendar,
        cipher=app.sensitive.cipher,
    )


def race(
    app: App,
    make: Callable[[App], Callable[[], object]],
    make_second: Callable[[App], Callable[[], object]] | None = None,
) -> tuple[BaseException | None, BaseException | None]:
    """Run ``make``'s command paused before its commit, then ``make_second``'s (default: the
    same command) against it, then let the first commit; each one's error, if any."""
    make_second = make_second or make
    other = second_app(app)
    first = Paused(app, make(app))
    first.thread.start()
    assert first.reached.wait(WAIT)
    outcome: list[BaseException | None] = [None]

    def run_second() -> None:
        try:
            make_second(other)()
        except BaseException as exc:
            outcome[0] = exc

    second = threading.Thread(target=run_second)
    second.start()
    if app.db.dialect == "postgresql":
        wait_for_lock_waiter(app, second)
    first.resume.set()
    first.thread.join(WAIT)
    second.join(WAIT)
    app.db.before_commit = None
    other.db.dispose()
    return first.error, outcome[0]


def test_two_simultaneous_completions_one_wins(demo_app: App) -> None:
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.head", COMPLAINT)
    d.approve("csd.head", "triage")
    task_id = d.ack("prd.head", "handle")
    outputs = {"cause": "包装问题", "solution": "补发"}

    def make(app: App) -> Callable[[], object]:
        return lambda: runtime.act(
            app,
            who(app, "prd.head"),
            task_id,
            Command(Action.COMPLETE, "prd.head", outputs=outputs),
        )

    first_error, second_error = race(demo_app, make)
    assert first_error is None
    assert isinstance(second_error, ConflictError)
    review = [r for r in d.instance(key)["progress"] if r["node"] == "处理结果审核"]
    assert len(review) == 1


def test_two_simultaneous_approvals_one_successor(demo_app: App) -> None:
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.head", COMPLAINT)
    task_id = d.task("csd.head", "triage")

    def make(app: App) -> Callable[[], object]:
        return lambda: runtime.act(
            app, who(app, "csd.head"), task_id, Command(Action.APPROVE, "csd.head")
        )

    first_error, second_error = race(demo_app, make)
    assert first_error is None and isinstance(second_error, ConflictError)
    handles = [r for r in d.instance(key)["progress"] if r["node"] == "原因分析与处理"]
    assert len(handles) == 1


def test_last_two_countersigners_at_once_the_node_finishes_once(demo_app: App) -> None:
    """Two departments submit the last budgets at the same time: one leader approval task."""
    d = Driver(demo_app)
    form = {
        "title": "预算",
        "fiscal_year": 2025,
        "departments": ["mkt", "rnd"],
        "total_cap": 9e6,
        "growth_threshold": 0.5,
    }
    key = d.start("annual-budget", "fin.head", form)
    ids = {code: d.ack(f"{code}.head", "dept_budgets") for code in ("mkt", "rnd")}
    outputs = {"budget_amount": 500_000, "last_year_amount": 480_000, "budget_items": "差旅"}
    turn = iter(["mkt", "rnd"])

    def make(app: App) -> Callable[[], object]:
        code = next(turn)
        return lambda: runtime.act(
            app,
            who(app, f"{code}.head"),
            ids[code],
            Command(Action.COMPLETE, f"{code}.head", outputs=outputs),
        )

    first_error, second_error = race(demo_app, make)
    assert first_error is None and second_error is None  # different tasks: both succeed
    approvals = [r for r in d.instance(key)["progress"] if r["node"] == "分管领导审批"]
    assert len(approvals) == 1


def withdraw_by(business_key: str) -> Callable[[App], Callable[[], object]]:
    return lambda app: lambda: runtime.withdraw(app, who(app, "csd.staff"), business_key)


def approve_task(task_id: int, login: str) -> Callable[[App], Callable[[], object]]:
    return lambda app: (
        lambda: runtime.act(app, who(app, login), task_id, Command(Action.APPROVE, login))
    )


@pytest.mark.parametrize("withdraw_first", [True, False])
def test_withdraw_against_approve_exactly_one_wins(demo_app: App, withdraw_first: bool) -> None:
    d = Driver(demo_app)
    key = d.start("customer-complaint", "csd.staff", COMPLAINT)
    triage = d.task("csd.head", "triage")
    withdraw, approve = withdraw_by(key), approve_task(triage, "csd.head")
    first, second = (withdraw, approve) if withdraw_first else (approve, withdraw)
    first_error, second_error = race(demo_app, first, second)
    assert first_error is None and isinstance(second_error, OAFlowError)
    view = d.instance(key)
    if withdraw_first:
        assert view["state"] == "cancelled" and tasks_of(demo_app, "prd.head") == []
    else:
        assert view["state"] == "running" and d.task("prd.head", "handle") > 0


def return_to_plan(task_id: int) -> Callable[[App], Callable[[], object]]:
    command = Command(Action.RETURN, "leg.head", target="n003", note="材料与方案不一致")
    return lambda app: lambda: runtime.act(app, who(app, command.actor), task_id, command)


def finish_training(task_id: int) -> Callable[[App], Callable[[], object]]:
    return lambda app: (
        lambda: runtime.act(
            app, who(app, "sal.head"), task_id, Command(Action.COMPLETE, "sal.head")
        )
    )


@pytest.mark.parametrize("return_first", [True, False])
def test_return_in_one_branch_against_completion_in_the_other(
    demo_app: App, return_first: bool
) -> None:
    """Legal returns to the R&D plan (before the split) while sales finishes its branch: in
    either order the process ends up back at the plan with nothing else open, and the join
    fires once when both branches are done again."""
    d = Driver(demo_app)
    key = d.start(
        "new-product-launch", "mkt.head", {"title": "新产品D", "collaborating_departments": ["rnd"]}
    )
    d.complete("mkt.head", "n001")  # 001 需求提交 (S1)
    d.approve("rnd.head", "confirm_requirements")
    d.approve("vp.market", "n002")
    d.complete("rnd.head", "n003", plan_summary="方案", deliverables={"研发方案": "v1.pdf"})
    d.complete("prd.head", "capacity")
    legal, sales = d.task("leg.head", "legal_review"), d.task("sal.head", "sales_training")
    first, second = return_to_plan(legal), finish_training(sales)
    if not return_first:
        first, second = second, first
    first_error, second_error = race(demo_app, first, second)
    assert first_error is None
    assert second_error is None or isinstance(second_error, OAFlowError)
    open_rows = [
        r for r in d.instance(key)["progress"] if r["actual"] is None and r["status"] != "已取消"
    ]
    assert [r["node"] for r in open_rows] == ["研发方案输出"]
    d.complete("rnd.head", "n003", plan_summary="方案V2", deliverables={"研发方案": "v2.pdf"})
    d.complete("prd.head", "capacity")
    d.approve("leg.head", "legal_review")
    d.complete("sal.head", "sales_training")
    view = d.instance(key)
    assert (
        view["state"] == "completed" and [e["kind"] for e in view["timeline"]].count("joined") == 1
    )


@pytest.mark.parametrize("return_first", [True, False])
def test_return_in_one_branch_against_an_approval_in_the_other(
    demo_app: App, return_first: bool
) -> None:
    """Sales returns to the R&D plan while legal approves the launch materials: either way
    the process is back at the plan with nothing else open."""
    d = Driver(demo_app)
    key = d.start(
        "new-product-launch", "mkt.head", {"title": "新产品E", "collaborating_departments": ["rnd"]}
    )
    d.complete("mkt.head", "n001")  # 001 需求提交 (S1)
    d.approve("rnd.head", "confirm_requirements")
    d.approve("vp.market", "n002")
    d.complete("rnd.head", "n003", plan_summary="方案", deliverables={"研发方案": "v1.pdf"})
    d.complete("prd.head", "capacity")
    legal, sales = d.task("leg.head", "legal_review"), d.task("sal.head", "sales_training")
    back = Command(Action.RETURN, "sal.head", target="n003", note="培训材料需要新方案")

    def returning(app: App) -> Callable[[], object]:
        return lambda: runtime.act(app, who(app, back.actor), sales, back)

    approving = approve_task(legal, "leg.head")
    first, second = (returning, approving) if return_first else (approving, returning)
    first_error, second_error = race(demo_app, first, second)
    assert first_error is None
    assert second_error is None or isinstance(second_error, OAFlowError)
    open_rows = [
        r for r in d.instance(key)["progress"] if r["actual"] is None and r["status"] != "已取消"
    ]
    assert [r["node"] for r in open_rows] == ["研发方案输出"]


COUNTERSIGN = """
key: countersign-race
name: {zh: 会签并发}
business_key: "CR{yyyy}{seq:03}"
nodes:
  - {id: start, type: initiate, name: {zh: 发起}, next: sign}
  - id: sign
    type: approval
    name: {zh: 会签}
    assignee: {users: [vp.market, vp.tech]}
    mode: all
    time_limit: {hours: 8}
    next: gm
  - id: gm
    type: approval
    name: {zh: 总经理审批}
    assignee: {user: gm}
    time_limit: {hours: 8}
    next: done
  - {id: done, type: end, name: {zh: 结束}}
"""


def test_two_countersigners_approving_at_once_pass_the_step_once(demo_app: App) -> None:
    from oaflow.services import catalog

    catalog.publish(demo_app, SYSTEM, COUNTERSIGN, "countersign.yaml")
    d = Driver(demo_app)
    key = d.start("countersign-race", "mkt.head", {"title": "会签"})
    market, tech = d.task("vp.market", "sign"), d.task("vp.tech", "sign")
    first_error, second_error = race(
        demo_app, approve_task(market, "vp.market"), approve_task(tech, "vp.tech")
    )
    assert first_error is None and second_error is None  # different tasks: both succeed
    kinds = [e["kind"] for e in d.instance(key)["timeline"]]
    assert kinds.count("signers_passed") == 1
    assert d.task("gm", "gm") > 0  # exactly one successor task
