"""The loader: YAML text -> ProcessDefinition, with every shape problem at file:line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from oaflow.domain.definition import (
    Assignment,
    NodeType,
    Planned,
    ProcessDefinition,
    TimeLimit,
    Trigger,
)
from oaflow.domain.errors import Problem, ValidationError
from oaflow.domain.loader import business_key_problem, load_definition, parse_definition

DEFINITIONS = Path(__file__).parent / "definitions"

HEAD = """\
key: test-process
name: {zh: 测试, en: Test}
business_key: "T{yyyy}{seq:03}"
"""


def nodes_yaml(body: str, head: str = HEAD) -> str:
    """A definition around ``body``, the indented items of `nodes:` (start node first)."""
    start = "  - {id: start, type: initiate, name: 发起, next: done}\n"
    end = "  - {id: done, type: end, name: 结束}\n"
    middle = ("  " + dedent(body).replace("\n", "\n  ")).rstrip()
    return head + "nodes:\n" + start + middle + "\n" + end


def problems_of(text: str) -> list[Problem]:
    definition, problems = parse_definition(text, "f.yaml")
    assert (definition is None) == bool(problems)
    assert all(p.text("zh") and p.hint("zh") for p in problems)  # each is said in Chinese too
    return problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# --- good definitions ----------------------------------------------------------------------


def test_good_complaint_loads_with_lines_and_defaults() -> None:
    text = (DEFINITIONS / "good_complaint.yaml").read_text("utf-8")
    d = load_definition(text, "good_complaint.yaml")
    assert isinstance(d, ProcessDefinition)
    assert d.key == "complaint-test" and d.name.en == "Customer complaint"
    assert d.file == "good_complaint.yaml"
    assert d.start.id == "register"
    assert list(d.nodes) == ["register", "route", "big", "handle", "review", "done"]
    assert d.node("big").name.zh == "大额投诉审批" and d.node("big").name.en == ""
    assert d.node("handle").assignee == Assignment("decision", table="complaint_route", line=39)
    assert d.node("review").time_limit == TimeLimit(8, "calendar")
    assert d.node("handle").outputs.deliverables == ("处理报告",)
    assert d.node("handle").line == 36
    assert d.form[1].values == ("quality", "logistics", "service") and d.form[1].line == 9


def test_routes_keep_their_order_and_default_comes_last() -> None:
    d = load_definition((DEFINITIONS / "good_complaint.yaml").read_text("utf-8"))
    routes = d.node("route").routes
    assert [r.to for r in routes] == ["big", "handle"]
    assert routes[0].when is not None and routes[0].when.text.startswith("amount != null")
    assert routes[0].line == 27 and routes[1].when is None
    assert d.successors("route") == ("big", "handle")


def test_decision_table_rules_are_compiled_once() -> None:
    d = load_definition((DEFINITIONS / "good_complaint.yaml").read_text("utf-8"))
    table = d.decision_tables["complaint_route"]
    assert table.hit == "first" and table.default == {"department": "svc"}
    assert table.rules[0].when.evaluate({"complaint_type": "quality"}) is True
    assert table.rules[1].then == {"department": "log"} and table.rules[1].line == 16


def test_every_other_node_kind_loads() -> None:
    d = load_definition((DEFINITIONS / "good_launch.yaml").read_text("utf-8"))
    budgets = d.node("budgets")
    assert budgets.type is NodeType.MULTI_INSTANCE and budgets.pick == "interface"
    assert budgets.over is not None and budgets.over.names == frozenset(
        {"collaborating_departments"}
    )
    assert d.node("milestone").planned == Planned(field="m1_date")
    assert d.node("milestone").assignee == Assignment(
        "field", field="handler_dept", pick="interface", line=53
    )
    assert d.node("work").trigger == Trigger("manual")
    assert d.node("work").assignee == Assignment("head_of", relative_to="rnd", line=60)
    assert [a.kind for a in d.node("notify_sales").notify] == ["department", "user"]
    assert d.node("fork").next == ("milestone", "work")
    assert d.node("tier").decision == "approval_tiers"
    assert d.node("sync").service == "finance.sync_budget"
    assert d.node("archive").archive_name == "项目归档-{yyyy}-{title}"
    assert d.node("gm_approval").on_reject == "budgets"
    assert d.tags == ("contract",)


def test_plain_initiator_assignee_and_plain_name() -> None:
    d = load_definition(
        nodes_yaml(
            """\
            - id: a
              type: feedback
              name: 反馈
              assignee: initiator
              time_limit: {hours: 1}
              next: done"""
        )
    )
    assert d.node("a").assignee == Assignment("initiator", line=9)
    assert d.node("a").name.zh == "反馈"


# --- the one bad file with many problems ---------------------------------------------------

EXPECTED_SHAPE_PROBLEMS = [
    (1, "bad process key 'Bad_Key'"),
    (2, "unknown key `fr` in `name`"),
    (3, "{seq:0N} must come last"),
    (5, "unknown key `descripton`"),
    (7, "`type` of field `amount` of `form` must be one of"),
    (8, "field `kind` of `form` is an enum without `values`"),
    (9, "field `amount` appears twice"),
    (13, "bad expression in `when` of a rule of decision table `route_table` at offset 8"),
    (17, "unknown node type 'aproval'"),
    (22, "'rnd' is not an assignee form"),
    (23, "must be more than 0 and at most 8760 hours; got 0"),
    (24, "`on_reject` does not apply to node `work` of type handle"),
    (30, "bad expression in `when` of a route of node `gate` at offset 16"),
    (32, "node id `work` is used twice (first on line 19)"),
    (35, "bad node id 'bad id!'"),
    (41, "must name exactly one of department"),
    (42, "`trigger` does not apply to node `notes` of type notify"),
]


def test_bad_file_reports_every_shape_problem_with_its_line() -> None:
    text = (DEFINITIONS / "bad_many.yaml").read_text("utf-8")
    problems = problems_of(text)
    found = [(p.line, p.message) for p in problems]
    for line, fragment in EXPECTED_SHAPE_PROBLEMS:
        assert any(pl == line and fragment in m for pl, m in found), (line, fragment, found)
    assert len(problems) == len(EXPECTED_SHAPE_PROBLEMS), "\n".join(map(str, problems))
    assert all(p.file == "f.yaml" and p.hint() for p in problems)


def test_bad_file_hints_name_the_fix() -> None:
    problems = problems_of((DEFINITIONS / "bad_many.yaml").read_text("utf-8"))
    hints = {p.line: p.hint() for p in problems}
    assert hints[5] == "did you mean `description`?"
    assert "did you mean `approval`?" in hints[17] and "multi_instance" in hints[17]
    assert "`{department: rnd}`" in hints[22]


def test_load_definition_raises_with_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        load_definition((DEFINITIONS / "bad_many.yaml").read_text("utf-8"), "bad.yaml")
    assert len(caught.value.problems) == len(EXPECTED_SHAPE_PROBLEMS)
    assert str(caught.value).startswith("bad.yaml:1: bad process key")


# --- single shape rules --------------------------------------------------------------------


def test_malformed_yaml_gives_the_line_of_the_error() -> None:
    problem = only_problem("key: a\nname: [unclosed\nnodes: []\n")
    assert problem.message.startswith("the file is not valid YAML")
    assert problem.line == 3 and "indentation" in problem.hint()


@pytest.mark.parametrize(
    "text",
    [
        "key: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "key: a\nnodes:\n" + "".join("  " * depth + "- x:\n" for depth in range(1, 3000)),
    ],
)
def test_yaml_nested_too_deep_is_a_problem_not_a_crash(text: str) -> None:
    problem = only_problem(text)
    assert problem.code == "yaml.too_deep" and problem.line is not None
    assert problem.message == "the file is nested deeper than 64 levels"
    assert problem.fault.text("zh") == "文件嵌套超过 64 层"


def test_a_nul_byte_is_a_problem_with_its_line() -> None:
    problem = only_problem("key: a\nname: b\x00c\n")
    assert (problem.code, problem.line) == ("yaml.bad_character", 2)
    assert "U+0000" in problem.message and "NUL" in problem.hint()


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    problem = only_problem(text)
    assert "top level of the file must be a mapping" in problem.message


def test_missing_required_keys_are_each_reported() -> None:
    problems = problems_of("tags: [a]\n")
    assert {p.message for p in problems} == {
        f"the definition has no `{k}`" for k in ("key", "name", "business_key", "nodes")
    }


def test_duplicate_yaml_keys_are_reported() -> None:
    problem = only_problem(nodes_yaml("").replace("key: test-process\n", "key: a\nkey: b\n", 1))
    assert problem.line == 2 and "appears twice" in problem.message


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("{zh: 名称, en: Name}", True),
        ("名称", True),
        ("{en: Name}", False),
        ("42", False),
        ("{zh: 名称, fr: x}", False),
    ],
)
def test_name_is_zh_en_or_plain_text(name: str, ok: bool) -> None:
    text = (
        HEAD.replace("{zh: 测试, en: Test}", name) + "nodes:\n  - {id: done, type: end, name: x}\n"
    )
    problems = problems_of(text)
    assert not problems if ok else problems[0].line == 2


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("PROJ{yyyy}{MM}{seq:02}", ""),
        ("TS{yy}{MM}{dd}{seq:05}", ""),
        ("A{seq:03}", ""),
        ("PROJ{yyyy}{MM}", "exactly one {seq:0N}; it has 0"),
        ("P{seq:02}{seq:02}", "exactly one {seq:0N}; it has 2"),
        ("P{seq:02}{MM}", "must come last"),
        ("P{YYYY}{seq:02}", "unknown token {YYYY}"),
        ("P{seq:2}", "unknown token {seq:2}"),
        ("P{yyyy{seq:02}", "outside a token"),
        ("P {seq:02}", "white space"),
    ],
)
def test_business_key_pattern(pattern: str, reason: str) -> None:
    found = business_key_problem(pattern)
    assert (found is not None and reason in found.text("en")) if reason else found is None


def test_unknown_node_key_suggests_the_close_one() -> None:
    problem = only_problem(
        nodes_yaml(
            """\
            - id: a
              type: handle
              name: 处理
              asignee: {department: rnd}
              assignee: {department: rnd}
              time_limit: {hours: 1}
              next: done"""
        )
    )
    assert problem.message == "unknown key `asignee` in node `a`"
    assert problem.hint() == "did you mean `assignee`?" and problem.line == 9


@pytest.mark.parametrize(
    ("assignee", "fragment"),
    [
        (
            "{department: rnd, pick: boss}",
            "`pick` of assignee of node `a` must be one of head | interface | members",
        ),
        ("{department: rnd, user: gm}", "must name exactly one of"),
        ("{}", "it names none"),
        ("{role: general_manager, pick: head}", "unknown key `pick`"),
        ("{head_of: 3}", "`head_of` of assignee of node `a` must be a non-empty text"),
        ("rnd", "'rnd' is not an assignee form"),
        ("[rnd]", "assignee of node `a` must be a mapping"),
    ],
)
def test_bad_assignee_forms(assignee: str, fragment: str) -> None:
    text = nodes_yaml(
        f"""\
        - id: a
          type: handle
          name: 处理
          assignee: {assignee}
          time_limit: {{hours: 1}}
          next: done"""
    )
    problem = only_problem(text)
    assert fragment in problem.message and problem.line == 9


@pytest.mark.parametrize(
    ("limit", "fragment"),
    [
        ("{hours: 0}", "more than 0"),
        ("{hours: -3}", "more than 0"),
        ("{hours: 9000}", "at most 8760"),
        ("{hours: true}", "`hours` of `time_limit` of node `a` must be a number; got true"),
        ("{hours: 8, basis: weekly}", "must be one of working | calendar"),
        ("{}", "has no `hours`"),
        ("24", "must be a mapping"),
    ],
)
def test_bad_time_limits(limit: str, fragment: str) -> None:
    text = nodes_yaml(
        f"""\
        - id: a
          type: handle
          name: 处理
          assignee: {{department: rnd}}
          time_limit: {limit}
          next: done"""
    )
    problem = only_problem(text)
    assert fragment in problem.message and problem.line == 10


def test_bad_expressions_name_the_offset() -> None:
    text = nodes_yaml(
        """\
        - id: g
          type: exclusive
          name: 分流
          routes:
            - {when: 'amount > 5', to: done}
            - {when: 'x.__class__', to: done}
          default: done
        - id: m
          type: multi_instance
          name: 多实例
          over: 'len(('
          time_limit: {hours: 1}
          next: done"""
    )
    problems = problems_of(text)
    assert [p.line for p in problems] == [11, 16]
    assert "bad expression in `when` of a route of node `g` at offset" in problems[0].message
    assert "`over` of node `m`" in problems[1].message


def test_unknown_node_type_lists_the_allowed_ones() -> None:
    problem = only_problem(nodes_yaml("- {id: a, type: gateway, name: x, next: done}"))
    assert problem.message == "unknown node type 'gateway'"
    assert "exclusive" in problem.hint() and "multi_instance" in problem.hint()


@pytest.mark.parametrize(
    ("node", "fragment"),
    [
        ("- {id: a, name: x, next: done}", "a node has no `type`"),
        ("- {type: handle, name: x}", "a node has no `id`"),
        ("- {id: 'a b', type: end, name: x}", "bad node id 'a b'"),
        ("- {id: a, type: end}", "node `a` has no `name`"),
        (
            "- {id: a, type: end, name: x, next: done}",
            "`next` does not apply to node `a` of type end",
        ),
        ("- {id: a, type: handle, name: x, next: 3}", "`next` of node `a` must be a node id"),
        (
            "- {id: a, type: handle, name: x, inputs: 3}",
            "`inputs` of node `a` must be a list of texts",
        ),
        (
            "- {id: a, type: parallel, name: x, next: [done, done], over: y}",
            "`over` does not apply",
        ),
        (
            "- {id: a, type: multi_instance, name: x, task: feedback}",
            "must be one of handle | confirm | approval",
        ),
        ("- {id: a, type: approval, name: x, trigger: later}", "unknown trigger 'later'"),
        ("- {id: a, type: approval, name: x, trigger: {planned: d}}", "unknown key `planned`"),
        ("- just-a-text", "a node must be a mapping"),
    ],
)
def test_node_shape_problems(node: str, fragment: str) -> None:
    problem = only_problem(nodes_yaml(node))
    assert fragment in problem.message and problem.line == 6
    assert problem.hint


@pytest.mark.parametrize(
    ("field", "fragment"),
    [
        ("{name: 2bad, type: string}", "not usable in expressions"),
        ("{name: and, type: string}", "not usable in expressions"),
        ("{name: a, type: string, values: [x]}", "has `values` but is not an enum"),
        (
            "{name: a, required: yes please}",
            "`required` of field `a` of `form` must be true or false",
        ),
        ("{type: string}", "has no `name`"),
        ("{name: a, lable: {zh: x}}", "unknown key `lable`"),
    ],
)
def test_form_field_problems(field: str, fragment: str) -> None:
    text = HEAD + f"form:\n  - {field}\nnodes:\n  - {{id: done, type: end, name: x}}\n"
    problem = only_problem(text)
    assert fragment in problem.message and problem.line == 5


def test_decision_table_problems() -> None:
    text = HEAD + dedent(
        """\
        decision_tables:
          t:
            hit: every
            rules:
              - {when: 'a == 1', then: prd}
              - {when: 'a == 2'}
          2x: {rules: []}
        nodes:
          - {id: done, type: end, name: x}
        """
    )
    problems = problems_of(text)
    assert [p.line for p in problems] == [6, 8, 9, 10]
    assert "must be one of first | collect" in problems[0].message
    assert "`then` of a rule of decision table `t` must be a mapping" in problems[1].message
    assert "has no `then`" in problems[2].message
    assert "bad decision table name '2x'" in problems[3].message


def test_nodes_must_be_a_non_empty_list() -> None:
    problem = only_problem(HEAD + "nodes: []\n")
    assert "`nodes` must be a non-empty list" in problem.message and problem.line == 4
