"""The hash chains' rules (domain/audit_chain.py): canonical content, and how a check names
an edited, deleted or inserted entry."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from oaflow.domain.audit_chain import (
    AUDIT_GENESIS,
    Finding,
    Head,
    Stored,
    canonical,
    chained,
    check_audit,
    check_history,
    event_content,
    genesis,
    json_written,
)

AT = datetime(2024, 3, 1, 1, 0, 0, 123456, tzinfo=UTC)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_a_written_value_read_back_is_hashed_as_it_was_written(value: Any) -> None:
    written = json_written(value)
    assert canonical(orjson.loads(written)) == written


def test_values_that_are_not_json_are_written_as_their_text() -> None:
    @dataclasses.dataclass
    class Point:
        x: int

    value = {2: date(2024, 3, 1), "at": AT, "p": Point(1), "t": (1, "二")}
    written = json_written(value)
    assert canonical(orjson.loads(written)) == written
    assert orjson.loads(written)["at"] == str(AT)


def test_content_is_canonical_json_with_utc_times() -> None:
    shanghai = AT.astimezone(timezone(timedelta(hours=8)))
    content = event_content(7, 3, shanghai, "task_approved", "n1", 12, "gm", b'{"a":1}')
    assert orjson.loads(content) == {
        "actor": "gm",
        "at": "2024-03-01T01:00:00.123456+00:00",
        "data": {"a": 1},
        "instance_id": 7,
        "kind": "task_approved",
        "node_id": "n1",
        "seq": 3,
        "task_id": 12,
    }
    assert canonical(orjson.loads(content)) == content


def a_chain(key: str, n: int) -> list[Stored]:
    entries, prev = [], genesis(key)
    for seq in range(1, n + 1):
        content = event_content(1, seq, AT, "k", None, None, None, b"{}")
        prev = chained(prev, content)
        entries.append(Stored(seq, seq * 10, content, prev))
    return entries


def test_an_intact_history_has_no_findings() -> None:
    entries = a_chain("K1", 5)
    assert check_history("K1", Head(5, entries[-1].hash), entries) == []
    assert check_history("K2", Head(0, genesis("K2")), []) == []


def test_each_kind_of_damage_to_a_history_is_named() -> None:
    entries = a_chain("K1", 5)
    head = Head(5, entries[-1].hash)
    edited = [*entries[:2], dataclasses.replace(entries[2], content=b"{}"), *entries[3:]]
    assert check_history("K1", head, edited) == [Finding("history", "K1", 3, "edited")]
    assert check_history("K1", head, entries[:2] + entries[3:]) == [
        Finding("history", "K1", 3, "deleted")
    ]
    assert check_history("K1", head, entries[:4]) == [Finding("history", "K1", 5, "deleted")]
    extra = Stored(6, 60, b"{}", "f" * 64)
    assert check_history("K1", head, [*entries, extra]) == [Finding("history", "K1", 6, "inserted")]
    replaced = dataclasses.replace(entries[1], order=99)  # written after those above it
    assert check_history("K1", head, [entries[0], replaced, *entries[2:]]) == [
        Finding("history", "K1", 2, "inserted"),
        Finding("history", "K1", 2, "deleted"),
    ]


def an_audit_chain(n: int) -> list[Stored]:
    entries, prev = [], AUDIT_GENESIS
    for seq in range(1, n + 1):
        content = f'{{"seq":{seq}}}'.encode()
        entries.append(Stored(seq, None, content, chained(prev, content), prev))
        prev = entries[-1].hash
    return entries


def test_each_kind_of_damage_to_the_audit_chain_is_named() -> None:
    entries = an_audit_chain(4)
    head = Head(4, entries[-1].hash)
    assert check_audit(head, entries) == []
    assert check_audit(None, entries) == [Finding("audit", "", 0, "deleted")]
    assert check_audit(head, entries[:1] + entries[2:]) == [Finding("audit", "", 2, "deleted")]
    forged = b'{"seq":2,"x":1}'
    rewritten = Stored(2, None, forged, chained(entries[0].hash, forged), entries[0].hash)
    assert check_audit(head, [entries[0], rewritten, *entries[2:]]) == [
        Finding("audit", "", 2, "edited")
    ]
    extra = Stored(5, None, b"{}", chained(entries[-1].hash, b"{}"), entries[-1].hash)
    assert check_audit(head, [*entries, extra]) == [Finding("audit", "", 5, "inserted")]
