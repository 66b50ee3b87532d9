"""What an operator watches across every node, read from the database at each scrape: the
outbox and delivery backlog and the SLA checks that are due (the Prometheus endpoint,
services/telemetry.py). Each count reads an index, never the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from oaflow.storage.tables import deliveries, outbox, tasks

#: the delivery states still in the system's hands (``sent`` is done and only grows)
OPEN_DELIVERY_STATES = ("pending", "sending", "dead")


@dataclass(frozen=True)
class Backlog:
    outbox_unrouted: int  # messages written by the engine, not yet turned into deliveries
    deliveries: dict[str, int]  # pending / sending / dead
    checks_due: int  # task SLA checks due now and not yet handled by a worker
    oldest_check_due: datetime | None  # the longest-waiting of them


def backlog(conn: Connection, now: datetime) -> Backlog:
    unrouted = conn.execute(
        select(func.count()).select_from(outbox).where(outbox.c.status == "pending")
    ).scalar_one()
    by_status = dict.fromkeys(OPEN_DELIVERY_STATES, 0)
    query = (
        select(deliveries.c.status, func.count())
        .where(deliveries.c.status.in_(OPEN_DELIVERY_STATES))
        .group_by(deliveries.c.status)
    )
    by_status.update({status: count for status, count in conn.execute(query)})
    due = conn.execute(
        select(func.count(), func.min(tasks.c.check_at)).where(
            tasks.c.check_at.is_not(None), tasks.c.check_at <= now
        )
    ).one()
    return Backlog(int(unrouted), by_status, int(due[0]), due[1])
