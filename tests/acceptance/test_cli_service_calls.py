"""S3's finance sync and department ledger through the real `oaflow` command (INT-2, ARC-2),
the finance system played by a local HTTP server on 127.0.0.1: one that fails twice and
then accepts — the budget runs to its end with `tick --until` at later instants (no
sleeping) and its ledger rows are there, as JSON and as a CSV file; one that only answers
garbage — an incident an administrator retries, then skips with a reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.finance_server import SECRET, Finance, finance_server

pytestmark = pytest.mark.acceptance

FORM = {"title": "2025年度预算", "fiscal_year": 2025, "departments": ["mkt", "rnd"],
        "total_cap": 5_000_000}  # fmt: skip
AMOUNTS = {"mkt.head": (900_000, 850_000), "rnd.head": (800_000, 750_000)}


def approved_budget(cli: Any, finance: Finance) -> str:
    """The endpoint set to ``finance``; a budget submitted and approved on 2024-03-05."""
    cli(
        "service", "set", "finance.sync_budget", "--url", finance.url, "--secret", SECRET,
        "--timeout", "5", "--as", "admin",
    )  # fmt: skip
    key = cli("start", "annual-budget", "--as", "fin.head", "--data", json.dumps(FORM)).out.strip()
    for login, (amount, last_year) in AMOUNTS.items():
        cli(
            "task", "complete", cli.task_id(login, "dept_budgets"), "--as", login,
            "--field", f"budget_amount={amount}", "--field", f"last_year_amount={last_year}",
            "--field", "budget_items=人员", now="2024-03-04T10:00",
        )  # fmt: skip
    leader = cli.task_id("vp.admin", "leader_approval")
    cli("task", "approve", leader, "--as", "vp.admin", now="2024-03-05T10:00")
    return key


def accepted_on_the_third_attempt(cli: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {"cli": cli}
    with finance_server(["fail", "garbage", "ok"]) as finance:
        key = approved_budget(cli, finance)
        cli("tick", "--until", "2024-03-05T10:03", now="2024-03-05T10:00")
        seen["after_two"] = (
            len(finance.requests),
            cli.json("instance", "show", key, "--as", "admin"),
        )
        cli("tick", "--until", "2024-03-05T11:00")
        seen["requests"] = list(finance.requests)
    seen["instance"] = cli.json("instance", "show", key, "--as", "fin.head")
    seen["ledger"] = cli.json("ledger", "show", "dept_budget", "--as", "fin.head")
    csv_file = cli.db.parent / "台账.csv"
    cli("ledger", "export", "dept_budget", "--to", str(csv_file), "--as", "rnd.head", lang="en")
    seen["csv"] = csv_file.read_bytes()
    return seen


def never_accepted(cli: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {"cli": cli}
    with finance_server(["garbage"]) as finance:
        key = approved_budget(cli, finance)
        cli("tick", "--until", "2024-03-05T14:00", now="2024-03-05T10:00")
        seen["incidents"] = cli.json("incident", "list", "--as", "admin")
        call = str(seen["incidents"][0]["id"])
        seen["retried"] = cli("incident", "retry", call, "--as", "admin", now="2024-03-05T14:10")
        seen["requests"] = len(finance.requests)
    cli("incident", "skip", call, "--reason", "财务系统升级，已手工录入", "--as", "admin",
        now="2024-03-05T14:20")  # fmt: skip
    seen["instance"] = cli.json("instance", "show", key, "--as", "admin")
    return seen


@pytest.fixture(scope="module")
def runs(fresh_cli, parallel) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    yield parallel(
        {
            "accepted": lambda: accepted_on_the_third_attempt(fresh_cli()),
            "incident": lambda: never_accepted(fresh_cli()),
        }
    )


def test_the_budget_waits_while_the_finance_system_fails(runs: dict[str, Any]) -> None:
    count, view = runs["accepted"]["after_two"]
    assert count == 2 and view["state"] == "running"
    assert [e["kind"] for e in view["timeline"]][-1] == "service_call_opened"


def test_the_third_attempt_is_accepted_and_the_budget_ends(runs: dict[str, Any]) -> None:
    seen = runs["accepted"]
    view = seen["instance"]
    assert view["state"] == "completed"
    seen["cli"].assert_gapless(view["timeline"])
    (called,) = [e for e in view["timeline"] if e["kind"] == "service_called"]
    assert called["data"] == {"reference": "FIN-3", "attempts": 3}
    requests = seen["requests"]
    assert len(requests) == 3 and all(r.signed for r in requests)
    assert len({r.headers["idempotency-key"] for r in requests}) == 1
    assert requests[0].payload["data"]["budget_amount"] == [900_000, 800_000]


def test_the_ledger_holds_each_departments_approved_budget(runs: dict[str, Any]) -> None:
    ledger = runs["accepted"]["ledger"]
    assert ledger["ledger"] == "dept_budget" and ledger["total"] == 1_700_000
    rows = [(r["department"], r["period"], r["amount"]) for r in ledger["rows"]]
    assert rows == [("mkt", "2025", 900_000), ("rnd", "2025", 800_000)]
    csv = runs["accepted"]["csv"]
    assert csv.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel on Chinese Windows
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Period,Department code,Department,Amount")
    assert lines[1].startswith("2025,rnd,R&D") and len(lines) == 3  # rnd.head: their row only


def test_an_endpoint_that_never_accepts_opens_an_incident(runs: dict[str, Any]) -> None:
    seen = runs["incident"]
    (incident,) = seen["incidents"]
    assert (incident["state"], incident["attempts"], incident["node_id"]) == (
        "incident",
        5,
        "sync_finance",
    )
    assert "not JSON" in incident["last_error"]
    assert seen["retried"].out.strip() == f"调用 {incident['id']} 将重新尝试"
    assert seen["requests"] == 5  # the retry is made by the worker, not by the command


def test_an_incident_skipped_with_a_reason_lets_the_budget_end(runs: dict[str, Any]) -> None:
    view = runs["incident"]["instance"]
    assert view["state"] == "completed"
    (skipped,) = [e for e in view["timeline"] if e["kind"] == "service_skipped"]
    assert skipped["data"]["reason"] == "财务系统升级，已手工录入" and skipped["actor"] == "admin"
