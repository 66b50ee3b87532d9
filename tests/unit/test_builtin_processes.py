"""The built-in processes (SPEC §17, §18) and the demo organisation (§19)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oaflow.domain.definition import NodeType, ProcessDefinition, TimeLimit
from oaflow.domain.errors import NotFoundError, ValidationError
from oaflow.domain.expressions import compile_expression
from oaflow.domain.org import Organisation
from oaflow.domain.orgfile import org_to_csv, org_to_yaml, parse_org_csv, parse_org_yaml
from oaflow.domain.validate import check_definition
from oaflow.processes import builtin_keys, builtin_source, demo_org_source, demo_organisation

DEMO_CODES = ("mkt", "rnd", "prd", "sal", "leg", "cmp", "csd", "log", "svc", "fin", "itd")
LEADERS = {
    "mkt": "vp.market",
    "rnd": "vp.tech",
    "prd": "vp.ops",
    "sal": "vp.market",
    "leg": "vp.admin",
    "cmp": "vp.admin",
    "csd": "vp.market",
    "log": "vp.ops",
    "svc": "vp.market",
    "fin": "vp.admin",
    "itd": "vp.tech",
}


@pytest.fixture(scope="module")
def demo() -> Organisation:
    return demo_organisation()


def load(key: str, demo: Organisation) -> ProcessDefinition:
    text, file = builtin_source(key)
    try:
        return check_definition(text, file, demo.names())
    except ValidationError as error:
        pytest.fail(f"{key} does not validate:\n{error}")


def paths(d: ProcessDefinition, node_id: str, seen: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Every path from ``node_id`` to an end, following next and routes (no loops)."""
    if node_id in seen:
        return
    following = d.successors(node_id)
    if not following:
        yield [node_id]
    for successor in following:
        for rest in paths(d, successor, (*seen, node_id)):
            yield [node_id, *rest]


# --- demo organisation ------------------------------------------------------------------


def test_demo_organisation_follows_the_spec(demo: Organisation) -> None:
    for code, leader in LEADERS.items():
        assert demo.head_of(code) == f"{code}.head"
        assert demo.interfaces_of(code) == (f"{code}.staff",)
        assert demo.members_of(code) == (f"{code}.head", f"{code}.staff")
        assert demo.leader_of(code) == leader
    assert set(DEMO_CODES) <= set(demo.departments)
    assert demo.department_name("csd") == "客户服务部"
    assert demo.department_name("svc", "en") == "Service Desk"
    assert demo.users_with_role("general_manager") == ("gm",)
    assert demo.users_with_role("administrator") == ("admin",)
    assert set(demo.users_with_role("supervising_leader")) == {
        "vp.market",
        "vp.tech",
        "vp.ops",
        "vp.admin",
    }


def test_every_demo_user_has_a_chinese_name_and_a_demo_address(demo: Organisation) -> None:
    assert len(demo.users) == 2 * len(DEMO_CODES) + 7
    for user in demo.users.values():
        assert all("\u4e00" <= ch <= "\u9fff" for ch in user.name.zh), user.login
        assert user.name.en and user.email == f"{user.login}@demo.oaflow.local"


def test_demo_organisation_round_trips(demo: Organisation) -> None:
    assert parse_org_yaml(org_to_yaml(demo)) == demo
    assert parse_org_csv(org_to_csv(demo)) == demo
    assert demo_org_source().startswith("# OA-Flow demo organisation")


# --- built-in processes -----------------------------------------------------------------


def test_builtin_keys_are_the_spec_keys() -> None:
    assert builtin_keys() == (
        "new-product-launch",
        "customer-complaint",
        "annual-budget",
        "project-milestones",
    )


def test_unknown_builtin_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="no built-in process 'nope'"):
        builtin_source("nope")


@pytest.mark.parametrize("key", builtin_keys())
def test_builtin_validates_against_the_demo_organisation(key: str, demo: Organisation) -> None:
    d = load(key, demo)
    assert d.key == key
    assert builtin_source(key)[1] == f"{key}.yaml"
    assert d.name.zh and d.name.en
    for node in d.nodes.values():
        assert node.name.zh and node.name.en, node.id
    for field in d.form:
        assert field.label.zh and field.label.en, field.name
    assert all(n.time_limit for n in d.nodes.values() if n.is_task and n.type != "milestone")


def test_initiators_and_business_keys(demo: Organisation) -> None:
    expected = {
        "new-product-launch": (("mkt",), "PROJ{yyyy}{MM}{seq:02}"),
        "customer-complaint": (("csd",), "TS{yyyy}{MM}{seq:03}"),
        "annual-budget": (("fin",), "YS{yyyy}{seq:02}"),
        "project-milestones": ((), "XM{yyyy}{MM}{seq:02}"),
    }
    for key, (initiators, pattern) in expected.items():
        d = load(key, demo)
        assert (d.initiators, d.business_key) == (initiators, pattern)


def test_product_launch_shape(demo: Organisation) -> None:
    d = load("new-product-launch", demo)
    plan = d.node("n003")
    assert plan.name.zh == "研发方案输出"
    assert plan.time_limit == TimeLimit(72, "calendar")
    assert plan.outputs.deliverables == ("研发方案",)
    assert [(f.name, f.required) for f in plan.outputs.fields] == [("plan_summary", True)]
    confirm = d.node("confirm_requirements")
    assert (confirm.type, confirm.task) == (NodeType.MULTI_INSTANCE, NodeType.CONFIRM)
    assert d.node("n002").assignee is not None and d.node("n002").assignee.kind == "leader_of"
    assert set(d.node("fork").next) == {"legal_review", "sales_training"}
    assert d.node("archive").archive_name == "项目归档-{yyyy}-{product_name}"
    submit = d.node("n001")  # Template 2 row 001: the initiating department, 2 hours
    assert (submit.name.zh, submit.type, submit.time_limit) == ("需求提交", "handle", TimeLimit(2))
    assert submit.assignee is not None and submit.assignee.kind == "initiator"
    planned = {n: d.node(n).planned for n in ("n003", "capacity", "sales_training")}
    assert {n: p.key_node for n, p in planned.items() if p} == {
        "n003": "研发输出方案",
        "capacity": "生产确认产能",
        "sales_training": "销售培训完成",
    }
    head = ["start", "n001", "confirm_requirements", "n002", "n003", "capacity", "fork"]
    tail = ["join", "archive", "end"]
    assert sorted(paths(d, d.start.id)) == [
        [*head, "legal_review", *tail],
        [*head, "sales_training", *tail],
    ]


def test_complaint_has_exactly_four_tasks_on_every_path(demo: Organisation) -> None:
    d = load("customer-complaint", demo)
    all_paths = list(paths(d, d.start.id))
    assert all_paths
    for path in all_paths:
        tasks = [node_id for node_id in path if d.node(node_id).is_task]
        assert len(tasks) == 4, path
    assert d.node("review").on_reject == "handle"
    phone = d.form_field("phone")
    assert phone is not None and phone.sensitive
    complaint_type = d.form_field("complaint_type")
    assert complaint_type is not None
    assert complaint_type.values == ("quality", "logistics", "service")


@pytest.mark.parametrize(
    ("complaint_type", "department"), [("quality", "prd"), ("logistics", "log"), ("service", "svc")]
)
def test_complaint_routes_by_type(complaint_type: str, department: str, demo: Organisation) -> None:
    d = load("customer-complaint", demo)
    table = d.decision_tables["complaint_route"]
    context = {"complaint_type": complaint_type}
    hit = next(rule.then for rule in table.rules if rule.when.evaluate(context))
    assert hit == {"department": department}


def test_budget_has_the_general_manager_row(demo: Organisation) -> None:
    d = load("annual-budget", demo)
    (rule,) = d.decision_tables["approval_tiers"].rules
    assert rule.then == {"to": "gm_approval"}
    assert rule.when.evaluate({"budget_amount": [200_000, 1_000_001]}) is True
    assert rule.when.evaluate({"budget_amount": [200_000, 1_000_000]}) is False
    gm = d.node("gm_approval").assignee
    assert gm is not None and (gm.kind, gm.role) == ("role", "general_manager")
    assert [d.node(n).service for n in ("sync_finance", "ledger")] == ["finance.sync_budget", ""]
    ledger = d.node("ledger").ledger
    assert ledger is not None and ledger.name == "dept_budget"
    assert (ledger.department.text, ledger.amount.text, ledger.period.text) == (
        "departments",
        "budget_amount",
        "fiscal_year",
    )


@pytest.mark.parametrize(
    ("amounts", "last_year", "cap", "threshold", "flagged"),
    [
        ([100, 100], [100, 100], 1000, None, False),
        ([100, 130], [100, 100], 1000, None, True),  # 30% growth over the default 20%
        ([100, 130], [100, 100], 1000, 0.5, False),
        ([600, 500], [600, 500], 1000, 0.5, True),  # total over the cap
    ],
)
def test_budget_check_flags_cap_and_growth(
    amounts: list[int],
    last_year: list[int],
    cap: int,
    threshold: float | None,
    flagged: bool,
    demo: Organisation,
) -> None:
    d = load("annual-budget", demo)
    (route,) = [r for r in d.node("check").routes if r.when is not None]
    assert route.to == "fin_revise" and route.when is not None
    context = {
        "budget_amount": amounts,
        "last_year_amount": last_year,
        "total_cap": cap,
        "growth_threshold": threshold,
    }
    assert route.when.evaluate(context) is flagged


def test_budget_loops_terminate(demo: Organisation) -> None:
    d = load("annual-budget", demo)
    assert d.successors("fin_revise") == ("leader_approval",)
    assert all(len(p) < len(d.nodes) + 1 for p in paths(d, d.start.id))
    assert compile_expression("max(budget_amount) > 1000000").names == {"budget_amount"}


def test_milestones(demo: Organisation) -> None:
    d = load("project-milestones", demo)
    names = [d.node(m).name.zh for m in ("m1", "m2", "m3")]
    assert names == ["需求确认完成", "方案评审通过", "试点上线"]
    for index in (1, 2, 3):
        node = d.node(f"m{index}")
        assert node.type is NodeType.MILESTONE
        assert node.planned is not None and node.planned.field == f"m{index}_date"
        assert node.due_by_plan  # no time limit: due at its planned date
        assert node.assignee is not None and node.assignee.field == f"m{index}_department"
        assert node.outputs.deliverables
    lead = d.form_field("project_lead")
    assert lead is not None and (lead.type, lead.required) == ("user", True)
