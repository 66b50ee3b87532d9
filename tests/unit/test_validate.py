"""The validator: what a definition means. Each rule has a failing and a passing case."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

import pytest

from oaflow.domain.definition import OrgNames
from oaflow.domain.errors import Problem, ValidationError
from oaflow.domain.loader import load_definition
from oaflow.domain.validate import DEFAULT_POLICIES, check_definition, validate_definition

DEFINITIONS = Path(__file__).parent / "definitions"
ORG = OrgNames(
    departments=frozenset({"csd", "prd", "log", "svc", "leg", "cmp", "sal", "rnd", "fin"}),
    users=frozenset({"gm", "alice"}),
)


def text_of(nodes: str, top: str = "") -> str:
    """A definition: a small form, ``top`` (extra top-level YAML) and ``nodes`` (items)."""
    head = dedent(
        """\
        key: t
        name: {zh: 测试, en: Test}
        business_key: "T{yyyy}{seq:03}"
        form:
          - {name: amount, type: number}
          - {name: due, type: date}
          - {name: owner_dept, type: department}
          - {name: note, type: text}
        """
    )
    return head + dedent(top) + "nodes:\n" + indent(dedent(nodes), "  ")


def problems_of(nodes: str, top: str = "", org: OrgNames | None = None) -> list[Problem]:
    found = validate_definition(load_definition(text_of(nodes, top), "t.yaml"), org)
    assert all(p.text("zh") and p.hint("zh") for p in found)  # each is said in Chinese too
    return found


def messages(nodes: str, top: str = "", org: OrgNames | None = None) -> list[str]:
    return [p.message for p in problems_of(nodes, top, org)]


def assert_clean(nodes: str, top: str = "", org: OrgNames | None = None) -> None:
    problems = problems_of(nodes, top, org)
    assert not problems, "\n".join(map(str, problems))


START = "- {id: s, type: initiate, name: 发起, next: a}\n"
END = "- {id: done, type: end, name: 结束}\n"


def task(node_id: str, nxt: str = "done", extra: str = "", kind: str = "handle") -> str:
    """One task node with an assignee and a time limit, in flow style."""
    parts = f"id: {node_id}, type: {kind}, name: {node_id}, assignee: {{department: rnd}}"
    parts += f", time_limit: {{hours: 8}}, next: {nxt}"
    return "- {" + parts + (", " + extra if extra else "") + "}\n"


def gate(node_id: str, when: str, to: str, default: str) -> str:
    """An exclusive gateway with one rule and a default."""
    routes = f"[{{when: '{when}', to: {to}}}]"
    return f"- {{id: {node_id}, type: exclusive, name: g, routes: {routes}, default: {default}}}\n"


def who(node_id: str, assignee: str, nxt: str = "done", kind: str = "handle") -> str:
    """A task node with the given assignee and a one-hour limit."""
    keys = f"assignee: {assignee}, time_limit: {{hours: 1}}, next: {nxt}"
    return f"- {{id: {node_id}, type: {kind}, name: {node_id}, {keys}}}\n"


def milestone(field: str) -> str:
    keys = f"assignee: {{user: gm}}, planned: {field}, next: done"
    return f"- {{id: a, type: milestone, name: a, {keys}}}\n"


def dated(field: str) -> str:
    keys = f"assignee: {{user: gm}}, trigger: {{planned_date: {field}}}"
    return f"- {{id: a, type: handle, name: a, {keys}, time_limit: {{hours: 8}}, next: done}}\n"


# --- the good fixtures and the built-in processes are clean --------------------------------


@pytest.mark.parametrize("name", ["good_complaint.yaml", "good_launch.yaml"])
def test_good_fixtures_are_clean_with_the_organisation(name: str) -> None:
    text = (DEFINITIONS / name).read_text("utf-8")
    org = OrgNames(ORG.departments | {"mkt"}, ORG.users)
    assert check_definition(text, name, org).file == name


def test_check_definition_reports_shape_and_meaning_without_follow_ups() -> None:
    with pytest.raises(ValidationError) as caught:
        check_definition((DEFINITIONS / "bad_many.yaml").read_text("utf-8"), "bad.yaml")
    found = [(p.line, p.message) for p in caught.value.problems]
    assert (26, "node `gate` is an exclusive gateway without `default`") in found
    assert (31, "a route of node `gate` names unknown node `nowhere`") in found
    assert any(line == 31 and "unknown name `amont`" in m for line, m in found)
    assert len(found) == 21, "\n".join(map(str, caught.value.problems))
    # follow-ups of shape problems are left out: `work` has a bad assignee and time limit,
    # `check` (bad type) is referenced by `start`, `notes` has bad recipients
    assert not any("no responsible party" in m or "no time limit" in m for _, m in found)
    assert not any("`check`" in m or "without recipients" in m for _, m in found)
    assert [p.line for p in caught.value.problems] == sorted(
        p.line or 0 for p in caught.value.problems
    )


def test_problems_carry_file_line_and_hint() -> None:
    problem = problems_of(START + "- {id: a, type: handle, name: a, next: done}\n" + END)[0]
    assert (problem.file, problem.line) == ("t.yaml", 11)
    assert problem.hint() == "add e.g. `assignee: {department: rnd}` to `a`"
    assert str(problem).startswith("t.yaml:11: node `a` has no responsible party")


# --- references ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        (START + task("a", "don"), "`next` of node `a` names unknown node `don`"),
        (
            START + gate("a", "amount > 1", "x", "done"),
            "a route of node `a` names unknown node `x`",
        ),
        (
            START + gate("a", "amount > 1", "done", "y"),
            "`default` of node `a` names unknown node `y`",
        ),
        (
            START + task("a", extra="on_reject: back", kind="approval"),
            "`on_reject` of node `a` names unknown node `back`",
        ),
    ],
)
def test_unknown_node_references(nodes: str, message: str) -> None:
    assert message in messages(nodes + END)


def test_unknown_reference_suggests_a_close_id() -> None:
    problem = problems_of(START + task("a", "don") + END)[0]
    assert problem.hint() == "did you mean `done`?"


def test_decision_table_routes_must_name_known_nodes() -> None:
    top = "decision_tables: {tiers: {rules: [{when: 'amount > 5', then: {to: big}}]}}\n"
    gateway = "- {id: a, type: exclusive, name: g, decision: tiers, default: done}\n"
    assert "decision table `tiers` of node `a` names unknown node `big`" in messages(
        START + gateway + END, top
    )
    assert_clean(START + gateway + task("big") + END, top)


def test_known_references_pass() -> None:
    assert_clean(START + task("a", "b") + task("b", extra="on_reject: a", kind="approval") + END)


# --- reachability and dead ends ------------------------------------------------------------


def test_unreachable_node() -> None:
    found = problems_of(START + task("a") + task("lost") + END)
    assert [p.message for p in found] == ["node `lost` cannot be reached from the start `s`"]
    assert found[0].hint() == "lead an earlier node to it (`next: lost`) or remove it"


def test_dead_end_without_next() -> None:
    nodes = (
        START
        + "- {id: a, type: handle, name: a, assignee: initiator, time_limit: {hours: 1}}\n"
        + END
    )
    assert "node `a` is a dead end: it leads nowhere" in messages(nodes)


def test_loop_that_cannot_reach_the_end() -> None:
    nodes = START + task("a", "b") + task("b", "a") + END
    found = messages(nodes)
    assert "node `a` cannot reach an end node: every path from it loops" in found
    assert "node `b` cannot reach an end node: every path from it loops" in found


def test_loop_with_a_way_out_passes() -> None:
    gateway = gate("g", "amount > 5", "a", "done")
    assert_clean(START + task("a", "g") + gateway + END)


def test_definition_without_end() -> None:
    nodes = (
        START + "- {id: a, type: handle, name: a, assignee: initiator, time_limit: {hours: 1}}\n"
    )
    assert "the definition has no `end` node" in messages(nodes)


def test_initiate_must_be_first() -> None:
    nodes = (
        START + task("a", "again") + "- {id: again, type: initiate, name: x, next: done}\n" + END
    )
    assert "node `again` is an initiate node but not the first node" in messages(nodes)


# --- gateways, parallel and join -----------------------------------------------------------


def test_exclusive_gateway_without_default() -> None:
    gateway = "- {id: a, type: exclusive, name: g, routes: [{when: 'amount > 5', to: done}]}\n"
    found = problems_of(START + gateway + END)
    assert [p.message for p in found] == ["node `a` is an exclusive gateway without `default`"]
    assert found[0].hint() == "add `default: <node>` to gateway `a`"


def test_exclusive_gateway_without_rules() -> None:
    gateway = "- {id: a, type: exclusive, name: g, default: done}\n"
    assert messages(START + gateway + END) == ["node `a` is an exclusive gateway without rules"]


def test_several_next_need_a_parallel_node() -> None:
    nodes = START + task("a", "[b, done]") + task("b") + END
    assert "node `a` has several `next` but is not a parallel node" in messages(nodes)


FORK = "- {id: a, type: parallel, name: fork, next: [b, c]}\n"
JOIN = "- {id: j, type: join, name: join, next: done}\n"


def test_balanced_parallel_passes() -> None:
    assert_clean(START + FORK + task("b", "j") + task("c", "j") + JOIN + END)


def test_nested_parallel_passes() -> None:
    inner = "- {id: c, type: parallel, name: inner, next: [c1, c2]}\n"
    inner_join = "- {id: cj, type: join, name: inner join, next: j}\n"
    nodes = START + FORK + task("b", "j") + inner + task("c1", "cj") + task("c2", "cj") + inner_join
    assert_clean(nodes + JOIN + END)


def test_parallel_without_join() -> None:
    found = messages(START + FORK + task("b") + task("c") + END)
    assert found == ["node `a` is a parallel node without a matching join"]


def test_parallel_branches_to_different_joins() -> None:
    other = "- {id: k, type: join, name: other, next: done}\n"
    found = messages(START + FORK + task("b", "j") + task("c", "k") + JOIN + other)
    assert "node `a` has branches that meet at different joins: j, k" in found
    assert "node `j` is a join that no parallel node opens" in found


def test_parallel_branch_that_escapes_to_the_end() -> None:
    gateway = gate("c", "amount > 5", "done", "j")
    found = messages(START + FORK + task("b", "j") + gateway + JOIN + END)
    assert found == ["node `a` opens branch `c` that reaches `done` before join `j`"]


def test_join_without_parallel() -> None:
    found = messages(START + task("a", "j") + JOIN + END)
    assert found == ["node `j` is a join that no parallel node opens"]


def test_join_entered_from_outside_the_parallel() -> None:
    nodes = START.replace("next: a", "next: x") + task("x", "g")
    nodes += (
        "- {id: g, type: exclusive, name: g, routes: [{when: 'amount > 5', to: j}], default: a}\n"
    )
    found = messages(nodes + FORK + task("b", "j") + task("c", "j") + JOIN + END)
    assert found == ["node `j` is also entered from `g`, outside parallel `a`"]


def test_parallel_with_one_branch() -> None:
    fork = "- {id: a, type: parallel, name: fork, next: [b]}\n"
    found = messages(START + fork + task("b", "j") + JOIN + END)
    assert "node `a` is a parallel node with fewer than two branches" in found


# --- responsibility, time limits, kinds ----------------------------------------------------


def test_task_without_assignee() -> None:
    node = "- {id: a, type: approval, name: a, time_limit: {hours: 1}, next: done}\n"
    assert messages(START + node + END) == ["node `a` has no responsible party (`assignee`)"]


def test_multi_instance_needs_over() -> None:
    node = "- {id: a, type: multi_instance, name: a, time_limit: {hours: 1}, next: done}\n"
    assert messages(START + node + END) == ["node `a` has no `over`: no department gets a task"]
    with_over = node.replace("name: a,", "name: a, over: collaborating_departments,")
    assert_clean(START + with_over + END)


def test_task_without_time_limit() -> None:
    node = "- {id: a, type: confirm, name: a, assignee: {user: gm}, next: done}\n"
    found = problems_of(START + node + END)
    assert [p.message for p in found] == ["node `a` has no time limit"]
    assert found[0].hint() == "add e.g. `time_limit: {hours: 24}` to `a`"


def test_a_planned_date_replaces_the_time_limit() -> None:
    node = milestone("due")
    assert_clean(START + node + END)
    assert_clean(START + dated("due") + END)  # started by date, due by its time limit


def test_planned_dates_must_be_date_fields() -> None:
    node = milestone("DUE")
    found = problems_of(START + node + END)
    assert [p.message for p in found] == ["node `a` has `planned: DUE`, which is not a form field"]
    assert found[0].hint() == "did you mean `due`?"
    wrong = node.replace("DUE", "note")
    assert messages(START + wrong + END) == ["node `a` has `planned: note`, a field of type text"]
    start = problems_of(START + dated("DUE") + END)
    assert [p.message for p in start] == [
        "node `a` has `planned_date: DUE`, which is not a form field"
    ]


def test_a_date_trigger_still_needs_a_time_limit() -> None:
    node = dated("due").replace(", time_limit: {hours: 8}", "")
    assert [p.code for p in problems_of(START + node + END)] == ["definition.node.no_time_limit"]


def test_service_notify_and_archive_need_their_key() -> None:
    nodes = START.replace("next: a", "next: sv")
    nodes += "- {id: sv, type: service, name: s, next: cc}\n"
    nodes += "- {id: cc, type: notify, name: c, notify: [], next: ar}\n"
    nodes += "- {id: ar, type: archive, name: a, next: done}\n"
    assert messages(nodes + END) == [
        "node `sv` is a service node without `service` or `ledger`",
        "node `cc` is a notify node without recipients",
        "node `ar` is an archive node without `archive_name`",
    ]


# --- on_reject -----------------------------------------------------------------------------


def test_on_reject_must_point_upstream() -> None:
    nodes = START + task("a", "b", "on_reject: b", "approval") + task("b") + END
    assert messages(nodes) == ["node `a` returns to `b` on reject, which is not before it"]


def test_on_reject_to_itself_is_not_upstream() -> None:
    nodes = START + task("a", extra="on_reject: a", kind="approval") + END
    assert messages(nodes) == ["node `a` returns to `a` on reject, which is not before it"]


def test_on_reject_to_an_earlier_node_passes() -> None:
    assert_clean(START + task("a", "b") + task("b", extra="on_reject: s", kind="confirm") + END)


#: an approval that sends a rejection to the initiator to revise, who sends it back
REVISE = task("a", extra="on_reject: revise", kind="approval") + (
    "- {id: revise, type: handle, name: 修改, assignee: initiator, time_limit: {hours: 8}"
    ", next: a}\n"
)


def test_a_revise_step_reached_only_by_a_rejection_is_reachable() -> None:
    assert_clean(START + REVISE + END)


def test_a_revise_step_behind_an_unreachable_approval_is_unreachable() -> None:
    nodes = START.replace("next: a", "next: done") + REVISE + END
    assert messages(nodes) == [
        "node `a` cannot be reached from the start `s`",
        "node `revise` cannot be reached from the start `s`",
    ]


def test_a_revise_step_after_the_legal_approval_keeps_the_policy() -> None:
    legal = REVISE.replace("department: rnd", "department: leg")
    assert_clean(START + legal + END, "tags: [contract]\n")


# --- names in fields, expressions and decision tables --------------------------------------


def test_field_assignee_must_name_a_field_of_a_fitting_type() -> None:
    unknown = START + who("a", "{field: owner}")
    found = problems_of(unknown + END)
    assert [p.message for p in found] == ["assignee of node `a` names unknown form field `owner`"]
    assert found[0].line == 11
    wrong = unknown.replace("field: owner", "field: amount")
    assert messages(wrong + END) == ["assignee of node `a` names field `amount` of type number"]
    assert_clean(unknown.replace("field: owner", "field: owner_dept") + END)


def test_expression_names_must_be_known() -> None:
    gateway = gate("a", "amout > 5 and x", "done", "done")
    found = problems_of(START + gateway + END)
    assert [p.message for p in found] == [
        "a route of gateway `a` uses unknown name `amout` in 'amout > 5 and x'",
        "a route of gateway `a` uses unknown name `x` in 'amout > 5 and x'",
    ]
    assert found[0].hint() == "did you mean `amount`?"
    assert "add a form field `x`" in found[1].hint()


def test_expression_names_may_be_form_standard_output_and_context_names() -> None:
    when = (
        "amount > 1 and title != 'x' and len(collaborating_departments) > 0 and score > 3"
        " and priority == 'high' and initiator != department"
    )
    nodes = START + task("a", "g", "outputs: {fields: [{name: score, type: integer}]}")
    nodes += gate("g", when.replace("'", '"'), "done", "done")
    assert_clean(nodes + END)


def test_multi_instance_over_names_are_checked() -> None:
    node = "- {id: a, type: multi_instance, name: a, over: depts, time_limit: {hours: 1}"
    node += ", next: done}\n"
    assert messages(START + node + END) == [
        "`over` of node `a` uses unknown name `depts` in 'depts'"
    ]


def test_decision_rule_names_are_checked() -> None:
    top = "decision_tables: {r: {rules: [{when: 'kind == 1', then: {department: prd}}]}}\n"
    node = who("a", "{decision: r}")
    assert messages(START + node + END, top) == [
        "a rule of decision table `r` uses unknown name `kind` in 'kind == 1'"
    ]


def test_unknown_decision_tables() -> None:
    top = "decision_tables: {route_table: {rules: [{when: 'amount > 1', then: {to: done}}]}}\n"
    assignee = who("a", "{decision: route_tabel}", "g")
    gateway = "- {id: g, type: exclusive, name: g, decision: nothing, default: done}\n"
    found = problems_of(START + assignee + gateway + END, top)
    assert [p.message for p in found] == [
        "node `a` uses unknown decision table `route_tabel`",
        "node `g` uses unknown decision table `nothing`",
    ]
    assert found[0].hint() == "did you mean `route_table`?"


def test_decision_tables_must_give_what_their_user_needs() -> None:
    top = "decision_tables: {t: {rules: [{when: 'amount > 1', then: {level: 2}}]}}\n"
    assignee = who("a", "{decision: t}", "g")
    gateway = "- {id: g, type: exclusive, name: g, decision: t, default: done}\n"
    assert sorted(messages(START + assignee + gateway + END, top)) == [
        "decision table `t` assigns node `a` but a `then` has no `department` or `user`",
        "decision table `t` routes gateway `g` but a `then` has no `to`",
    ]


# --- the organisation ----------------------------------------------------------------------


def test_unknown_departments_users_and_roles_with_an_organisation() -> None:
    top = (
        "initiators: [mkt]\n"
        "decision_tables: {t: {rules: [{when: 'amount > 1', then: {department: xyz}}],"
        " default: {user: bob}}}\n"
    )
    nodes = START + who("a", "{department: rdn}", "b")
    nodes += who("b", "{leader_of: qa}", "c", "approval")
    nodes += who("c", "{role: ceo}", "d", "approval")
    nodes += who("d", "{decision: t}", "cc", "approval")
    nodes += "- {id: cc, type: notify, name: cc, notify: [{user: carol}, {head_of: initiator}]"
    nodes += ", next: done}\n"
    found = problems_of(nodes + END, top, ORG)
    assert sorted(p.message for p in found) == sorted(
        [
            "`initiators` names unknown department `mkt`",
            "assignee of node `a` names unknown department `rdn`",
            "assignee of node `b` names unknown department `qa`",
            "assignee of node `c` names unknown role `ceo`",
            "assignee of node `cc` names unknown user `carol`",
            "decision table `t` names unknown department `xyz`",
            "decision table `t` names unknown user `bob`",
        ]
    )
    by_message = {p.message: p for p in found}
    assert (
        by_message["assignee of node `a` names unknown department `rdn`"].hint()
        == "did you mean `rnd`?"
    )
    assert "general_manager" in by_message["assignee of node `c` names unknown role `ceo`"].hint()
    # without an organisation, names are not checked
    assert not problems_of(nodes + END, top)


def test_known_organisation_names_pass() -> None:
    nodes = START + who("a", "{department: rnd, pick: members}", "b")
    nodes += who("b", "{role: general_manager}", kind="approval")
    assert_clean(nodes + END, "initiators: [csd]\n", ORG)


# --- policies (DEF-7) ----------------------------------------------------------------------

LEGAL = who("legal", "{department: leg}", "a", "approval")


def test_contract_needs_legal_or_compliance_approval_before_handling() -> None:
    found = problems_of(START + task("a") + END, "tags: [contract]\n")
    assert [p.message for p in found] == [
        "node `a` is reached without an approval by leg or cmp (policy `contract`)"
    ]
    assert "`assignee: {department: leg}`" in found[0].hint()


def test_approval_by_legal_first_passes() -> None:
    nodes = START.replace("next: a", "next: legal") + LEGAL + task("a") + END
    assert_clean(nodes, "tags: [contract, data-use]\n")


def test_policy_is_checked_on_every_path() -> None:
    gateway = gate("g", "amount > 5", "a", "legal")
    nodes = START.replace("next: a", "next: g") + gateway + LEGAL + task("a") + END
    found = messages(nodes, "tags: [data-use]\n")
    assert found == ["node `a` is reached without an approval by leg or cmp (policy `data-use`)"]


def test_approval_by_another_department_does_not_count() -> None:
    other = LEGAL.replace("department: leg", "department: fin")
    nodes = START.replace("next: a", "next: legal") + other + task("a") + END
    assert len(messages(nodes, "tags: [contract]\n")) == 1


def test_policies_are_configurable() -> None:
    d = load_definition(text_of(START + task("a") + END, "tags: [budget]\n"))
    assert validate_definition(d) == []
    found = validate_definition(d, policies={"budget": ("fin",)})
    assert [p.message for p in found] == [
        "node `a` is reached without an approval by fin (policy `budget`)"
    ]
    assert DEFAULT_POLICIES["contract"] == ("leg", "cmp")
