"""The durations' histogram of the metrics' roll-up (domain/histogram.py): nearest-rank
percentiles exact where a bucket holds one value, never off by more than a bucket's width
otherwise; days added up are the same as all their durations counted at once; stored and
read back unchanged."""

from __future__ import annotations

import math
import random

import pytest

from oaflow.domain.histogram import PER_DOUBLING, Histogram, bucket_of


def nearest_rank(values: list[int], share: float) -> int:
    """The textbook nearest rank: the value at rank ceil(share·n) of the sorted values."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(round(share * len(ordered), 9))) - 1]


def counted(values: list[int]) -> Histogram:
    found = Histogram()
    for v in values:
        found.add(v)
    return found


def test_small_sets_are_exact() -> None:
    # the hours of test_metrics.py's handle node: 1, 1.5, 1, 55.5, 1, 0.5
    hours = [3600, 5400, 3600, 199800, 3600, 1800]
    spread = counted(hours).spread()
    assert (spread.count, spread.median, spread.p90) == (6, 3600, 199800)
    assert spread.average == sum(hours) / 6
    # ten values: the 90th percentile is the 9th (0.9 · 10 is 9.000000000000002 in floats)
    ten = [10 * n for n in range(1, 11)]
    assert counted(ten).percentile(0.9) == 90 == nearest_rank(ten, 0.9)
    assert counted([0, 0, 7]).percentile(0.5) == 0
    assert counted([]).spread().median is None
    counted_none = Histogram()
    counted_none.add(None)  # not measured: not counted
    assert counted_none.count == 0


@pytest.mark.parametrize("seed", range(5))
def test_large_sets_are_within_a_bucket(seed: int) -> None:
    rng = random.Random(seed)
    values = [int(rng.lognormvariate(10, 1.5)) for _ in range(5000)]
    found = counted(values)
    width = 2 ** (1 / PER_DOUBLING)  # the ratio of a bucket's bounds
    for share in (0.5, 0.9):
        exact = nearest_rank(values, share)
        read = found.percentile(share)
        assert read is not None and exact / width <= read <= exact * width
        assert bucket_of(read) == bucket_of(exact)


def test_days_add_up_and_keep() -> None:
    rng = random.Random(7)
    days = [[rng.randrange(0, 10**6) for _ in range(rng.randrange(1, 60))] for _ in range(30)]
    whole = Histogram()
    for day in days:
        whole.merge_stored(counted(day).dumps(), sum(day))
    every = counted([v for day in days for v in day])
    assert whole == every
    assert whole.spread() == every.spread()
