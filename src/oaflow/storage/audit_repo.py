"""The audit table and the chains to verify (SEC-4, docs/adr/0007): appending an entry under
the head row's lock, listing entries, and reading every chain back in order, a page at a
time, as the entries ``domain.audit_chain`` checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Row, insert, select, tuple_, update

from oaflow.domain.audit_chain import (
    AUDIT_GENESIS,
    Head,
    Stored,
    canonical,
    chained,
    entry_content,
    event_content,
    json_written,
)
from oaflow.storage.tables import audit, audit_head, history, instances

PAGE = 1000
_HEAD = 1  # the id of the head row


def append(
    conn: Connection,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    detail: Mapping[str, Any],
    address: str,
) -> int:
    """Add an entry at the end of the chain, in the caller's transaction; its number. The
    head row is locked until the transaction ends (PostgreSQL; SQLite writes one at a time)."""
    last, prev = _locked_head(conn)
    seq = last + 1
    values = {"actor": actor[:64], "action": action[:40], "target": target[:200]}
    values["address"] = address[:200]
    written = json_written(dict(detail))
    content = entry_content(
        seq, at, values["actor"], values["action"], values["target"], written, values["address"]
    )
    digest = chained(prev, content)
    row = {**values, "seq": seq, "at": at, "detail": orjson.loads(written)}
    conn.execute(insert(audit).values(**row, prev=prev, hash=digest))
    conn.execute(update(audit_head).where(audit_head.c.id == _HEAD).values(seq=seq, hash=digest))
    return seq


def _locked_head(conn: Connection) -> tuple[int, str]:
    query = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == _HEAD)
    found = conn.execute(query.with_for_update()).first()
    if found is not None:
        return int(found.seq), str(found.hash)
    last = conn.execute(select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc())).first()
    seq, digest = (int(last.seq), str(last.hash)) if last else (0, AUDIT_GENESIS)
    conn.execute(insert(audit_head).values(id=_HEAD, seq=seq, hash=digest))
    return seq, digest


def entries(conn: Connection, since: datetime | None, limit: int) -> list[dict[str, Any]]:
    """The newest ``limit`` entries (at or after ``since``), newest first."""
    query = select(audit).order_by(audit.c.seq.desc()).limit(limit)
    if since is not None:
        query = query.where(audit.c.at >= since)
    return [dict(r._mapping) for r in conn.execute(query)]


# -- reading the chains back ------------------------------------------------------------------
def audit_head_now(conn: Connection) -> Head | None:
    found = conn.execute(select(audit_head).where(audit_head.c.id == _HEAD)).first()
    return Head(int(found.seq), str(found.hash)) if found else None


def audit_chain(conn: Connection) -> Iterator[Stored]:
    """Every audit entry in number order."""
    after = -1
    while True:
        query = select(audit).where(audit.c.seq > after).order_by(audit.c.seq).limit(PAGE)
        page = conn.execute(query).all()
        yield from (_entry(r) for r in page)
        if len(page) < PAGE:
            return
        after = page[-1].seq


def _entry(row: Row[Any]) -> Stored:
    content = entry_content(
        row.seq, row.at, row.actor, row.action, row.target, canonical(row.detail), row.address
    )
    return Stored(row.seq, None, content, row.hash, row.prev)


def history_chains(conn: Connection) -> Iterator[tuple[str, Head, list[Stored]]]:
    """Each instance's business key, what its row says of its history's end (count, last
    hash), and its history entries in number order. History rows of an instance that is
    gone come under the key ``#id`` with an empty head."""
    rows = _history_rows(conn)
    pending = next(rows, None)
    for instance in _instance_rows(conn):
        while pending is not None and pending.instance_id < instance.id:
            orphans, pending = _group(pending, rows)
            yield _orphans(orphans)
        found: list[Row[Any]] = []
        if pending is not None and pending.instance_id == instance.id:
            found, pending = _group(pending, rows)
        head = Head(int(instance.event_seq), str(instance.last_hash))
        yield str(instance.business_key), head, [_event(r) for r in found]
    while pending is not None:
        orphans, pending = _group(pending, rows)
        yield _orphans(orphans)


def _orphans(rows: list[Row[Any]]) -> tuple[str, Head, list[Stored]]:
    return f"#{rows[0].instance_id}", Head(0, ""), [_event(r) for r in rows]


def _instance_rows(conn: Connection) -> Iterator[Any]:
    columns = (instances.c.id, instances.c.business_key, instances.c.event_seq)
    query = select(*columns, instances.c.last_hash).order_by(instances.c.id).limit(PAGE)
    after = -1
    while True:
        page = conn.execute(query.where(instances.c.id > after)).all()
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].id


def _history_rows(conn: Connection) -> Iterator[Row[Any]]:
    """History in (instance, seq) order, a page at a time."""
    query = select(history).order_by(history.c.instance_id, history.c.seq).limit(PAGE)
    after = (-1, -1)
    while True:
        place = tuple_(history.c.instance_id, history.c.seq) > tuple_(*after)
        page = conn.execute(query.where(place)).all()
        yield from page
        if len(page) < PAGE:
            return
        after = (page[-1].instance_id, page[-1].seq)


def _group(first: Row[Any], rows: Iterator[Row[Any]]) -> tuple[list[Row[Any]], Row[Any] | None]:
    """``first`` and the rows after it of the same instance; and the first row of the next."""
    group = [first]
    for row in rows:
        if row.instance_id != first.instance_id:
            return group, row
        group.append(row)
    return group, None


def _event(row: Row[Any]) -> Stored:
    content = event_content(
        row.instance_id,
        row.seq,
        row.at,
        row.kind,
        row.node_id,
        row.task_id,
        row.actor,
        canonical(row.data),
    )
    return Stored(row.seq, row.id, content, row.hash)
