"""audit log (SEC-4): a hash per history entry chained per instance, the instance's last
hash, the audit table of configuration changes and denied requests with its head row; the
chains of existing history are computed here

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import oaflow.storage.tables
from oaflow.domain.audit_chain import (
    AUDIT_GENESIS,
    canonical,
    chained,
    event_content,
    genesis,
)

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = oaflow.storage.tables.UTCDateTime(timezone=True)
#: the tables as they are at this revision (later revisions may add columns)
_INSTANCES = sa.table(
    "instances", sa.column("id", sa.Integer), sa.column("business_key", sa.String)
)
_HISTORY = sa.table(
    "history",
    sa.column("id", sa.Integer),
    sa.column("instance_id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("at", _TIME),
    sa.column("kind", sa.String),
    sa.column("node_id", sa.String),
    sa.column("task_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("data", sa.JSON),
)
_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), server_default="", nullable=False)
        )
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_hash", sa.String(length=64), server_default="", nullable=False)
        )
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("prev", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_at"), "audit", ["at"], unique=False)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute(
        sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :hash)").bindparams(
            hash=AUDIT_GENESIS
        )
    )
    _chain_existing_history(op.get_bind())


def _chain_existing_history(conn: sa.Connection) -> None:
    """Every stored instance's history gets its chain, and the instance its last hash."""
    keys = dict(conn.execute(sa.select(_INSTANCES.c.id, _INSTANCES.c.business_key)).all())
    last = {instance_id: genesis(key) for instance_id, key in keys.items()}
    hashes: list[dict[str, Any]] = []
    for row in _history_rows(conn):
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
        last[row.instance_id] = chained(last[row.instance_id], content)
        hashes.append({"row_id": row.id, "hash": last[row.instance_id]})
        if len(hashes) >= _BATCH:
            _save_hashes(conn, hashes)
            hashes = []
    _save_hashes(conn, hashes)
    update = sa.text("UPDATE instances SET last_hash = :hash WHERE id = :instance_id")
    ends = [{"instance_id": i, "hash": h} for i, h in last.items()]
    for start in range(0, len(ends), _BATCH):
        conn.execute(update, ends[start : start + _BATCH])


def _history_rows(conn: sa.Connection) -> Iterator[Any]:
    """History in (instance, seq) order, a page at a time (the updates run in between)."""
    after = (-1, -1)
    while True:
        page = conn.execute(
            sa.select(_HISTORY)
            .where(sa.tuple_(_HISTORY.c.instance_id, _HISTORY.c.seq) > sa.tuple_(*after))
            .order_by(_HISTORY.c.instance_id, _HISTORY.c.seq)
            .limit(_BATCH)
        ).all()
        if not page:
            return
        yield from page
        after = (page[-1].instance_id, page[-1].seq)


def _save_hashes(conn: sa.Connection, hashes: list[dict[str, Any]]) -> None:
    if hashes:
        conn.execute(sa.text("UPDATE history SET hash = :hash WHERE id = :row_id"), hashes)


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_index(op.f("ix_audit_at"), table_name="audit")
    op.drop_table("audit")
    # SQLite drops a plain column in place (3.35+): no copy of the tables, which their
    # foreign keys would refuse
    with op.batch_alter_table("instances", recreate="never") as batch_op:
        batch_op.drop_column("last_hash")
    with op.batch_alter_table("history", recreate="never") as batch_op:
        batch_op.drop_column("hash")
