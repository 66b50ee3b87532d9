"""Prometheus metrics (OPS-2): what each process did since it started, and what waits in
the database for all of them.

Counters and the request histogram live in the process that counts them (the default
registry of prometheus-client): every `oaflow serve` and every `oaflow worker` is one
Python process with its own endpoint, and Prometheus sums over the targets it scrapes — no
multiprocess mode is needed because no process forks request workers. The backlog (outbox,
deliveries, due SLA checks) is the same for every node: it is read from the database at
each scrape, so any one endpoint shows it.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import (
    REGISTRY,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from oaflow.services.app import App
from oaflow.storage import ops_counts

# no `…_created` series beside every counter: noise to people
disable_created_metrics()  # type: ignore[no-untyped-call]

TASK_ACTIONS = Counter(
    "oaflow_task_actions",
    "Task actions applied (complete, approve, reject, …) by this process.",
    ["action"],
)
TIMERS_FIRED = Counter(
    "oaflow_timers_fired",
    "Due checks handled by this process (a worker): a task's SLA check sends every reminder "
    "due at once; exception, meeting, survey and forecast sweeps count too.",
)
DELIVERIES = Counter(
    "oaflow_deliveries",
    "Delivery attempts by this process, by what came of them: sent, retry (failed, will be "
    "tried again) or dead (failed for good: on the dead-letter list).",
    ["outcome"],
)
REQUEST_SECONDS = Histogram(
    "oaflow_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route (the route's pattern, not the path).",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class Backlog(Collector):
    """A collector of the gauges read from the database when scraped."""

    def __init__(self, app: App) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        now = self.app.now()
        with self.app.db.read() as conn:
            seen = ops_counts.backlog(conn, now)
        yield GaugeMetricFamily(
            "oaflow_outbox_unrouted",
            "Messages the engine wrote that no worker has routed to deliveries yet.",
            value=seen.outbox_unrouted,
        )
        deliveries = GaugeMetricFamily(
            "oaflow_deliveries_open",
            "Deliveries by state: pending (waiting for a worker or a retry), sending, dead "
            "(on the dead-letter list, waiting for an administrator).",
            labels=["state"],
        )
        for state, count in seen.deliveries.items():
            deliveries.add_metric([state], count)
        yield deliveries
        yield GaugeMetricFamily(
            "oaflow_timers_due",
            "SLA checks of tasks that are due now and not yet handled by a worker.",
            value=seen.checks_due,
        )
        oldest = seen.oldest_check_due
        waited = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
        yield GaugeMetricFamily(
            "oaflow_timers_due_oldest_seconds",
            "How long the longest-waiting due SLA check has waited (0: none due): a worker "
            "that falls behind shows here first.",
            value=waited,
        )


class Exposition(Collector):
    """This process's counters and the database's backlog, as one registry to expose."""

    def __init__(self, app: App) -> None:
        self.backlog = Backlog(app)

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
        yield from self.backlog.collect()


def exposition(app: App) -> bytes:
    """The text format Prometheus scrapes."""
    return generate_latest(Exposition(app))
