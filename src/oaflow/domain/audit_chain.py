"""The audit trail's hash chains (SEC-4, docs/adr/0007): how an entry is hashed, and how a
stored chain is checked. Pure.

Two kinds of chain:
- each instance's history: ``hash(n) = SHA-256(hash(n-1) ‖ content(n))`` with
  ``hash(0) = SHA-256(business key)``; the instance row keeps the last hash and the number
  of events, so that a missing or added last entry shows too;
- the ``audit`` table (configuration changes, sign-ins, denied requests): one global chain
  from ``AUDIT_GENESIS``; each entry stores the hash before it (``prev``) and the head row
  keeps the last number and hash.

An entry's content is canonical JSON: keys sorted, no spaces, UTF-8 as it is, times as UTC
ISO-8601 with microseconds. A stored JSON value is hashed as the canonical text of its
parsed value, so that both databases (SQLite gives text, PostgreSQL a parsed value) and any
spacing give the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from itertools import accumulate
from typing import Any, Literal

import orjson

AUDIT_GENESIS = hashlib.sha256(b"oaflow audit").hexdigest()
_SORTED = orjson.OPT_SORT_KEYS
_WRITTEN = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

Damage = Literal["edited", "deleted", "inserted"]


def genesis(business_key: str) -> str:
    """The hash before an instance's first event."""
    return hashlib.sha256(business_key.encode()).hexdigest()


def chained(prev: str, content: bytes) -> str:
    """The hash of an entry with ``content`` after the entry whose hash is ``prev``."""
    return hashlib.sha256(prev.encode() + content).hexdigest()


def canonical(value: Any) -> bytes:
    """A JSON value (as parsed from storage) as canonical JSON."""
    try:
        return orjson.dumps(value, option=_SORTED)
    except TypeError:  # keys that are not strings
        return orjson.dumps(value, option=_SORTED | orjson.OPT_NON_STR_KEYS)


def json_written(value: Any) -> bytes:
    """A value about to be stored as JSON, as canonical JSON: anything that is not JSON
    (dates, datetimes, dataclasses) as its ``str``. Parsed back, its ``canonical`` text is
    this text again."""
    try:
        return orjson.dumps(value, default=str, option=_WRITTEN)
    except TypeError:  # keys that are not strings
        return orjson.dumps(value, default=str, option=_WRITTEN | orjson.OPT_NON_STR_KEYS)


@lru_cache(maxsize=1024)
def utc_iso(at: datetime) -> str:
    """``at`` in UTC, ISO-8601 with microseconds (one decision's events share an instant:
    each conversion is made once)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _with_member(outer: dict[str, Any], name: str, value: bytes, before: bytes) -> bytes:
    """Canonical JSON of ``outer`` with member ``name`` holding the canonical JSON
    ``value``, put where the sorted keys place it: just before the member ``before``
    (a key's quote after a comma never occurs inside a JSON string, where quotes are
    escaped)."""
    text = orjson.dumps(outer, option=_SORTED)
    cut = text.index(before)
    return b"".join((text[:cut], b',"', name.encode(), b'":', value, text[cut:]))


def event_content(
    instance_id: int,
    seq: int,
    at: datetime,
    kind: str,
    node_id: str | None,
    task_id: int | None,
    actor: str | None,
    data: bytes,
) -> bytes:
    """A history entry's content; ``data`` is its canonical JSON."""
    outer = {
        "actor": actor,
        "at": utc_iso(at),
        "instance_id": instance_id,
        "kind": kind,
        "node_id": node_id,
        "seq": seq,
        "task_id": task_id,
    }
    return _with_member(outer, "data", data, b',"instance_id":')


def entry_content(
    seq: int, at: datetime, actor: str, action: str, target: str, detail: bytes, address: str
) -> bytes:
    """An audit entry's content; ``detail`` is its canonical JSON."""
    outer = {
        "action": action,
        "actor": actor,
        "address": address,
        "at": utc_iso(at),
        "seq": seq,
        "target": target,
    }
    return _with_member(outer, "detail", detail, b',"seq":')


# -- checking ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One broken place: entry ``seq`` of a chain (``history`` of instance ``key``, or the
    ``audit`` table) was edited, deleted or inserted; seq 0 of the audit chain is its head
    row (the last number and hash)."""

    chain: Literal["history", "audit"]
    key: str
    seq: int
    damage: Damage


@dataclass(frozen=True)
class Stored:
    """A stored entry as the check needs it: its number, the order it was written in (the
    row id; None where the number is the order), its content, its hash, and the hash it
    says came before (audit entries store it; history entries do not)."""

    seq: int
    order: int | None
    content: bytes
    hash: str
    prev: str | None = None


@dataclass(frozen=True)
class Head:
    """What the chain's owner says of its end: how many entries, and the last hash."""

    count: int
    hash: str


def check_history(key: str, head: Head, entries: Sequence[Stored]) -> list[Finding]:
    """The broken places of instance ``key``'s history (``entries`` in number order); the
    instance row is the ``head``. An entry written after one numbered above it (its row id
    is out of order) was inserted."""
    later_first = [e.order or 0 for e in reversed(entries)]
    lowest_after = list(reversed(list(accumulate(later_first, min, initial=2**63))))[1:]
    out_of_place = {
        e.seq for e, low in zip(entries, lowest_after, strict=True) if (e.order or 0) > low
    }
    walk = _Walk("history", key, genesis(key), head, out_of_place)
    return list(walk.run(entries))


def check_audit(head: Head | None, entries: Iterable[Stored]) -> list[Finding]:
    """The broken places of the audit table (``entries`` in number order); ``head`` is its
    head row (None: missing)."""
    return list(_Walk("audit", "", AUDIT_GENESIS, head, frozenset()).run(entries))


class _Walk:
    """One pass along a chain. ``prev`` is the hash of the last entry taken as genuine and
    ``expected`` the number after it; after a gap or an inserted entry the next link cannot
    be checked (``broken``)."""

    def __init__(
        self,
        chain: Literal["history", "audit"],
        key: str,
        start: str,
        head: Head | None,
        out_of_place: Set[int],
    ) -> None:
        self.chain, self.key, self.head, self.out_of_place = chain, key, head, out_of_place
        self.prev, self.expected, self.broken = start, 1, False

    def found(self, seq: int, damage: Damage) -> Finding:
        return Finding(self.chain, self.key, seq, damage)

    def run(self, entries: Iterable[Stored]) -> Iterator[Finding]:
        for entry in entries:
            yield from self.step(entry)
        yield from self.end()

    def step(self, entry: Stored) -> Iterator[Finding]:
        beyond = self.head is not None and entry.seq > self.head.count
        if beyond or entry.seq in self.out_of_place:
            yield self.found(entry.seq, "inserted")
            self.broken = True
            return
        yield from self.gap(entry.seq)
        yield from self.link(entry)
        self.prev, self.expected, self.broken = entry.hash, entry.seq + 1, False

    def gap(self, seq: int) -> Iterator[Finding]:
        for missing in range(self.expected, seq):
            self.broken = True
            yield self.found(missing, "deleted")

    def link(self, entry: Stored) -> Iterator[Finding]:
        """An entry whose hash is not that of its content after the hash before it: edited.
        An audit entry whole in itself that names another hash before it than the entry
        before has: that entry was replaced (edited with a new hash)."""
        if entry.prev is None:
            if not self.broken and chained(self.prev, entry.content) != entry.hash:
                yield self.found(entry.seq, "edited")
        elif chained(entry.prev, entry.content) != entry.hash:
            yield self.found(entry.seq, "edited")
        elif not self.broken and entry.prev != self.prev:
            yield self.found(entry.seq - 1, "edited")

    def end(self) -> Iterator[Finding]:
        if self.head is None:
            yield self.found(0, "deleted")
            return
        yield from self.gap(self.head.count + 1)
        if self.expected == self.head.count + 1 and self.prev != self.head.hash:
            yield self.found(self.head.count, "edited")
