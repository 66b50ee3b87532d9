"""Mermaid rendering (DEF-8): names, responsible parties and time limits on the nodes."""

from __future__ import annotations

import re
from pathlib import Path

from oaflow.domain.definition import Assignment
from oaflow.domain.diagram import describe, to_mermaid
from oaflow.domain.loader import load_definition

DEFINITIONS = Path(__file__).parent / "definitions"

SMALL = """\
key: small
name: {zh: 小流程, en: Small}
business_key: "S{yyyy}{seq:03}"
form: [{name: amount, type: number}]
nodes:
  - {id: start, type: initiate, name: {zh: 发起, en: Start}, next: check}
  - id: check
    type: exclusive
    name: {zh: "金额?", en: "Amount?"}
    routes: [{when: 'amount > 500000 and amount < 1000000', to: gm}]
    default: work
  - id: gm
    type: approval
    name: {zh: 总经理审批, en: GM approval}
    assignee: {user: gm}
    time_limit: {hours: 24}
    next: work
  - id: work
    type: handle
    name: {zh: "执行 \\"A|B\\"", en: Do it}
    assignee: {department: rnd, pick: interface}
    time_limit: {hours: 16.5, basis: calendar}
    next: end
  - {id: end, type: end, name: {zh: 结束, en: End}}
"""

EXPECTED_ZH = """\
flowchart TD
    n_start(["发起"])
    n_check{"金额?"}
    n_gm["总经理审批<br/>用户 gm<br/>24 工作小时"]
    n_work["执行 #quot;A#124;B#quot;<br/>rnd 接口人<br/>16.5 日历小时"]
    n_end(("结束"))
    n_start --> n_check
    n_check -->|"amount #gt; 500000 and amount #lt; 1000000"| n_gm
    n_check -->|"默认"| n_work
    n_gm --> n_work
    n_work --> n_end
"""


def test_small_definition_exact_text() -> None:
    assert to_mermaid(load_definition(SMALL)) == EXPECTED_ZH


def test_english_labels() -> None:
    text = to_mermaid(load_definition(SMALL), "en")
    assert '    n_gm["GM approval<br/>user gm<br/>24 working hours"]' in text
    assert '    n_work["Do it<br/>interface persons of rnd<br/>16.5 calendar hours"]' in text
    assert '-->|"default"| n_work' in text


def _structure(text: str) -> tuple[list[str], list[str]]:
    lines = text.splitlines()
    boxes = [line for line in lines[1:] if "-->" not in line and "-.->" not in line]
    arrows = [line for line in lines[1:] if "-->" in line or "-.->" in line]
    return boxes, arrows


def test_every_node_and_link_of_a_bigger_definition_is_drawn() -> None:
    d = load_definition((DEFINITIONS / "good_launch.yaml").read_text("utf-8"))
    text = to_mermaid(d)
    assert text.startswith("flowchart TD\n")
    boxes, arrows = _structure(text)
    assert len(boxes) == len(d.nodes)
    links = sum(len(n.next) + len(n.routes) for n in d.nodes.values())
    table_links = 1  # approval_tiers: one rule with `to`
    returns = 1  # gm_approval returns to budgets on reject
    assert len(arrows) == links + table_links + returns
    assert '    n_fork{"并行"}' in boxes and '    n_merge{"汇聚"}' in boxes
    assert '    n_done(("结束"))' in boxes
    assert '    n_gm_approval -.->|"驳回"| n_budgets' in arrows
    assert '    n_tier -->|"approval_tiers: sum(budget_amount) #gt; cap"| n_gm_approval' in arrows


def test_labels_show_responsibility_and_time() -> None:
    text = to_mermaid(load_definition((DEFINITIONS / "good_launch.yaml").read_text("utf-8")))
    assert "各部门预算<br/>每个部门 collaborating_departments: 接口人<br/>40 工作小时" in text
    assert "样品里程碑<br/>表单字段 handler_dept<br/>计划日期: m1_date" in text
    assert "执行<br/>rnd 负责人<br/>手动启动<br/>16 工作小时" in text
    assert "同步财务<br/>系统: finance.sync_budget" in text
    assert "抄送销售<br/>抄送: sal 成员, 用户 gm" in text


def test_mermaid_ids_are_safe() -> None:
    text = SMALL.replace("id: work", "id: do-it").replace("to: work", "to: do-it")
    text = text.replace("default: work", "default: do-it").replace("next: work", "next: do-it")
    ids = re.findall(r"^    (\S+?)[\[\(\{>]", to_mermaid(load_definition(text)), re.M)
    assert ids == ["n_start", "n_check", "n_gm", "n_do_it", "n_end"]


def test_describe_every_assignment_kind() -> None:
    cases = {
        Assignment("department", department="rnd"): ("rnd 负责人", "head of rnd"),
        Assignment("department", department="rnd", pick="members"): ("rnd 成员", "members of rnd"),
        Assignment("head_of"): ("发起部门 负责人", "head of the initiator's department"),
        Assignment("leader_of", relative_to="prd"): ("prd 分管领导", "supervising leader of prd"),
        Assignment("role", role="auditor"): ("角色 auditor", "role auditor"),
        Assignment("user", user="gm"): ("用户 gm", "user gm"),
        Assignment("initiator"): ("发起人", "initiator"),
        Assignment("field", field="dept"): ("表单字段 dept", "form field dept"),
        Assignment("decision", table="t"): ("决策表 t", "decision table t"),
    }
    for assignment, (zh, en) in cases.items():
        assert (describe(assignment), describe(assignment, "en")) == (zh, en)
