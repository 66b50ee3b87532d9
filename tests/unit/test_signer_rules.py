"""The rule of each mode of a several-approver step (APR-1), on counts of decisions."""

from __future__ import annotations

import pytest

from oaflow.domain.definition import Node, NodeType
from oaflow.domain.text import Text
from oaflow.engine.signers import RULES, Count, Outcome

P, R, N, W = Outcome.PASSED, Outcome.REJECTED, Outcome.NEXT, Outcome.WAITING


def decide(mode: str, signers: int, approved: int, rejected: int, queued: int = 0) -> Outcome:
    node = Node("sign", NodeType.APPROVAL, Text("审批"), mode=mode, pass_ratio=0.6)  # type: ignore[arg-type]
    return RULES[mode](Count(signers, approved, rejected, queued), node)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [((3, 0, 0), W), ((3, 2, 0), W), ((3, 3, 0), P), ((3, 2, 1), R), ((3, 0, 1), R)],
)
def test_all_must_approve(counts: tuple[int, int, int], expected: Outcome) -> None:
    assert decide("all", *counts) is expected


@pytest.mark.parametrize(("counts", "expected"), [((3, 0, 0), W), ((3, 1, 0), P), ((3, 0, 1), R)])
def test_any_first_decision_decides(counts: tuple[int, int, int], expected: Outcome) -> None:
    assert decide("any", *counts) is expected


@pytest.mark.parametrize(
    ("counts", "expected"),
    [((1, 1, 0, 2), N), ((2, 2, 0, 1), N), ((3, 3, 0, 0), P), ((2, 1, 1, 1), R)],
)
def test_sequence_one_after_the_other(counts: tuple[int, int, int, int], expected: Outcome) -> None:
    assert decide("sequence", *counts) is expected


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((3, 1, 1), W),  # 60 % of 3 is 1.8: two approvals pass
        ((3, 2, 1), P),
        ((3, 0, 2), R),  # at most one approval left: it cannot reach 1.8
        ((5, 3, 0), P),  # exactly 60 %
        ((5, 2, 2), W),
        ((5, 2, 3), R),
    ],
)
def test_ratio_passes_at_its_share(counts: tuple[int, int, int], expected: Outcome) -> None:
    assert decide("ratio", *counts) is expected
