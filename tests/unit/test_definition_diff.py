"""The readable diff between two versions of a process (VER-2): the annual budget with a
shorter limit, one approval level fewer and a new form field; S1 with a changed owner,
limit, route and outputs; layout changes that are no change."""

from __future__ import annotations

from oaflow.domain.definition import ProcessDefinition
from oaflow.domain.definition_diff import diff_definitions
from oaflow.domain.validate import check_definition
from oaflow.processes import builtin_source
from version_scenario import BUDGET_V2


def load(key: str, *edits: tuple[str, str]) -> ProcessDefinition:
    text, file = builtin_source(key)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return check_definition(text, file, None)


def test_the_budget_with_a_shorter_limit_one_level_fewer_and_a_new_field() -> None:
    diff = diff_definitions(load("annual-budget"), load("annual-budget", *BUDGET_V2))
    zh, en = diff.words("zh"), diff.words("en")
    assert "节点「各部门提交预算」时限 40 → 24 工作小时" in zh
    assert 'Node "Department budgets" time limit: 40 → 24 working h' in en
    assert "删除节点「总经理审批」（审批）" in zh and "删除节点「按金额分级」（排他网关）" in zh
    assert 'Removed node "General manager approval" (approval)' in en
    assert "新增表单字段「预算说明」（text，必填）" in zh
    assert 'Added form field "Budget note" (text, required)' in en
    assert "删除决策表「approval_tiers」" in zh
    assert "节点「分管领导审批」后续节点 「按金额分级」 → 「同步财务系统」" in zh
    assert diff.removed_nodes == ("tier", "gm_approval") and diff.added_nodes == ()
    assert diff.node_marks() == {"dept_budgets": "changed", "leader_approval": "changed"}
    assert len(zh) == len(en) == 6, zh


def test_s1_owner_limit_route_outputs_and_a_new_node() -> None:
    v2 = load(
        "new-product-launch",
        ("time_limit: {hours: 72, basis: calendar}", "time_limit: {hours: 48, basis: calendar}"),
        ("assignee: {department: prd}", "assignee: {department: rnd, pick: interface}"),
        ("      deliverables: [研发方案]", "      deliverables: [研发方案, 测试报告]"),
        ("{name: capacity_note, type: text,", "{name: capacity_note, type: text, required: true,"),
        ("    name: {zh: 汇聚, en: Join}", "    name: {zh: 汇聚确认, en: Join up}"),
        ("    inputs: [上市材料]\n", "    inputs: [上市材料]\n    mode: all\n"),
        (
            "    next: end\n\n  - id: end\n",
            "    next: announce\n\n  - id: announce\n    type: notify\n"
            "    name: {zh: 上市通知, en: Launch notice}\n    notify: [{department: sal}]\n"
            "    next: end\n\n  - id: end\n",
        ),
        ("initiators: [mkt]", "initiators: [mkt, sal]"),
    )
    diff = diff_definitions(load("new-product-launch"), v2)
    zh = diff.words("zh")
    assert "节点「研发方案输出」时限 72 → 48 小时" in zh
    assert "节点「生产确认产能」负责人 prd 负责人 → rnd 接口人" in zh
    assert "节点「研发方案输出」交付物：新增 测试报告" in zh
    assert "节点「生产确认产能」输出字段「产能说明」必填 否 → 是" in zh
    assert "节点「汇聚」改名为「汇聚确认」" in zh
    assert "节点「法务审查上市材料」审批方式 无 → all" in zh
    assert "新增节点「上市通知」（抄送）" in zh
    assert "流程发起部门：新增 sal" in zh
    en = diff.words("en")
    assert 'Node "R&D plan" time limit: 72 → 48 h' in en
    assert 'Node "Confirm production capacity" owner: head of prd → interface persons of rnd' in en
    assert "Process initiating departments: added sal" in en
    assert diff.node_marks()["announce"] == "added"
    assert diff.node_marks()["join"] == diff.node_marks()["archive"] == "changed"


def test_routes_and_decision_rows_by_what_they_lead_to() -> None:
    v2 = load(
        "annual-budget",
        ("max(budget_amount) > 1000000", "max(budget_amount) > 2000000"),
        (
            "          sum(budget_amount) > total_cap\n",
            "          sum(budget_amount) > total_cap * 1.1\n",
        ),
    )
    zh = diff_definitions(load("annual-budget"), v2).words("zh")
    assert "决策表「approval_tiers」删除规则：max(budget_amount) > 1000000 → to=gm_approval" in zh
    assert "决策表「approval_tiers」新增规则：max(budget_amount) > 2000000 → to=gm_approval" in zh
    route = "节点「汇总校验」通往「财务部汇总修正」的条件 sum(budget_amount) > total_cap or ("
    assert any(
        w.startswith(route) and "→ sum(budget_amount) > total_cap * 1.1 or (" in w for w in zh
    )


def test_moving_lines_around_is_no_change() -> None:
    v2 = load("customer-complaint", ("\nnodes:", "\n\n\n# the steps\nnodes:"))
    assert diff_definitions(load("customer-complaint"), v2).empty


def test_escalation_rules_and_service_settings_by_their_parts() -> None:
    complaint = load("customer-complaint", ("sla: {pause_when_waiting: true}", "sla: {}"))
    zh = diff_definitions(load("customer-complaint"), complaint).words("zh")
    assert zh == ["节点「原因分析与处理」等待外部时暂停计时 是 → 否"]
    budget = load(
        "annual-budget",
        ("send: [fiscal_year, departments, budget_amount]", "send: [fiscal_year, departments]"),
    )
    en = diff_definitions(load("annual-budget"), budget).words("en")
    assert en == ['Node "Sync to the finance system" fields sent: removed budget_amount']
