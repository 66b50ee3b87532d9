"""The monthly cause analysis (EXC-5) against a crafted history, on SQLite and PostgreSQL:
every count, share and cumulative share of the Pareto per process, node and department,
the month boundary in the business calendar's time zone, the scope of the caller, the
configurable cause list, and bad input.

The history: complaint A (quality, handled by 生产部 prd) and complaint B (logistics, 物流部
log), both started by 客户服务部 (csd); product launch C (市场部 mkt, with 研发部 rnd). Nine
exceptions found in March 2024 (the last at 23:30 on the 31st, Shanghai time) and two in April
(the first at 00:30 on April 1st).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import text

from oaflow.domain.clock import FixedClock
from oaflow.domain.errors import ForbiddenError, InputError, NotFoundError
from oaflow.services import audit, exception_analysis, exception_causes, exceptions
from oaflow.services.app import App
from oaflow.services.exception_analysis import Pareto

from .driver import COMPLAINT, Driver, who

D, R, S, N, U = "需求变更", "数据不完整", "外部供应商延迟", "资源不足", None
#: (instance, node, opened by, cause category) of each exception, in the order they are found
MARCH = [
    ("A", "triage", "csd.head", D),
    ("A", "handle", "csd.head", R),
    ("A", "handle", "csd.head", R),
    ("B", "handle", "csd.head", S),
    ("B", "handle", "csd.head", R),
    ("C", "confirm_requirements", "mkt.head", D),
    ("C", "n003", "mkt.head", D),
    ("C", "n003", "mkt.head", U),
]
LAST_OF_MARCH = ("A", "handle", "csd.head", N)  # 2024-03-31 23:30 in Shanghai
APRIL = [("B", "handle", "csd.head", D), ("C", "n003", "mkt.head", S)]  # from 04-01 00:30
LAUNCH = {"title": "新产品C", "collaborating_departments": ["rnd"]}


#: who explains an exception: the head of the responsible department (the task's)
EXPLAINS = {"triage": "csd.head", "A/handle": "prd.head", "B/handle": "log.head"}


def found(app: App, keys: dict[str, str], row: tuple[Any, ...]) -> None:
    """Open the exception of ``row``; the responsible department explains it with its
    cause category (none: not yet explained)."""
    instance, node, login, cause = row
    code = exceptions.open_exception(app, who(app, login), keys[instance], node, "延误")
    if cause is not None:
        head = EXPLAINS.get(node) or EXPLAINS.get(f"{instance}/{node}") or "rnd.head"
        expected = app.now() + timedelta(days=1)
        exceptions.report(app, who(app, head), code, cause, "原因", expected)
    with app.db.write() as conn:
        # Closed here at once, as verification would close it, so that the next record can
        # be opened on the same task (one open exception a task) without the whole loop:
        # the analysis counts records in every state.
        conn.execute(text("UPDATE exceptions SET state = 'closed' WHERE code = :c"), {"c": code})


@pytest.fixture
def history(demo_app: App, clock: FixedClock) -> App:
    d = Driver(demo_app)
    keys = {"A": d.start("customer-complaint", "csd.head", COMPLAINT)}
    d.approve("csd.head", "triage")
    keys["B"] = d.start(
        "customer-complaint", "csd.head", {**COMPLAINT, "complaint_type": "logistics"}
    )
    d.approve("csd.head", "triage")
    keys["C"] = d.start("new-product-launch", "mkt.head", LAUNCH)
    d.complete("mkt.head", "n001")  # 001 需求提交 (S1)
    d.approve("rnd.head", "confirm_requirements")
    d.approve("vp.market", "n002")
    for row in MARCH:
        clock.advance(timedelta(hours=1))
        found(demo_app, keys, row)
    clock.set(datetime(2024, 3, 31, 15, 30, tzinfo=UTC))
    found(demo_app, keys, LAST_OF_MARCH)
    clock.set(datetime(2024, 3, 31, 16, 30, tzinfo=UTC))
    for row in APRIL:
        found(demo_app, keys, row)
        clock.advance(timedelta(days=3))
    return demo_app


def ranking(*counts: tuple[str | None, int]) -> list[tuple[str | None, int, Fraction, Fraction]]:
    """What a group's causes must be: each cause and count, its share and cumulative share."""
    total, before, rows = sum(c for _, c in counts), 0, []
    for cause, count in counts:
        before += count
        rows.append((cause, count, Fraction(count, total), Fraction(before, total)))
    return rows


def groups(view: Pareto) -> dict[str, list[tuple[str | None, int, Fraction, Fraction]]]:
    """Each group's causes, with the shares as exact fractions of the group's total (the
    floats are checked to be exactly the divisions)."""
    found: dict[str, list[tuple[str | None, int, Fraction, Fraction]]] = {}
    for group in view.groups:
        rows = []
        for c in group.causes:
            share = Fraction(c.count, group.total)
            cumulative = Fraction(round(c.cumulative * group.total), group.total)
            assert c.share == float(share) and c.cumulative == float(cumulative)
            rows.append((c.cause, c.count, share, cumulative))
        assert group.total == sum(c.count for c in group.causes)
        found[group.key] = rows
    return found


def vital(view: Pareto, key: str) -> list[str | None]:
    (group,) = [g for g in view.groups if g.key == key]
    return [c.cause for c in group.causes if c.vital]


def test_the_pareto_of_a_crafted_history(history: App) -> None:
    """One history (built once per database: the suite is lean), four looks at it."""
    per_process_node_and_department(history)
    a_month_is_the_business_calendars_and_a_process_can_be_chosen(history)
    one_sees_the_causes_of_what_one_may_see(history)
    bad_input_is_said_in_both_languages(history)


def per_process_node_and_department(history: App) -> None:
    admin = who(history, "admin")
    whole = exception_analysis.pareto(history, admin, "2024-03")
    assert whole.total == 9 and [g.name.zh for g in whole.groups] == ["全部"]
    # ties (需求变更 and 数据不完整: 3 each) in the order of the cause list, 未归因 last
    assert groups(whole) == {"": ranking((D, 3), (R, 3), (S, 1), (N, 1), (U, 1))}
    assert vital(whole, "") == [D, R, S, N]  # 3, 6, 7 of 9 before them: under 80 %
    assert [c.label.en for c in whole.groups[0].causes][-1] == "Not yet explained"

    by_process = exception_analysis.pareto(history, admin, "2024-03", "process")
    assert groups(by_process) == {
        "customer-complaint": ranking((R, 3), (D, 1), (S, 1), (N, 1)),
        "new-product-launch": ranking((D, 2), (U, 1)),
    }
    assert vital(by_process, "customer-complaint") == [R, D, S]
    assert [g.name.en for g in by_process.groups] == ["Customer complaint", "New product launch"]

    by_node = exception_analysis.pareto(history, admin, "2024-03", "node")
    assert groups(by_node) == {
        "customer-complaint/handle": ranking((R, 3), (S, 1), (N, 1)),
        "new-product-launch/n003": ranking((D, 1), (U, 1)),
        "customer-complaint/triage": ranking((D, 1)),
        "new-product-launch/confirm_requirements": ranking((D, 1)),
    }
    assert [g.name.zh for g in by_node.groups][:2] == [
        "客户投诉 · 原因分析与处理",
        "新产品上市 · 研发方案输出",
    ]

    by_department = exception_analysis.pareto(history, admin, "2024-03", "department")
    assert groups(by_department) == {
        "prd": ranking((R, 2), (N, 1)),
        "rnd": ranking((D, 2), (U, 1)),
        "log": ranking((R, 1), (S, 1)),
        "csd": ranking((D, 1)),
    }
    assert [g.name.zh for g in by_department.groups] == ["生产部", "研发部", "物流部", "客户服务部"]


def a_month_is_the_business_calendars_and_a_process_can_be_chosen(history: App) -> None:
    admin = who(history, "admin")
    april = exception_analysis.pareto(history, admin, "2024-04")
    assert groups(april) == {"": ranking((D, 1), (S, 1))}
    launch = exception_analysis.pareto(history, admin, "2024-03", "node", "new-product-launch")
    assert list(groups(launch)) == [
        "new-product-launch/n003",
        "new-product-launch/confirm_requirements",
    ]
    assert exception_analysis.pareto(history, admin, "2024-02").groups == ()


def one_sees_the_causes_of_what_one_may_see(history: App) -> None:
    logistics = exception_analysis.pareto(history, who(history, "log.head"), "2024-03", "process")
    assert groups(logistics) == {"customer-complaint": ranking((R, 1), (S, 1))}
    outsider = exception_analysis.pareto(history, who(history, "sal.head"), "2024-03")
    assert outsider.total == 0 and outsider.groups == ()


BAD = [
    ("2024-13", None, None, "analysis.bad_month"),
    ("march", None, None, "analysis.bad_month"),
    ("2024-03", "week", None, "analysis.bad_dimension"),
    ("2024-03", None, "no-such-process", "analysis.unknown_process"),
]


def bad_input_is_said_in_both_languages(history: App) -> None:
    for month, by, process, code in BAD:
        with pytest.raises((InputError, NotFoundError)) as raised:
            exception_analysis.pareto(history, who(history, "admin"), month, by, process)
        assert raised.value.code == code
        assert raised.value.text("zh") != raised.value.text("en") and raised.value.hint("zh")


def test_administrators_keep_the_cause_list(demo_app: App) -> None:
    admin, staff = who(demo_app, "admin"), who(demo_app, "csd.staff")
    listed = exception_causes.cause_list(demo_app, staff)
    assert not listed.customised and [c.label.en for c in listed.causes][:2] == [
        "Requirement change",
        "Incomplete data",
    ]
    changed = exception_causes.set_causes(demo_app, admin, [" 需求变更 ", "设备故障"])
    assert changed.customised and [(c.name, c.label.en) for c in changed.causes] == [
        ("需求变更", "Requirement change"),
        ("设备故障", "设备故障"),
    ]
    (entry,) = [e for e in audit.entries(demo_app, admin) if e.action == "exception.causes"]
    assert entry.actor == "admin" and entry.detail == {"names": ["需求变更", "设备故障"]}
    for names, code in [
        ([], "cause.none_given"),
        (["需求变更", " "], "cause.blank"),
        (["甲" * 41], "cause.too_long"),
        (["其他", "其他"], "cause.duplicate"),
    ]:
        with pytest.raises(InputError) as raised:
            exception_causes.set_causes(demo_app, admin, names)
        assert raised.value.code == code
    with pytest.raises(ForbiddenError):
        exception_causes.set_causes(demo_app, staff, ["其他"])
    assert [c.name for c in exception_causes.cause_list(demo_app, admin).causes] == [
        "需求变更",
        "设备故障",
    ]
