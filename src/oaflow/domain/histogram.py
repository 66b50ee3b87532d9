"""Durations kept as a histogram that days can be added up from (docs/adr/0015): the
metrics' daily roll-up stores one per group and day instead of the durations themselves,
and a quarter's median and 90th percentile are read from the sum of its days'.

While a histogram holds at most ``EXACT`` durations it also keeps them all, and answers
from them exactly (a small node's day, a test's crafted history). Beyond that, buckets:
log-scale, sixteen to a doubling (each about 4.4 % wide): bucket 0 holds zero, bucket
``1 + floor(16·log2(v))`` a duration ``v`` of one second or more. Each bucket keeps its
count and the smallest and largest value it saw, so that a bucket holding one value (or
several equal ones) answers exactly, and one holding several is read by interpolating
between its smallest and largest by rank: never further off than the bucket's width.

Percentiles are nearest-rank, as storage/metrics_sql's were: the p-th percentile of n sorted
values is the one at rank ceil(p·n).
"""

from __future__ import annotations

import json
import math
from array import array
from dataclasses import dataclass, field

#: buckets per doubling of the duration
PER_DOUBLING = 16
#: up to this many durations are also kept as they are
EXACT = 64
#: buckets in all: zero, then one second to 2^32 seconds (136 years)
BUCKETS = 1 + PER_DOUBLING * 32


@dataclass(frozen=True)
class Spread:
    """Durations in seconds: how many, their average, median and 90th percentile."""

    count: int
    average: float | None
    median: int | None
    p90: int | None


NO_SPREAD = Spread(0, None, None, None)


def bucket_of(seconds: int) -> int:
    """The bucket of a duration (negative durations count as zero; past 2^32 seconds, the
    last bucket)."""
    if seconds < 1:
        return 0
    return min(BUCKETS - 1, 1 + math.floor(PER_DOUBLING * math.log2(seconds)))


def _zeros() -> array[int]:
    return array("q", bytes(8 * BUCKETS))


@dataclass
class Histogram:
    """Durations counted into buckets, with their sum (for the average).

    The buckets are three fixed arrays (count, smallest, largest), the same size however
    many durations they hold: adding up a year of days takes the same memory as a week."""

    counts: array[int] = field(default_factory=_zeros)
    lows: array[int] = field(default_factory=_zeros)
    highs: array[int] = field(default_factory=_zeros)
    total: int = 0  # the sum of the durations
    count: int = 0
    #: every duration while there are at most EXACT of them; None beyond
    exact: list[int] | None = field(default_factory=list)

    def add(self, seconds: int | None) -> None:
        """Count one duration (None, not measured, is not counted)."""
        if seconds is None:
            return
        self.total += seconds
        if self.exact is not None:
            self.exact.append(seconds)
            if len(self.exact) > EXACT:
                self.exact = None
        self._put(bucket_of(seconds), 1, seconds, seconds)

    def _put(self, key: int, count: int, low: int, high: int) -> None:
        self.count += count
        if self.counts[key]:
            self.counts[key] += count
            if low < self.lows[key]:
                self.lows[key] = low
            if high > self.highs[key]:
                self.highs[key] = high
        else:
            self.counts[key], self.lows[key], self.highs[key] = count, low, high

    def _exact_with(self, other: list[int] | None) -> None:
        if self.exact is not None and other is not None and len(self.exact) + len(other) <= EXACT:
            self.exact = self.exact + other
        else:
            self.exact = None

    def merge(self, other: Histogram) -> None:
        """Add ``other``'s durations to these."""
        self.total += other.total
        self._exact_with(other.exact)
        for key, count in enumerate(other.counts):
            if count:
                self._put(key, count, other.lows[key], other.highs[key])

    def merge_stored(self, text: str | None, total: int) -> None:
        """Add the durations of a histogram ``dumps`` wrote (its sum stored beside it)
        without making it whole first: a review adds up thousands of days."""
        if not text:
            return
        rows, exact = json.loads(text)  # integers already: dumps wrote them
        self.total += int(total)
        self._exact_with(exact)
        for key, count, low, high in rows:
            self._put(key, count, low, high)

    def percentile(self, share: float) -> int | None:
        """The nearest-rank percentile ``share`` (0.5: the median); None when empty."""
        n = self.count
        if not n:
            return None
        thousandths = round(share * 1000)  # in integers: 0.9 * 10 is 9.000000000000002
        rank = max(1, -(-thousandths * n // 1000))
        if self.exact is not None:
            return sorted(self.exact)[rank - 1]
        seen = 0
        for key, count in enumerate(self.counts):
            if count and seen + count >= rank:
                low, high = self.lows[key], self.highs[key]
                if count == 1 or low == high:
                    return low
                return round(low + (high - low) * (rank - seen - 1) / (count - 1))
            seen += count
        raise AssertionError("unreachable: the ranks add up to the count")

    def spread(self) -> Spread:
        n = self.count
        if not n:
            return NO_SPREAD
        return Spread(n, self.total / n, self.percentile(0.5), self.percentile(0.9))

    # -- stored as text in the roll-up's rows -----------------------------------------------
    def dumps(self) -> str:
        """Compact JSON: ``[[[bucket, count, smallest, largest], ...], exact]`` (the buckets
        that hold something, in order; the durations themselves, or null)."""
        rows = [
            [key, count, self.lows[key], self.highs[key]]
            for key, count in enumerate(self.counts)
            if count
        ]
        return json.dumps([rows, self.exact], separators=(",", ":"))
