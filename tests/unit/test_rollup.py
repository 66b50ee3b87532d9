"""The metrics' tallies (domain/rollup.py): visits judged on each day's tasks, late
instances counted per node and day, the facts' order checked (a visit's tasks must be
together for it to be judged once)."""

from __future__ import annotations

from datetime import date

import pytest

from oaflow.domain.rollup import (
    DEPARTMENT,
    NODE,
    TaskFact,
    by_department,
    node_key,
    of_kind,
    tally_tasks,
)

MON, TUE = date(2024, 3, 4), date(2024, 3, 5)


def fact(instance: int, node: str, day: date, state: str = "approved", **more: object) -> TaskFact:
    values: dict[str, object] = {
        "process": "p",
        "definition_id": 1,
        "instance_id": instance,
        "node": node,
        "department": "csd",
        "round": 1,
        "state": state,
        "work": 3600,
        "span": 7200,
        "late": None,
        "exception": None,
        "day": day,
    }
    values.update(more)
    return TaskFact(**values)  # type: ignore[arg-type]


def test_visits_and_late_instances_per_day() -> None:
    tallies = tally_tasks(
        [
            # instance 1, review: rejected Monday, approved in round 2 Tuesday (late)
            fact(1, "review", MON, "rejected"),
            fact(1, "review", TUE, round=2, late=600),
            # instance 1, triage: two signers the same Monday, one of them late
            fact(1, "triage", MON, late=0),
            fact(1, "triage", MON, department="prd", late=60),
            # instance 2, review: passed at once Monday
            fact(2, "review", MON, late=0),
        ]
    )
    review = tallies[node_key("p", "review")]
    assert (review.count, review.visits, review.first_pass) == (3, 3, 1)  # 1 Mon, 1 Tue, 2 Mon
    assert (review.with_due, review.late, review.late_seconds, review.late_instances) == (
        2,
        1,
        600,
        1,
    )
    triage = tallies[node_key("p", "triage")]
    assert (triage.visits, triage.first_pass, triage.late_instances) == (1, 1, 1)
    departments = by_department(tallies)
    assert departments["csd"].visits == 4 and departments["prd"].visits == 1
    assert all(t.late_instances == 0 for t in of_kind(tallies, DEPARTMENT).values())
    assert list(of_kind(tallies, NODE)) == [node_key("p", "review"), node_key("p", "triage")]
    assert review.work_spread.median == 3600 and review.span_spread.count == 3


@pytest.mark.parametrize(
    "facts",
    [
        [fact(2, "review", MON), fact(1, "review", MON)],  # instances out of order
        [fact(1, "review", MON), fact(1, "triage", MON), fact(1, "review", TUE)],  # a node again
    ],
)
def test_facts_out_of_order_are_refused(facts: list[TaskFact]) -> None:
    with pytest.raises(ValueError, match="not ordered"):
        tally_tasks(facts)
