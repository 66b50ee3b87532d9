"""S3 年度预算 end to end through the real `oaflow` command (SPEC §17, §18).

A department budget over 1,000,000 CNY also needs the general manager (decision table
`approval_tiers`); under it, the supervising leader's approval is the last one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.acceptance

FORM = {
    "title": "2025年度预算",
    "fiscal_year": 2025,
    "departments": ["mkt", "rnd"],
    "total_cap": 5_000_000,
}
BUDGETS = {
    # amounts within 20 % growth of last year, so the totals check passes
    "over": {
        "mkt.head": (1_200_000, 1_100_000, "广告投放、展会"),
        "rnd.head": (800_000, 750_000, "样机研发"),
    },
    "under": {
        "mkt.head": (900_000, 850_000, "广告投放"),
        "rnd.head": (800_000, 750_000, "样机研发"),
    },
}


def budget(cli: Any, case: str) -> dict[str, Any]:
    """Finance starts the budget, both heads submit, the leaders approve as their tasks come."""
    seen: dict[str, Any] = {"cli": cli}
    seen["start"] = cli("start", "annual-budget", "--as", "fin.head", "--data", json.dumps(FORM))
    seen["dept_tasks"] = {login: cli.tasks(login) for login in BUDGETS[case]}
    for login, (amount, last_year, items) in BUDGETS[case].items():
        (task,) = seen["dept_tasks"][login]
        cli(
            "task", "complete", str(task["id"]), "--as", login,
            "--field", f"budget_amount={amount}", "--field", f"last_year_amount={last_year}",
            "--field", f"budget_items={items}", now="2024-03-04T10:00",
        )  # fmt: skip
    seen["leader_tasks"] = cli.tasks("vp.admin")
    cli(
        "task",
        "approve",
        str(seen["leader_tasks"][0]["id"]),
        "--as",
        "vp.admin",
        now="2024-03-05T10:00",
    )
    seen["gm_tasks"] = cli.tasks("gm")
    for task in seen["gm_tasks"]:
        cli("task", "approve", str(task["id"]), "--as", "gm", now="2024-03-06T10:00")
    cli("tick", "--until", "2024-03-06T11:00")  # the demo's finance system answers (INT-2)
    seen["instance"] = cli.json("instance", "show", seen["start"].out.strip(), "--as", "fin.head")
    return seen


@pytest.fixture(scope="module")
def runs(fresh_cli, parallel) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Both cases, each on its own database, side by side."""
    return parallel({case: (lambda case=case: budget(fresh_cli(), case)) for case in BUDGETS})


@pytest.mark.parametrize("case", list(BUDGETS))
def test_start_prints_the_business_key(runs: dict[str, Any], case: str) -> None:
    assert runs[case]["start"].out.strip() == "YS202401"


@pytest.mark.parametrize("case", list(BUDGETS))
def test_every_department_head_gets_one_budget_task(runs: dict[str, Any], case: str) -> None:
    for login, department in (("mkt.head", "市场部"), ("rnd.head", "研发部")):
        (task,) = runs[case]["dept_tasks"][login]
        assert (task["node_id"], task["node"], task["department_name"]) == (
            "dept_budgets",
            "各部门提交预算",
            department,
        )
        assert task["business_key"] == "YS202401"


@pytest.mark.parametrize("case", list(BUDGETS))
def test_the_supervising_leader_of_finance_approves(runs: dict[str, Any], case: str) -> None:
    (task,) = runs[case]["leader_tasks"]
    assert (task["node_id"], task["node"]) == ("leader_approval", "分管领导审批")


def test_over_the_threshold_the_general_manager_approves(runs: dict[str, Any]) -> None:
    (task,) = runs["over"]["gm_tasks"]
    assert (task["node_id"], task["node"], task["assignee"]) == ("gm_approval", "总经理审批", "gm")
    nodes = [
        e["node"] for e in runs["over"]["instance"]["timeline"] if e["kind"] == "task_approved"
    ]
    assert nodes == ["分管领导审批", "总经理审批"]


def test_under_the_threshold_the_general_manager_is_not_asked(runs: dict[str, Any]) -> None:
    assert runs["under"]["gm_tasks"] == []
    timeline = runs["under"]["instance"]["timeline"]
    assert "总经理审批" not in [e["node"] for e in timeline]
    assert [e["node"] for e in timeline if e["kind"] == "task_approved"] == ["分管领导审批"]


@pytest.mark.parametrize("case", list(BUDGETS))
def test_the_budget_completes_with_a_gapless_timeline(runs: dict[str, Any], case: str) -> None:
    view = runs[case]["instance"]
    assert (view["business_key"], view["state"], view["initiator"]) == (
        "YS202401",
        "completed",
        "fin.head",
    )
    runs[case]["cli"].assert_gapless(view["timeline"])
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds[0] == "instance_started" and kinds[-1] == "instance_completed"
    assert kinds.count("task_done") == 2  # one budget per department
    routed = [e["data"]["to"] for e in view["timeline"] if e["kind"] == "routed"]
    assert routed[0] == "leader_approval"  # the totals check passed
    departments = [
        (r["department"], r["department_name"])  # the code, and its name beside it
        for r in view["progress"]
        if r["node"] == "各部门提交预算"
    ]
    assert sorted(departments) == [("mkt", "市场部"), ("rnd", "研发部")]
