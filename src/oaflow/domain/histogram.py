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
from dataclasses import dataclass, field

#: buckets per doubling of the duration
PER_DOUBLING = 16
#: up to this many durations are also kept as they are
EXACT = 64


@dataclass(frozen=True)
class Spread:
    """Durations in seconds: how many, their average, median and 90th percentile."""

    count: int
    average: float | None
    median: int | None
    p90: int | None


NO_SPREAD = Spread(0, None, None, None)


def bucket_of(seconds: int) -> int:
    """The bucket of a duration (negative durations count as zero)."""
    if seconds < 1:
        return 0
    return 1 + math.floor(PER_DOUBLING * math.log2(seconds))


@dataclass
class Histogram:
    """Durations counted into buckets, with their sum (for the average)."""

    #: bucket -> [count, smallest, largest]
    buckets: dict[int, list[int]] = field(default_factory=dict)
    total: int = 0  # the sum of the durations
    #: every duration while there are at most EXACT of them; None beyond
    exact: list[int] | None = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(b[0] for b in self.buckets.values())

    def add(self, seconds: int | None) -> None:
        """Count one duration (None, not measured, is not counted)."""
        if seconds is None:
            return
        self.total += seconds
        if self.exact is not None:
            self.exact.append(seconds)
            if len(self.exact) > EXACT:
                self.exact = None
        found = self.buckets.get(bucket_of(seconds))
        if found is None:
            self.buckets[bucket_of(seconds)] = [1, seconds, seconds]
        else:
            found[0] += 1
            found[1] = min(found[1], seconds)
            found[2] = max(found[2], seconds)

    def merge(self, other: Histogram) -> None:
        """Add ``other``'s durations to these (a review adds up thousands: kept tight)."""
        self.total += other.total
        if self.exact is not None and other.exact is not None:
            both = len(self.exact) + len(other.exact)
            self.exact = self.exact + other.exact if both <= EXACT else None
        else:
            self.exact = None
        mine = self.buckets
        for key, theirs in other.buckets.items():
            found = mine.get(key)
            if found is None:
                mine[key] = theirs[:]
            else:
                found[0] += theirs[0]
                if theirs[1] < found[1]:
                    found[1] = theirs[1]
                if theirs[2] > found[2]:
                    found[2] = theirs[2]

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
        for key in sorted(self.buckets):
            count, low, high = self.buckets[key]
            if seen + count >= rank:
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
        """Compact JSON: ``[[[bucket, count, smallest, largest], ...], exact]`` (buckets in
        order; the durations themselves, or null)."""
        rows = [[key, *self.buckets[key]] for key in sorted(self.buckets)]
        return json.dumps([rows, self.exact], separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | None, total: int) -> Histogram:
        """The histogram ``dumps`` wrote, with the sum stored beside it."""
        rows, exact = json.loads(text) if text else ([], [])  # integers: dumps wrote them
        return cls({r[0]: r[1:] for r in rows}, int(total), exact)
