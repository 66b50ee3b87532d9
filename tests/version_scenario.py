"""A second version of the annual budget for the version tests (VER-1..3): the departments
get 24 hours instead of 40, a new required field 预算说明, and no general manager's approval
level (the tier gateway and its decision table go with it)."""

from __future__ import annotations

from oaflow.processes import builtin_source

#: the annual budget without its general manager's approval level (the tier gateway and
#: the decision table go with it), a 24-hour limit for the departments, a new field
BUDGET_V2 = (
    ("time_limit: {hours: 40}", "time_limit: {hours: 24}"),
    (
        "  - {name: total_cap, type: number, required: true,",
        "  - {name: budget_note, type: text, required: true, label: {zh: 预算说明, en: Budget"
        " note}}\n  - {name: total_cap, type: number, required: true,",
    ),
    (
        "decision_tables:\n  approval_tiers:\n    hit: first\n    rules:\n"
        '      - {when: "max(budget_amount) > 1000000", then: {to: gm_approval}}\n',
        "",
    ),
    (
        "    on_reject: fin_revise\n    next: tier\n",
        "    on_reject: fin_revise\n    next: sync_finance\n",
    ),
    (
        "  - id: tier\n    type: exclusive\n    name: {zh: 按金额分级, en: Amount tier}\n"
        "    decision: approval_tiers\n    default: sync_finance\n\n",
        "",
    ),
    (
        "  - id: gm_approval\n    type: approval\n    name: {zh: 总经理审批, en: General manager "
        "approval}\n    assignee: {role: general_manager}\n    time_limit: {hours: 24}\n"
        "    on_reject: fin_revise\n    next: sync_finance\n\n",
        "",
    ),
)


def budget_v2() -> str:
    """The annual budget's YAML with ``BUDGET_V2`` applied."""
    text, _ = builtin_source("annual-budget")
    for old, new in BUDGET_V2:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text
